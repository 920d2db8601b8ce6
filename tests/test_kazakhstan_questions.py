"""Graph questions (show, path, neighbors, central, --as-of) on the real Kazakhstan dataset."""
from __future__ import annotations

import pytest

import kgbuilder
from kgbuilder.errors import EntityNotFoundError

from conftest import KAZAKHSTAN


@pytest.fixture(scope="module")
def kz():
    return kgbuilder.open_graph(KAZAKHSTAN)


def test_show_toqaev_by_kazakh_cyrillic_label(kz):
    info = kgbuilder.show_entity(kz, "Қасым-Жомарт Тоқаев")
    assert (info.id, info.type) == ("toqaev", "Person")
    assert info.labels["ru"] == "Касым-Жомарт Токаев"
    assert "Tokayev" in info.aliases
    assert [(f.predicate, f.object) for f in info.facts_out] == [("holdsPost", "president-of-kazakhstan")]
    assert [(f.subject, f.predicate) for f in info.facts_in] == [("nazarbayev", "predecessorOf")]
    as_agent_on_jan5 = {e.event for e in info.events if e.role == "agent" and e.date == "2022-01-05"}
    assert {"nazarbayev-removed", "government-sacked", "abish-replaced"} <= as_agent_on_jan5
    removed = next(e for e in info.events if e.event == "nazarbayev-removed")
    assert any("removed his predecessor" in ev.quote for ev in removed.fact.evidence)


def test_path_from_pashinian_to_nazarbayev_is_evidenced(kz):
    (path,) = kgbuilder.paths(kz, "Pashinyan", "Назарбаев")
    assert path.nodes[0] == "pashinian" and path.nodes[-1] == "nazarbayev"
    assert len(path) == len(path.nodes) - 1 == 5
    for step in path.steps:
        assert step.facts and all(f.evidence for f in step.facts)


def test_who_heads_the_security_council_changes_on_2022_01_05(kz):
    post = "head-of-security-council"

    def holders(day):
        info = kgbuilder.show_entity(kz, post, as_of=day)
        return sorted(f.subject for f in info.facts_in if f.predicate == "holdsPost")

    assert holders("2022-01-04") == ["nazarbayev"]
    assert "nazarbayev" not in holders("2022-01-06")


def test_neighbors_and_central(kz):
    hood = kgbuilder.neighbors(kz, "csto", depth=1)
    ids = {m.id for m in hood.members}
    assert {"russia", "belarus", "armenia", "kazakhstan", "kyrgyzstan", "tajikistan"} <= ids
    assert all(m.distance <= 1 for m in hood.members)
    top = kgbuilder.central(kz, top=3, by="degree")
    assert top[0].id == "kazakhstan"


def test_unknown_name_suggests(kz):
    with pytest.raises(EntityNotFoundError) as exc:
        kgbuilder.show_entity(kz, "Nazarbyev")
    assert "did you mean 'nazarbayev'" in str(exc.value)
