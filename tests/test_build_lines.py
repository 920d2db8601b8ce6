"""The build's fast paths write exactly what the general ones do.

The build sends the engine N-Quads lines made straight from the facts
(``build_quads(terms="nq")``), writes a statement's identity key without the general
JSON encoder, a plain literal without the general literal writer, and reads a CSV row
into its mapping in one update: each is held here to the general path's output, on
the curated datasets, a generated one and hostile strings.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from kgbuilder.builder import identity
from kgbuilder.builder.quads import build_quads
from kgbuilder.curation.bulk import _csv_rows
from kgbuilder.curation.load import load_dataset
from kgbuilder.curation.model import DateValue, Evidence, Fact
from kgbuilder.curation.yamlload import LDict
from kgbuilder.terms import NTLiteral, nquad_lines, nt_literal, nt_string

ROOT = Path(__file__).parent.parent
HOSTILE = ['plain', 'say "no"', "back\\slash", "line\nbreak", "cr\rhere", "tab\there", "\u2028sep",
           "Қазақстан", "émoji 🙂", "\x7fdel", "trailing \\", '"', ""]

# facts from two sources in one `sources` list (a statement in two graphs), a restated
# fact, hostile quotes, a quantity, a tagged literal, qualifiers with dates and places
EXTRA_FACTS = r'''facts:
  - subject: nazarbayev
    predicate: age
    value: 81
    sources:
      - {source: paper, quote: "81-year-old \"elder\" \\ said"}
      - {source: wire, quote: "aged 81\nor so\r"}
  - subject: nazarbayev
    predicate: age
    value: 81
    source: wire
    quote: "Назарбаев, 81"
  - subject: Tokayev
    predicate: characterizedAs
    value: "the \"president\""
    lang: ru
    source: wire
    quote: "the president\u2028again"
  - subject: toqaev
    predicate: memberOf
    object: csto
    date: 2022-01
    claimed_by: interior-ministry
    verification: unverified
    note: "a note with \"quotes\""
    source: wire
    quote: Toqaev is in the CSTO
'''


def _generated(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    out = tmp_path_factory.mktemp("gen") / "data"
    generate(600, out)
    return out


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    import shutil

    mini = tmp_path_factory.mktemp("mini") / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", mini)
    (mini / "facts" / "extra.yaml").write_text(EXTRA_FACTS, encoding="utf-8")
    return [load_dataset(ROOT / "datasets" / "kazakhstan-2022"), load_dataset(mini),
            load_dataset(_generated(tmp_path_factory))]


@pytest.mark.parametrize("closure", [True, False])
def test_nq_lines_are_the_nt_quads_lines(datasets, closure):
    assert [len(ds.facts) > 300 for ds in datasets] == [True, False, True]     # the bulk path is in
    for ds in datasets:
        for part in ("meta", "facts"):
            nt = build_quads(ds, part=part, terms="nt", closure=closure)
            nq = build_quads(ds, part=part, terms="nq", closure=closure)
            assert nq.quads == nquad_lines(nt.quads)          # the same lines in the same order
            assert nq.origins == nt.origins and nq.statements == nt.statements
    # a statement in two graphs, the evidence numbered across calls that share `seen`
    mini = datasets[1]
    assert any(len({ev.source for ev in f.evidence}) > 1 for f in mini.facts)
    half = len(mini.facts) // 2
    seen_nt, seen_nq = {}, {}
    for chunk in (mini.facts[:half], mini.facts[half:]):
        nt = build_quads(mini, part="facts", facts=chunk, seen=seen_nt, terms="nt")
        nq = build_quads(mini, part="facts", facts=chunk, seen=seen_nq, terms="nq")
        assert nq.quads == nquad_lines(nt.quads)


def test_nq_lines_parse_as_the_rdflib_build(datasets):
    """The lines are N-Quads the engine reads as the rdflib build's quads (graphs compared)."""
    import pyoxigraph as ox

    from kgbuilder.terms import from_rdflib

    conv = from_rdflib()
    mini = datasets[1]
    read = set(ox.parse("".join(build_quads(mini, terms="nq").quads).encode(), format=ox.RdfFormat.N_QUADS))
    made = {ox.Quad(conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in build_quads(mini).quads}
    assert read == made


def _facts():
    day, month = DateValue("2022-01-05", "day"), DateValue("2022-01", "month")
    ev = [Evidence("wire", "q")]
    out = []
    for text in HOSTILE:
        out += [
            Fact(subject=text or "s", predicate="memberOf", object=text or "o", evidence=ev),
            Fact(subject="s", predicate="characterizedAs", value=text,
                 datatype="http://www.w3.org/2001/XMLSchema#string", lang="ru", evidence=ev),
            Fact(subject="s", predicate="role", object="o", qualifiers={"role": text, "date": day, "end": month,
                                                                        "place": "almaty", "note": text}),
            Fact(subject="s", predicate="claims", object="o", qualifiers={"claimed_by": text, "start": month}),
        ]
    out += [
        Fact(subject="s", predicate="killed", value=8, datatype="http://www.w3.org/2001/XMLSchema#integer",
             qualifiers={"quantity": {"value": 8, "bound": "exact"}}),
        Fact(subject="s", predicate="killed", value=8, datatype="http://www.w3.org/2001/XMLSchema#integer",
             qualifiers={"quantity": {"unit": "people", "bound": "at least"}}),
        Fact(subject="s", predicate="flag", value=True, datatype="http://www.w3.org/2001/XMLSchema#boolean"),
        Fact(subject="s", predicate="date", value=day, datatype="http://www.w3.org/2001/XMLSchema#date"),
        Fact(subject="s", predicate="role", object="o", qualifiers={"role": 7}),       # not a str: general path
        Fact(subject="s", predicate="role", object="o", qualifiers={"date": None, "role": "r"}),
    ]
    return out


def test_statement_key_is_the_json_encoders_text(datasets):
    facts = _facts() + [f for ds in datasets for f in ds.facts]
    for f in facts:
        assert identity._key_text(f) == identity._KEY_JSON.encode(identity.identity_key(f)), f
    # the ids of the curated dataset's statements do not move
    kz = datasets[0]
    assert all(identity.statement_id(f) == hashlib.sha1(
        identity._KEY_JSON.encode(identity.identity_key(f)).encode()).hexdigest()[:16] for f in kz.facts)


def test_nt_string_is_nt_literal_of_a_str():
    for text in HOSTILE:
        assert nt_string(text) == nt_literal(text)
        assert type(nt_string(text)) is NTLiteral
    assert nt_string('a"b\\c\nd\re') == '"a\\"b\\\\c\\nd\\re"'


def test_csv_row_mapping(tmp_path):
    """Key order, each key's line, the quantity's columns as one mapping (last), a boolean value."""
    path = tmp_path / "f.csv"
    path.write_text("quantity_bound,subject,predicate,value,quantity_unit,source,quote\n"
                    "at least,s, flag ,true,people,wire,q one\n"
                    ",s,other,true,,wire,q two\n"
                    "\n"
                    ",s,flag,yes,,wire,\"multi\nline\"\n", encoding="utf-8")
    preds = {"flag": SimpleNamespace(range="http://www.w3.org/2001/XMLSchema#boolean"),
             "other": SimpleNamespace(range="http://www.w3.org/2001/XMLSchema#string")}
    errors = []
    rows = list(_csv_rows(path, "f.csv", preds, errors.append))
    assert errors == []
    (a, la), (b, lb), (c, lc) = rows
    assert (la, lb, lc) == (2, 3, 5)
    assert list(a.items())[:-1] == [("subject", "s"), ("predicate", "flag"), ("value", True),
                                    ("source", "wire"), ("quote", "q one")]
    q = a["quantity"]
    assert isinstance(a, LDict) and isinstance(q, LDict) and list(a)[-1] == "quantity"
    assert list(q.items()) == [("bound", "at least"), ("unit", "people")]
    assert q.line == 2 and q.key_lines == {"bound": 2, "unit": 2}
    assert a.line == 2 and a.key_lines == dict.fromkeys(["subject", "predicate", "value", "source", "quote",
                                                         "quantity"], 2)
    assert dict(b) == {"subject": "s", "predicate": "other", "value": "true", "source": "wire", "quote": "q two"}
    assert "quantity" not in b and b.key_lines == dict.fromkeys(b, 3)
    assert c["value"] == "yes" and c["quote"] == "multi\nline" and c.key_lines == dict.fromkeys(c, 5)
