"""Many sources: one statement per fact, restating, corroboration, conflicts, quotes of every source.

The fixture tests/fixtures/twosources holds an invented story as three outlets told it: the
Daily declares the events (daily.yaml), the Wire restates them from its own file (wire.yaml)
with another spelling, one figure that agrees and one that does not, and a radio bulletin
relays the Wire (radio.yaml; `relays: wire` in dataset.yaml).
"""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgbuilder
from kgbuilder.cli import main
from kgbuilder.builder.agreement import find_conflicts, support
from kgbuilder.builder.quads import statement_id
from kgbuilder.curation.load import load_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "twosources"
README = Path(__file__).parent.parent / "README.md"
RDF_MODEL = Path(__file__).parent.parent / "docs" / "rdf-model.md"
SHOWN = "tests/fixtures/twosources"       # how the CLI shows the fixture when run from the repo root


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def kg():
    return kgbuilder.build(FIXTURE)


@pytest.fixture
def copy(tmp_path) -> Path:
    dest = tmp_path / "two"
    shutil.copytree(FIXTURE, dest)
    return dest


def add_file(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(root) -> list[str]:
    return [str(d).replace(str(root), "DS") for d in kgbuilder.validate(root, shacl=False)]


def facts_of(kg, subject: str, predicate: str) -> dict[str, tuple]:
    """statement IRI -> (sources, corroboration) for one subject and predicate."""
    rows = kg.query(f"SELECT DISTINCT ?st WHERE {{ ?st rdf:subject ts:{subject} ; rdf:predicate kg:{predicate} }}")
    backing = support(kg)
    return {str(r[0]): (backing[str(r[0])].sources, backing[str(r[0])].corroboration) for r in rows}


# ---------------------------------------------------------------- identity

def test_one_statement_per_fact_whoever_reports_it(kg):
    # three reports (one with a note, one through an alias) of one post: one statement
    (sources, corroboration), = facts_of(kg, "anna-vale", "holdsPost").values()
    assert sources == ("daily", "radio", "wire")
    assert corroboration == 2            # radio relays wire: they count once
    # the Daily's age has a note, the Wire's has none: still one fact
    (sources, corroboration), = facts_of(kg, "anna-vale", "age").values()
    assert (sources, corroboration) == (("daily", "wire"), 2)
    # notes of both sources stay on the one statement
    notes = {str(r[0]) for r in kg.query("SELECT ?n WHERE { ?st rdf:subject ts:anna-vale ; kg:note ?n }")}
    assert notes == {"from the Daily's profile", "the Wire spells her name Wale"}


def test_identity_rule(tmp_path):
    ds = load_dataset(FIXTURE)
    age = [f for f in ds.facts if f.predicate == "age"]
    assert len(age) == 2 and age[0].qualifiers != age[1].qualifiers
    assert statement_id(age[0]) == statement_id(age[1])
    # what changes the meaning splits it: another date, another claimant
    from dataclasses import replace

    from kgbuilder.curation.model import DateValue
    other_day = replace(age[0], qualifiers={**age[0].qualifiers, "date": DateValue("2021", "year")})
    claimed = replace(age[0], qualifiers={**age[0].qualifiers, "claimed_by": "interior-ministry"})
    assert len({statement_id(f) for f in (age[0], other_day, claimed)}) == 3


def test_event_figure_as_fact_and_as_role_is_one_statement(kg):
    # the Daily writes `killed: {value: 8, unit: ...}` on the event, the Wire a fact with
    # `value: 8` + `quantity: {unit: ...}`: one statement, the ministry's claim, two sources
    (sources, corroboration), = facts_of(kg, "norport-casualties", "killed").values()
    assert (sources, corroboration) == (("daily", "wire"), 2)
    rows = kg.query("SELECT DISTINCT ?who ?unit WHERE { ?st rdf:subject ts:norport-casualties ; "
                    "rdf:predicate kg:killed ; kg:claimedBy ?who ; kg:quantityUnit ?unit }")
    assert [tuple(map(str, r)) for r in rows] == [("https://kgbuilder.example/two-sources/interior-ministry",
                                                   "police officers")]


def test_quantity_forms_agree(copy):
    # 8, {value: 8} and {value: 8, bound: exact} and value + quantity: all one figure
    add_file(copy, "more.yaml", """
        source: daily
        facts:
          - {subject: norport-casualties, predicate: killed, value: {value: 8, bound: exact, unit: police officers}, claimed_by: interior-ministry, quote: eight police officers were killed}
          - {subject: norport-casualties, predicate: killed, value: 8, quantity: {value: 8, unit: police officers}, claimed_by: interior-ministry, quote: eight police officers were killed}
        """)
    ds = load_dataset(copy)
    killed = [f for f in ds.facts if f.predicate == "killed"]
    assert len(killed) == 4 and len({statement_id(f) for f in killed}) == 1


# ---------------------------------------------------------------- restating

def test_restated_event_from_its_own_file(kg):
    # the Wire's file restates the Daily's event: no duplicate id, its roles join the Daily's
    (sources, _), = facts_of(kg, "norport-clashes", "place").values()
    assert sources == ("daily", "wire")
    (sources, _), = facts_of(kg, "norport-clashes", "date").values()
    assert sources == ("daily", "wire")
    # roles it does not restate keep only the Daily
    (sources, _), = facts_of(kg, "norport-clashes", "agent").values()
    assert sources == ("daily",)
    # the restatement added the Wire's spelling as an alias
    labels = {str(r[0]) for r in kg.query("SELECT ?a WHERE { ts:anna-vale skos:altLabel ?a }")}
    assert labels == {"Anna Wale"}
    assert (FIXTURE / "daily.yaml").read_text().count("Wale") == 0


def test_restatement_problems(copy):
    add_file(copy, "bad.yaml", """
        source: wier
        events:
          - restates: anna-vale
            agent: protesters
            quote: x
          - restates: norport-clashes
            quote: clashes
          - restates: norport-clashez
            place: norport
            quote: y
          - restates: norport-clashes
            type: Clash
            place: norport
            quote: y
        entities:
          - restates: estmark
            labels: {en: Estmarkia}
        """)
    assert problems(copy) == [
        "DS/bad.yaml:1: unknown source 'wier' (did you mean 'wire'?)",
        "DS/bad.yaml:3: 'anna-vale' is a Person, not an event: restate it under 'entities' (aliases, labels) "
        "and write its facts under 'facts'",
        "DS/bad.yaml:6: the restatement of 'norport-clashes' has no roles: add the roles this source reports "
        "(agent, target, place, date, killed, ...)",
        "DS/bad.yaml:8: unknown entity 'norport-clashez' in 'restates' (did you mean 'norport-clashes'?)",
        "DS/bad.yaml:12: unknown key 'type' in event restatement",
        "DS/bad.yaml:17: 'estmark' already has the en label 'Estmark' (DS/entities.yaml:3): add 'Estmarkia' as an alias",
    ]


def test_declaring_the_event_again_says_how_to_restate_it(copy):
    add_file(copy, "wire-again.yaml", """
        events:
          - {id: norport-clashes, type: Clash, label: Clashes, place: norport, source: wire, quote: clashes}
        """)
    assert problems(copy) == ["DS/wire-again.yaml:2: duplicate id 'norport-clashes' (first defined at DS/daily.yaml:4); "
                              "to add what another source says, write 'restates: norport-clashes'"]


def test_quantity_problems(copy):
    add_file(copy, "bad.yaml", """
        source: wire
        facts:
          - {subject: anna-vale, predicate: age, value: 65, quantity: {value: 64}, quote: 'Wale, 64,'}
          - {subject: norport, predicate: characterizedAs, value: {value: 3}, quote: x}
          - {subject: norport, predicate: characterizedAs, value: second city, quantity: {unit: city}, quote: x}
        """)
    assert problems(copy) == [
        "DS/bad.yaml:3: the quantity's value 64 is not the fact's value 65: give the figure once, in 'value'",
        "DS/bad.yaml:4: 'characterizedAs' takes text, not a quantity: write the value itself",
        "DS/bad.yaml:5: 'quantity' needs a 'value': 'characterizedAs' takes text",
    ]


@pytest.mark.parametrize("relays, message", [
    ("radio", "source 'radio' relays itself: name the source or origin it passes on"),
    ("daily", None),
])
def test_relay_problems(copy, relays, message):
    text = (copy / "dataset.yaml").read_text().replace("relays: wire", f"relays: {relays}")
    if relays == "daily":
        # daily -> radio -> daily: a circle
        text = text.replace("    language: en\n  - id: wire", "    language: en\n    relays: radio\n  - id: wire")
        message = "source 'daily': its 'relays' go round in a circle"
    (copy / "dataset.yaml").write_text(text)
    assert any(p.endswith(message) for p in problems(copy)), problems(copy)


# ---------------------------------------------------------------- corroboration

def test_named_origin_counts_once(copy):
    text = (copy / "dataset.yaml").read_text()
    text = text.replace("relays: wire", "relays: Interior Ministry")
    text = text.replace("    language: en\n  - id: wire", "    language: en\n    relays: interior ministry\n  - id: wire")
    (copy / "dataset.yaml").write_text(text)
    kg = kgbuilder.build(copy)
    # daily and radio relay one named origin (case does not matter): holdsPost has 2 origins
    (sources, corroboration), = facts_of(kg, "anna-vale", "holdsPost").values()
    assert (sources, corroboration) == (("daily", "radio", "wire"), 2)
    origins = {str(r[0]) for r in kg.query("SELECT DISTINCT ?o WHERE { ?s kg:origin ?o }")}
    assert origins == {"https://kgbuilder.example/two-sources/origin/interior-ministry"}


def test_corroboration_sparql_in_the_docs_runs(kg):
    block = re.search(r"## Corroboration.*?```sparql\n(.*?)```", RDF_MODEL.read_text(encoding="utf-8"), re.S).group(1)
    rows = [(kg.local(r[0]), kg.local(r[1]), str(r[2]), int(r[3])) for r in kg.query(block)]
    assert rows[:5] == [
        ("anna-vale", "https://w3id.org/kgbuilder/ns#age", "64", 2),
        ("anna-vale", "https://w3id.org/kgbuilder/ns#holdsPost", "https://kgbuilder.example/two-sources/president-of-estmark", 2),
        ("norport-casualties", "https://w3id.org/kgbuilder/ns#killed", "8", 2),
        ("norport-clashes", "https://w3id.org/kgbuilder/ns#date", "2022-01-05", 2),
        ("norport-clashes", "https://w3id.org/kgbuilder/ns#place", "https://kgbuilder.example/two-sources/norport", 2),
    ]
    # agrees with the Python side for every statement
    backing = support(kg)
    every = kg.query(block.replace("LIMIT 10", ""))
    assert len(list(every)) == len(backing) == 11


def test_network_edges_carry_corroboration_and_conflict(kg):
    G = kg.to_networkx()
    edges = {(u, v, d["predicate"]): d for u, v, d in G.edges(data=True)}
    post = edges[("anna-vale", "president-of-estmark", "holdsPost")]
    assert (post["corroboration"], post["conflict"]) == (2, False)
    located = edges[("norport", "estmark", "locatedIn")]
    assert (located["corroboration"], located["conflict"]) == (1, False)   # wire + its relay
    wounded = G.nodes["norport-casualties"]["facts"]["wounded"]
    assert sorted((f["value"], f["conflict"], f["corroboration"]) for f in wounded) == [(317, True, 1), (1000, True, 1)]


def test_csv_export_has_the_columns(kg, tmp_path):
    from kgbuilder.exports import export

    export(kg, tmp_path / "t", "csv")
    import csv

    with open(tmp_path / "t" / "edges.csv", encoding="utf-8") as fh:
        rows = {(r["source"], r["predicate"]): r for r in csv.DictReader(fh)}
    assert (rows[("anna-vale", "holdsPost")]["corroboration"], rows[("anna-vale", "holdsPost")]["conflict"]) == ("2", "false")


# ---------------------------------------------------------------- conflicts

CONFLICTS = f"""\
norport-casualties wounded (claimed by interior-ministry):
  317 person             [daily]  {SHOWN}/daily.yaml:19
  more than 1000 person  [wire]   {SHOWN}/wire.yaml:14
1 conflict in {SHOWN}
"""


def test_conflicts_command():
    res = run("conflicts", SHOWN)
    assert (res.exit_code, res.stdout) == (1, CONFLICTS)


def test_no_conflicts_exit_0(mini_path):
    res = run("conflicts", mini_path)
    assert (res.exit_code, res.stdout) == (0, f"no conflicts in {mini_path}\n")


def test_validate_warns_but_passes():
    res = run("validate", SHOWN)
    assert res.exit_code == 0
    assert res.stdout == f"{SHOWN}: OK\n"
    assert res.stderr == (f"{SHOWN}/wire.yaml:14: warning: norport-casualties wounded (claimed by interior-ministry): "
                          f"more than 1000 person [wire] conflicts with 317 person [daily] ({SHOWN}/daily.yaml:19)\n")


def test_conflicts_kept_with_the_build_are_the_ones_computed_and_follow_edits(copy, tmp_path, monkeypatch):
    from kgbuilder.builder import agreement

    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    computed = agreement._find_conflicts(kgbuilder.build(copy))
    assert computed
    assert find_conflicts(kgbuilder.open_graph(copy)) == computed          # computed, then kept
    calls = []
    monkeypatch.setattr(agreement, "_find_conflicts", lambda kg, onto=None: calls.append(kg) or [])
    assert find_conflicts(kgbuilder.open_graph(copy)) == computed          # read back, not recomputed
    assert calls == []
    monkeypatch.undo()
    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(tmp_path / "cache"))
    text = (copy / "wire.yaml").read_text().replace("{value: 1000, bound: more-than, unit: person}",
                                                    "{value: 300, bound: more-than, unit: person}")
    (copy / "wire.yaml").write_text(text)
    assert find_conflicts(kgbuilder.open_graph(copy)) == []                 # a new build, new answers


@pytest.mark.parametrize("second, conflict", [
    ("{value: 300, bound: more-than, unit: person}", False),     # 317 is more than 300
    ("{value: 300, bound: at-most, unit: person}", True),
    ("{value: 330, bound: approximately, unit: person}", False),  # within 10%
    ("{value: 400, bound: approximately, unit: person}", True),
    ("{value: 1000, unit: people hospitalised}", False),          # another unit counts something else
    ("317", False),
])
def test_which_figures_conflict(copy, second, conflict):
    text = (copy / "wire.yaml").read_text().replace("{value: 1000, bound: more-than, unit: person}", second)
    (copy / "wire.yaml").write_text(text)
    assert bool(find_conflicts(kgbuilder.build(copy))) is conflict


def test_dates_conflict_unless_one_contains_the_other(copy):
    text = (copy / "wire.yaml").read_text()
    (copy / "wire.yaml").write_text(text.replace("    date: 2022-01-05\n", "    date: 2022-01\n"))
    # only the figure conflicts: 2022-01 contains 2022-01-05
    assert [c.predicate for c in find_conflicts(kgbuilder.build(copy))] == ["wounded"]
    (copy / "wire.yaml").write_text(text.replace("    date: 2022-01-05\n", "    date: 2022-01-04\n"))
    found = {c.title: [s.value for s in c.sides] for c in find_conflicts(kgbuilder.build(copy))}
    assert found["norport-clashes date"] == ["2022-01-05", "2022-01-04"]


def test_another_claimant_is_not_a_conflict(copy):
    # the same figure claimed by someone else is another account, not a contradiction
    text = (copy / "wire.yaml").read_text().replace(
        "  - restates: norport-casualties  # still the Interior Ministry's claim\n",
        "  - restates: norport-casualties\n    claimed_by: protesters\n")
    (copy / "wire.yaml").write_text(text)
    assert find_conflicts(kgbuilder.build(copy)) == []


# ---------------------------------------------------------------- stats and show

def test_stats_json_has_agreement():
    res = run("stats", SHOWN, "--json")
    data = json.loads(res.stdout)
    assert (data["statements"], data["corroborated"], data["single_source"], data["conflicts"]) == (11, 5, 6, 1)
    assert data["corroborated_by_source"] == {"daily": 5, "radio": 1, "wire": 5}
    assert data["conflicting_by_source"] == {"daily": 1, "radio": 0, "wire": 1}


def test_kazakhstan_keeps_its_statements():
    kz = kgbuilder.build(Path(__file__).parent.parent / "datasets" / "kazakhstan-2022")
    st = kz.stats()
    assert (st.triples, st.statements, st.evidence, st.corroborated, st.conflicts) == (5645, 357, 390, 0, 0)


# ---------------------------------------------------------------- check-quotes

def test_check_quotes_every_source_in_one_call():
    res = run("check-quotes", SHOWN, "--texts", f"{SHOWN}/texts", "--strict")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "all 12 quotes found verbatim\n", "")


def test_check_quotes_names_sources_without_text(copy):
    (copy / "texts" / "radio-2022-01-06.txt").unlink()
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert (res.exit_code, res.stdout) == (0, "all 10 quotes found verbatim\n")
    assert res.stderr == "2 quotes from radio not checked: no text given\n"
    res = run("check-quotes", copy, "--texts", copy / "texts", "--strict")
    assert res.exit_code == 1
    assert res.stderr == "2 quotes from radio not checked: no text given\n1 source without a text (--strict)\n"
    # an explicit --text fills the gap
    res = run("check-quotes", copy, "--texts", copy / "texts", "--text", f"radio={FIXTURE / 'texts' / 'radio-2022-01-06.txt'}",
              "--strict")
    assert (res.exit_code, res.stdout) == (0, "all 12 quotes found verbatim\n")


def test_check_quotes_texts_folder_problems(copy, tmp_path):
    res = run("check-quotes", copy, "--texts", tmp_path / "nowhere")
    assert (res.exit_code, res.stderr) == (1, f"Error: {tmp_path / 'nowhere'}: no such folder of source texts\n")
    (copy / "texts" / "wire-copy.txt").write_text("x")
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert (res.exit_code, res.stderr) == (
        1, f"Error: {copy / 'texts'}: 2 texts for source 'wire' (wire-2022-01-06.txt, wire-copy.txt): keep one\n")
    # a changed text: the quote is reported with its FILE:LINE
    (copy / "texts" / "wire-copy.txt").unlink()
    wire = copy / "texts" / "wire-2022-01-06.txt"
    wire.write_text(wire.read_text().replace("Wale, 64,", "Wale, 65,"))
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert res.exit_code == 1
    assert res.stderr == f'{copy}/wire.yaml:32: quote not found in wire: "Wale, 64,"\n1 of 12 quotes not found\n'



def test_check_quotes_reads_only_files_of_a_bounded_size(copy, monkeypatch):
    # a FIFO among the texts hung the command; a link to /dev/zero was read until it was killed
    import os

    import kgbuilder.curation.quotes as quotes

    wire = copy / "texts" / "wire-2022-01-06.txt"
    kept = wire.read_bytes()
    wire.unlink()
    os.mkfifo(wire)
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert (res.exit_code, res.stderr) == (1, f"Error: {wire}: not a file\n")
    wire.unlink()
    wire.symlink_to("/dev/zero")
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert (res.exit_code, res.stderr) == (1, f"Error: {wire}: not a file\n")
    wire.unlink()
    wire.write_bytes(kept)
    monkeypatch.setattr(quotes, "MAX_TEXT_BYTES", len(kept) - 1)
    res = run("check-quotes", copy, "--texts", copy / "texts")
    assert (res.exit_code, res.stderr) == (1, f"Error: {wire}: larger than 0 MiB: not an article's text\n")
    monkeypatch.setattr(quotes, "MAX_TEXT_BYTES", len(kept))
    assert run("check-quotes", copy, "--texts", copy / "texts").exit_code == 0


# ---------------------------------------------------------------- the README's example runs

def _readme_examples():
    """Every README console example run on the two-source fixture, with the output it shows."""
    for block in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for cmd in re.split(r"^\$ ", block, flags=re.M)[1:]:
            line, _, expected = cmd.partition("\n")
            if SHOWN in line:
                yield line, expected


def test_readme_shows_the_two_source_example():
    # (tests/test_docs_examples.py runs them and compares their output)
    assert {line.split()[1] for line, _ in _readme_examples()} >= {"validate", "show", "stats", "conflicts",
                                                                   "check-quotes"}


def test_oxigraph_store_and_cache_agree(tmp_path, copy):
    # the per-file pipeline (Oxigraph, build cache) sees the file's source, restatements,
    # corroboration and conflicts exactly as the in-memory build
    mem = kgbuilder.build(copy)
    for _ in range(2):      # the second run reads the cached items
        ox = kgbuilder.open_graph(copy, store="oxigraph")
        assert support(ox) == support(mem)
        assert find_conflicts(ox) == find_conflicts(mem) != []


def test_editor_schemas_accept_the_fixture():
    from jsonschema import Draft202012Validator

    from kgbuilder.curation.yamlload import load_yaml
    from kgbuilder.schemas.input_schema import data_schema, dataset_schema

    assert list(Draft202012Validator(dataset_schema()).iter_errors(load_yaml(FIXTURE / "dataset.yaml"))) == []
    data = Draft202012Validator(data_schema())
    for path in sorted(FIXTURE.glob("*.yaml")):
        if path.name != "dataset.yaml":
            assert list(data.iter_errors(load_yaml(path))) == [], path


def test_validate_no_shacl_still_warns_without_running_shacl(copy, monkeypatch):
    import kgbuilder.builder.shacl_sparql as shacl

    def boom(*args, **kwargs):
        raise AssertionError("SHACL ran under --no-shacl")

    monkeypatch.setattr(shacl, "run_checks", boom)
    res = run("validate", copy, "--no-shacl")
    assert res.exit_code == 0 and "warning: norport-casualties wounded" in res.stderr


def test_conflicts_for_programs():
    res = run("conflicts", SHOWN, "-F", "json")
    assert res.exit_code == 1
    (c,) = json.loads(res.stdout)
    assert (c["subject"], c["predicate"], c["scope"]) == ("norport-casualties", "wounded",
                                                          {"claimed_by": "interior-ministry"})
    assert [(v["value"], v["sources"], v["places"]) for v in c["values"]] == [
        ("317 person", ["daily"], [f"{SHOWN}/daily.yaml:19"]),
        ("more than 1000 person", ["wire"], [f"{SHOWN}/wire.yaml:14"])]
    res = run("conflicts", SHOWN, "-F", "csv")
    assert (res.exit_code, res.stdout.splitlines()[:2]) == (1, [
        "subject,predicate,scope,value,sources,places",
        f"norport-casualties,wounded,claimed_by=interior-ministry,317 person,daily,{SHOWN}/daily.yaml:19"])


def test_show_gives_a_figure_with_its_bound_and_unit():
    res = run("show", SHOWN, "norport-casualties")
    assert res.exit_code == 0
    facts = [line for line in res.stdout.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert "  killed 8 police officers  [2 sources]" in facts
    assert "  wounded more than 1000 person  [conflict]" in facts
    assert "  wounded 317 person  [conflict]" in facts
    table = run("show", SHOWN, "norport-casualties", "-F", "csv").stdout.splitlines()
    assert table[0].startswith("relation,subject,predicate,object,literal,unit,bound,")
    assert any(row.startswith("fact,norport-casualties,wounded,1000,true,person,more-than,") for row in table)
