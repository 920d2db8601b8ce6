"""The loader: every bad input gets one FILE:LINE message, and every problem is reported."""
from __future__ import annotations

import textwrap

import pytest

import kgbuilder
from kgbuilder.errors import DatasetError
from kgbuilder.curation.load import load_dataset, parse_date


def problems(root, shacl=False) -> list[str]:
    """Diagnostics with the dataset folder shown as DS, so messages compare exactly."""
    return [str(d).replace(str(root), "DS") for d in kgbuilder.validate(root, shacl=shacl)]


def add_file(root, text: str, name: str = "facts/extra.yaml"):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_mini_is_clean(mini_path):
    assert kgbuilder.validate(mini_path) == []


def test_loaded_model(mini_path):
    ds = load_dataset(mini_path)
    assert ds.id == "mini" and ds.prefix == "mi" and ds.base == "https://kgbuilder.example/mini/"
    assert set(ds.sources) == {"wire", "paper"}
    toq = ds.entities["toqaev"]
    assert toq.labels == {"kk": "Қасым-Жомарт Тоқаев", "ru": "Касым-Жомарт Токаев"}
    assert ("Tokayev", "en") in toq.aliases
    removed = [f for f in ds.facts if f.subject == "nazarbayev-removed"]
    assert {f.predicate for f in removed} == {"agent", "target", "resultPost", "date"}
    holds = next(f for f in ds.facts if f.subject == "nazarbayev" and f.predicate == "holdsPost")
    assert holds.qualifiers["start"].precision == "year"
    assert holds.qualifiers["end"].text == "2022-01-05"


@pytest.mark.parametrize("text, expected", [
    ("""
     facts:
       - subject: tokaev
         predicate: holdsPost
         object: president-of-kazakhstan
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:2: unknown entity 'tokaev' in 'subject' (did you mean 'toqaev'?)"]),
    ("""
     facts:
       - subject: toqaev
         predicate: holdPost
         object: president-of-kazakhstan
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:3: unknown predicate 'holdPost' (did you mean 'holdsPost'?)"]),
    ("""
     facts:
       - subject: toqaev
         predicate: holdsPost
         object: almaty
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:3: 'almaty' is a City, but the object of 'holdsPost' needs a Post"]),
    ("""
     facts:
       - subject: kazakhstan
         predicate: holdsPost
         object: president-of-kazakhstan
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:3: 'holdsPost' needs a subject of type Person, but 'kazakhstan' is a State"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         start: 2022-13-01
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:5: bad date '2022-13-01' in 'start': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         start: 2022-02-30
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:5: bad date '2022-02-30' in 'start': not a calendar date"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         start: 05.01.2022
         quote: President Qasym-Zhomart Toqaev
     """, ["DS/facts/extra.yaml:5: bad date '05.01.2022' in 'start': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
     """, ["DS/facts/extra.yaml:2: no source: add 'sources' (each with 'source' and 'quote') or 'source' + 'quote'"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         source: wire
     """, ["DS/facts/extra.yaml:5: source without a quote: add 'quote' with the supporting text"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         sources:
           - {source: wyre, quote: President}
     """, ["DS/facts/extra.yaml:6: unknown source 'wyre' (did you mean 'wire'?)"]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         qoute: President
     """, ["DS/facts/extra.yaml:5: unknown key 'qoute' in fact (did you mean 'quote'?)"]),
    ("""
     entities:
       - {id: toqaev, type: Person, label: Another Toqaev}
     """, ["DS/facts/extra.yaml:2: duplicate id 'toqaev' (first defined at DS/facts/entities.yaml:2); "
         "to add what another source says, write 'restates: toqaev'"]),
    ("""
     entities:
       - {id: Bad Id, type: Person, label: X}
     """, ["DS/facts/extra.yaml:2: bad id 'Bad Id' in 'id': use lower-case letters, digits and hyphens"]),
    ("""
     entities:
       - {id: someone, type: Persn, label: X}
     """, ["DS/facts/extra.yaml:2: unknown type 'Persn' (did you mean 'Person'?)"]),
    ("""
     entities:
       - {id: someone, type: Person}
     """, ["DS/facts/extra.yaml:2: missing required key 'label' in entity"]),
    ("""
     entities:
       - {id: someone, type: Person, label: 1984}
     """, ["DS/facts/extra.yaml:2: 'label' must be a string, not integer (quote it)"]),
    ("""
     facts:
       - subject: nazarbayev
         predicate: age
         value: eighty
         quote: Nazarbayev had held the post
     """, ["DS/facts/extra.yaml:3: 'age' needs an integer, not 'eighty'"]),
    ("""
     facts:
       - toqaev headOf security-council
     """, ["DS/facts/extra.yaml:2: one-line fact must read 'SUBJECT PREDICATE OBJECT | QUOTE' (or '... | @SOURCE QUOTE')"]),
    ("""
     facts:
       - toqaev headOf security-council | @nowhere President
     """, ["DS/facts/extra.yaml:2: unknown source 'nowhere'"]),
    ("""
     things:
       - a
     """, ["DS/facts/extra.yaml:1: unknown key 'things' (expected 'entities', 'events' or 'facts')"]),
    ("""
     events:
       - id: an-event
         type: Protest
         label: A protest
         agent: protesters
         place: toqaev
         quote: Protesters stormed
     """, ["DS/facts/extra.yaml:6: 'toqaev' is a Person, but the object of 'place' needs a Place"]),
    ("""
     events:
       - id: an-event
         type: Protest
         label: A protest
         quote: Protesters stormed
     """, ["DS/facts/extra.yaml:2: event 'an-event' has no roles: add at least one of agent, target, place, date, ..."]),
    ("""
     facts:
       - subject: toqaev
         predicate: headOf
         object: security-council
         start: 2022-01-06
         end: 2022-01-05
         quote: President
     """, ["DS/facts/extra.yaml:6: end 2022-01-05 is before start 2022-01-06"]),
])
def test_bad_input(mini_copy, text, expected):
    add_file(mini_copy, text)
    assert problems(mini_copy) == expected


def test_ambiguous_alias_lists_candidates(mini_copy):
    add_file(mini_copy, """
        entities:
          - {id: toqaev-junior, type: Person, label: Toqaev Junior, aliases: [Tokayev]}
        facts:
          - Tokayev headOf security-council | President
        """)
    assert problems(mini_copy) == [
        "DS/facts/extra.yaml:4: ambiguous name 'Tokayev': it could be 'toqaev', 'toqaev-junior'; use the id"]


def test_references_resolve_by_alias_case_and_diacritics(mini_copy):
    add_file(mini_copy, """
        facts:
          - subject: TOKAYEV
            predicate: headOf
            object: security council of kazakhstan
            quote: President
          - subject: Касым-Жомарт Токаев
            predicate: memberOf
            object: csto
            quote: President
          - subject: Qasym Zhomart Tóqaev
            predicate: relativeOf
            object: Nazarbaev
            quote: President
        """)
    assert problems(mini_copy) == []
    ds = load_dataset(mini_copy)
    extra = [f for f in ds.facts if f.file.endswith("extra.yaml")]
    assert [(f.subject, f.predicate, f.object) for f in extra] == [
        ("toqaev", "headOf", "security-council"), ("toqaev", "memberOf", "csto"),
        ("toqaev", "relativeOf", "nazarbayev")]


def test_every_problem_is_reported(mini_copy):
    add_file(mini_copy, """
        facts:
          - subject: tokaev
            predicate: holdPost
            object: president-of-kazakhstan
            sources: [{source: wyre, quote: x}]
          - subject: nazarbayev
            predicate: age
            value: old
            quote: y
        """)
    assert problems(mini_copy) == [
        "DS/facts/extra.yaml:2: unknown entity 'tokaev' in 'subject' (did you mean 'toqaev'?)",
        "DS/facts/extra.yaml:3: unknown predicate 'holdPost' (did you mean 'holdsPost'?)",
        "DS/facts/extra.yaml:5: unknown source 'wyre' (did you mean 'wire'?)",
        "DS/facts/extra.yaml:7: 'age' needs an integer, not 'old'",
    ]


def test_yaml_syntax_error_and_others_together(mini_copy):
    add_file(mini_copy, "facts: [\n", "facts/broken.yaml")
    add_file(mini_copy, "entities:\n  - {id: x, type: Nope, label: X}\n", "facts/other.yaml")
    assert problems(mini_copy) == [
        "DS/facts/broken.yaml:2:1: YAML syntax error: did not find expected node content (while parsing a flow node)",
        "DS/facts/other.yaml:2: unknown type 'Nope'",
    ]


def test_dataset_yaml_problems(mini_copy):
    (mini_copy / "dataset.yaml").write_text(
        "id: mini\ntitle: T\nbase: not an iri\nsources:\n  - {id: wire, title: W, date: 2022-1-5}\nowner: me\n",
        encoding="utf-8")
    assert problems(mini_copy)[:3] == [
        "DS/dataset.yaml:3: bad base IRI 'not an iri': it must be an http(s) IRI without spaces ending with / or #",
        "DS/dataset.yaml:5: bad date '2022-1-5' in 'date': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY",
        "DS/dataset.yaml:6: unknown key 'owner' in dataset.yaml",
    ]


def test_missing_folder_and_dataset_yaml(tmp_path):
    assert [str(d) for d in kgbuilder.validate(tmp_path / "nope")] == [f"{tmp_path / 'nope'}: no such dataset folder"]
    assert [str(d) for d in kgbuilder.validate(tmp_path)] == [f"{tmp_path / 'dataset.yaml'}: missing dataset.yaml"]


@pytest.mark.parametrize("make", ["fifo", "folder", "device"])
def test_a_dataset_yaml_that_is_no_file(mini_copy, make):
    # a FIFO named dataset.yaml hung every command (the cache opened it to hash it, waiting for
    # a writer); now none opens it, and each says what it is
    import os
    import subprocess
    import sys

    meta = mini_copy / "dataset.yaml"
    meta.unlink()
    if make == "fifo":
        os.mkfifo(meta)
    elif make == "folder":
        meta.mkdir()
    else:
        meta.symlink_to("/dev/zero")
    expected = f"{meta}: not a file (dataset.yaml must be a file of YAML)"
    assert [str(d) for d in kgbuilder.validate(mini_copy)] == [expected]
    for args in (["validate"], ["query", "ASK {}"], ["stats"], ["show", "x"]):
        out = subprocess.run([sys.executable, "-m", "kgbuilder", args[0], str(mini_copy), *args[1:]],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 1 and out.stdout == ""
        assert out.stderr == (f"{expected}\n1 problem found in {mini_copy}\n" if args == ["validate"]
                              else f"Error: {expected}\n")


def test_load_raises_with_all_diagnostics(mini_copy):
    add_file(mini_copy, "facts:\n  - a b c\n  - d e f\n")
    with pytest.raises(DatasetError) as exc:
        load_dataset(mini_copy)
    assert len(exc.value.diagnostics) == 2


@pytest.mark.parametrize("value, expected", [
    ("2022-01-05", ("2022-01-05", "day")), ("2022-01", ("2022-01", "month")), ("2011", ("2011", "year")),
    (2011, ("2011", "year")), ("2022-02-29", None), ("22-01-05", None), ("2022-1", None), (True, None),
])
def test_parse_date(value, expected):
    d = parse_date(value)
    assert (d and (d.text, d.precision)) == (expected and expected) or (d is None and expected is None)


def test_every_problem_inside_an_event_in_one_run(mini_copy):
    # a bad date or number must not hide a typo in another role of the same event
    add_file(mini_copy, """
        events:
          - id: bad-event
            type: Protest
            label: A protest
            agent: protestrs
            participant: [toqaevv, csto]
            date: 2022-13
            killed: eight
            quote: Protesters stormed
          - id: bad-event-2
            type: Protest
            label: Another protest
            agent: protesters
            participant: toqaevv
            date: 2022-02-30
            quote: Protesters stormed
        """)
    assert problems(mini_copy) == [
        "DS/facts/extra.yaml:5: unknown entity 'protestrs' in 'agent' (did you mean 'protesters'?)",
        "DS/facts/extra.yaml:6: unknown entity 'toqaevv' in 'participant' (did you mean 'toqaev'?)",
        "DS/facts/extra.yaml:7: bad date '2022-13' in 'date': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY",
        "DS/facts/extra.yaml:8: 'killed' needs a number (like 8, or {value: 200, bound: more-than}), not 'eight'",
        "DS/facts/extra.yaml:14: unknown entity 'toqaevv' in 'participant' (did you mean 'toqaev'?)",
        "DS/facts/extra.yaml:15: bad date '2022-02-30' for 'date': not a calendar date",
    ]
