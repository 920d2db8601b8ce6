"""Bulk facts in CSV and JSON Lines: the same rules and FILE:LINE messages as YAML."""
from __future__ import annotations

import json
import random

import pytest

import kgbuilder
from kgbuilder.curation.bulk import fast_fact_ok
from kgbuilder.curation.load import _schema_messages, _validators, load_dataset_collect
from kgbuilder.schemas.ontology import load_ontology
from kgbuilder.curation.yamlload import LDict, LList

YAML_FACTS = """facts:
  - subject: toqaev
    predicate: memberOf
    object: csto
    date: 2022-01-05
    claimed_by: interior-ministry
    verification: unverified
    source: wire
    quote: Toqaev is in the CSTO
  - subject: nazarbayev
    predicate: age
    value: 81
    sources:
      - {source: paper, quote: 81-year-old}
      - {source: wire, quote: aged 81}
  - subject: Tokayev
    predicate: characterizedAs
    value: president
    lang: ru
    source: wire
    quote: the president
"""
CSV_FACTS = """subject,predicate,object,value,lang,date,claimed_by,verification,source,quote
toqaev,memberOf,csto,,,2022-01-05,interior-ministry,unverified,wire,Toqaev is in the CSTO
nazarbayev,age,,81,,,,,paper,81-year-old
nazarbayev,age,,81,,,,,wire,aged 81
Tokayev,characterizedAs,,president,ru,,,,wire,the president
"""
JSONL_FACTS = "\n".join(json.dumps(x) for x in [
    {"subject": "toqaev", "predicate": "memberOf", "object": "csto", "date": "2022-01-05",
     "claimed_by": "interior-ministry", "verification": "unverified", "source": "wire",
     "quote": "Toqaev is in the CSTO"},
    {"subject": "nazarbayev", "predicate": "age", "value": 81,
     "sources": [{"source": "paper", "quote": "81-year-old"}, {"source": "wire", "quote": "aged 81"}]},
    {"subject": "Tokayev", "predicate": "characterizedAs", "value": "president", "lang": "ru",
     "source": "wire", "quote": "the president"},
]) + "\n"


def _direct(kg) -> set:
    """The graph without the kg:file literals, which name the file and line."""
    from rdflib import URIRef

    f = URIRef("https://w3id.org/kgbuilder/ns#file")
    return {t for t in kg.store.triples() if t[1] != f}


@pytest.mark.parametrize("name, text", [("extra.csv", CSV_FACTS), ("extra.jsonl", JSONL_FACTS)])
def test_bulk_file_gives_the_same_graph_as_yaml(mini_copy, tmp_path, name, text):
    import shutil

    yaml_copy = tmp_path / "yaml"
    shutil.copytree(mini_copy, yaml_copy)
    (yaml_copy / "facts" / "extra.yaml").write_text(YAML_FACTS, encoding="utf-8")
    (mini_copy / "facts" / name).write_text(text, encoding="utf-8")
    a = kgbuilder.build(yaml_copy, store="memory")
    b = kgbuilder.build(mini_copy, store="memory")
    c = kgbuilder.build(mini_copy, store="oxigraph")
    assert _direct(a) == _direct(b) == _direct(c)
    assert len(b.store) > len(kgbuilder.build(kgbuilder_mini(), store="memory").store)


def kgbuilder_mini():
    from pathlib import Path

    return Path(__file__).parent / "fixtures" / "mini"


def _problems(root):
    _, diags = load_dataset_collect(root)
    return [str(d) for d in diags]


def test_csv_problems_point_at_file_and_line(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy)
    (mini_copy / "facts" / "bad.csv").write_text(
        "subject,predicate,object,value,date,source,quote\n"
        "toqaev,memberOf,csto,,2022-01-05,wire,fine\n"
        "almaty,locatedIn,kazakstan,,,wire,q\n"
        "toqaev,holdsPost,almaty,,,wire,q\n"
        "toqaev,memberOf,csto,,2022-13-01,wire,q\n"
        "toqaev,memberof,csto,,,wire,q\n"
        "toqaev,memberOf,csto,,,wyre,q\n"
        "nazarbayev,age,,old,,wire,q\n"
        "toqaev,memberOf,csto,,,wire\n"
        '"toqaev","memberOf","csto","","","wire","a quote\n'
        'on two lines"\n'
        "toqaev,memberOf,csto,8,,wire,q\n"
        "toqaev,memberOf,csto,,,wire,q,extra\n",
        encoding="utf-8")
    f = "facts/bad.csv"
    assert _problems(".") == [
        f"{f}:3: unknown entity 'kazakstan' in 'object' (did you mean 'kazakhstan'?)",
        f"{f}:4: 'almaty' is a City, but the object of 'holdsPost' needs a Post",
        f"{f}:5: bad date '2022-13-01' in 'date': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY",
        f"{f}:6: unknown predicate 'memberof' (did you mean 'memberOf'?)",
        f"{f}:7: unknown source 'wyre' (did you mean 'wire'?)",
        f"{f}:8: 'age' needs an integer, not 'old'",
        f"{f}:9: source without a quote: add 'quote' with the supporting text",
        f"{f}:12: a fact needs exactly one of 'object' (an entity) or 'value' (a literal)",
        f"{f}:13: row has 8 cells but the header has 7 columns",
    ]


def test_csv_header_problems(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy)
    (mini_copy / "facts" / "bad.csv").write_text("subject,predicat,object,subject\ntoqaev,memberOf,csto,x\n",
                                                 encoding="utf-8")
    assert _problems(".") == [
        "facts/bad.csv:1: duplicate column 'subject'",
        "facts/bad.csv:1: missing required column 'predicate'",
        "facts/bad.csv:1: unknown column 'predicat' (did you mean 'predicate'?)",
    ]


def test_jsonl_problems_point_at_file_and_line(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy)
    good = {"subject": "toqaev", "predicate": "memberOf", "object": "csto", "source": "wire", "quote": "x"}
    lines = [json.dumps(good), "", "{bad json", json.dumps({**good, "extra": 1}), "[1, 2]",
             '{"subject": "toqaev", "subject": "x"}', json.dumps({**good, "date": 2022.5}),
             json.dumps({**good, "sources": [{"source": "wire"}]}), json.dumps({**good, "object": "csta"})]
    (mini_copy / "facts" / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    f = "facts/bad.jsonl"
    assert _problems(".") == [
        f"{f}:3: invalid JSON at column 2: Expecting property name enclosed in double quotes",
        f"{f}:4: unknown key 'extra' in fact",
        f"{f}:5: each line must be a JSON object (one fact)",
        f"{f}:6: duplicate key 'subject'",
        f"{f}:7: bad date '2022.5' in 'date': expected ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY",
        f"{f}:8: missing required key 'quote'",
        f"{f}:8: use either 'sources' or 'source' + 'quote', not both",
        f"{f}:9: unknown entity 'csta' in 'object' (did you mean 'csto'?)",
    ]


def test_yaml_messages_unchanged_by_bulk_support(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy)
    (mini_copy / "facts" / "bad.yaml").write_text(
        "facts:\n  - subject: toqaev\n    predicate: memberOf\n    object: csta\n    source: wire\n    quote: q\n",
        encoding="utf-8")
    # as before bulk input: a reference error points at the fact's predicate line
    assert _problems(".") == ["facts/bad.yaml:3: unknown entity 'csta' in 'object' (did you mean 'csto'?)"]


def _random_item(rng: random.Random, preds: list[str]) -> dict:
    pools = {
        "subject": ["toqaev", "", 5, None], "predicate": preds[:3] + ["nope", 1],
        "object": ["csto", "", 3], "value": ["x", 5, True, 1.5, None, [1], {"value": 8, "bound": "more-than"}, {"bound": "exact"}],
        "lang": ["en", "e", "en-GB", 3], "date": ["2022-01-05", "2022-13", "2022", 2022, 0, 10000, True, "x"],
        "start": ["2019", 2019], "end": ["2022-01"], "date_note": ["n", ""], "place": ["almaty", ""],
        "role": ["r", 1], "claimed_by": ["police", ""], "verification": ["unverified", "maybe"],
        "disputed_by": ["x"], "note": ["n", 2], "source": ["wire", "Wire", 1], "quote": ["q", ""],
        "quantity": [{"value": 5}, {"value": "5.5", "unit": "u", "bound": "exact"}, {"value": "x"},
                     {"unit": "u"}, {"value": 5, "bound": "lots"}, {"value": 1, "extra": 1}, 5],
        "sources": [[{"source": "wire", "quote": "q"}], [], [{"source": "wire"}],
                    [{"source": "wire", "quote": "q", "note": ""}], [{"source": "Bad", "quote": "q"}], "x"],
        "bogus": [1],
    }
    item = {}
    for key, values in pools.items():
        # a fact needs evidence (the schema's EVIDENCE_RULES): quote often, so that many pass
        if rng.random() < {"subject": 0.9, "predicate": 0.9, "quote": 0.8, "sources": 0.15}.get(key, 0.25):
            item[key] = rng.choice(values)
    return item


def _ld(value):
    if isinstance(value, dict):
        out = LDict(1)
        for k, v in value.items():
            out[k] = _ld(v)
            out.key_lines[k] = 1
        return out
    if isinstance(value, list):
        out = LList(1)
        for v in value:
            out.append(_ld(v))
            out.item_lines.append(1)
        return out
    return value


def test_fast_check_never_accepts_what_the_schema_rejects():
    onto = load_ontology()
    validator = _validators(onto)[2]["facts"]
    preds = sorted(onto.predicates)
    rng = random.Random(3)
    accepted = rejected = 0
    for _ in range(8000):
        item = _ld(_random_item(rng, preds))
        fast = fast_fact_ok(item, onto.predicates)
        schema = _schema_messages(validator, item, "f", what="fact")
        if fast:
            assert schema == [], (item, schema)
            accepted += 1
        elif schema:
            rejected += 1
    # both branches are exercised
    assert accepted > 20 and rejected > 1000


@pytest.mark.parametrize("item", [
    {"subject": "toqaev", "predicate": "memberOf", "object": "csto", "source": "wire", "quote": "q"},
    {"subject": "x", "predicate": "age", "value": 81, "date": 2022, "sources": [{"source": "wire", "quote": "q"}]},
    {"subject": "x", "predicate": "killed", "value": "8", "quantity": {"value": "8", "bound": "more-than"}, "quote": "q",
     "claimed_by": "police", "verification": "disputed", "start": "2022-01", "end": "2022-01-05",
     "place": "almaty", "lang": "en", "note": "n", "role": "r", "date_note": "d", "disputed_by": "y"},
])
def test_fast_check_accepts_ordinary_rows(item):
    onto = load_ontology()
    assert fast_fact_ok(_ld(item), onto.predicates)
    assert _schema_messages(_validators(onto)[2]["facts"], _ld(item), "f", what="fact") == []
