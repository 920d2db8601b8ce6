"""The editor copies of the JSON Schemas pass the checks editors and CI tools apply.

Editors (the YAML language server) and check-jsonschema compile every
``pattern`` as an ECMAScript regex in Unicode mode, which rejects escapes
Python's ``re`` lets through (``\\"``); a schema that fails is dropped whole.
And the data schema asks for evidence exactly where ``validate`` does.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from kgbuilder.schemas.input_schema import data_schema

SCHEMAS = Path(__file__).parent.parent / "kgbuilder" / "schemas"
FILES = ("dataset.schema.json", "data.schema.json")


def _patterns(node) -> list[str]:
    """Every regex in a schema: ``pattern`` values and ``patternProperties`` keys."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out.append(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out.extend(value)
            out.extend(_patterns(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_patterns(value))
    return out


@pytest.mark.parametrize("name", FILES)
def test_schema_passes_the_metaschema(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)


def test_every_pattern_compiles_as_a_unicode_mode_ecmascript_regex():
    import regress  # the ECMAScript engine check-jsonschema uses

    patterns = sorted({p for name in FILES for p in _patterns(json.loads((SCHEMAS / name).read_text("utf-8")))})
    assert len(patterns) >= 6
    bad = []
    for p in patterns:
        try:
            regress.Regex(p, "u")
        except regress.RegressError as exc:
            bad.append((p, str(exc)))
    assert bad == []
    # the check itself rejects what editors reject
    with pytest.raises(regress.RegressError):
        regress.Regex(r'^[^\s<>\"]+$', "u")
    node = shutil.which("node")
    if node:    # and a real JavaScript engine agrees
        script = ("const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); "
                  "for (const p of ps) { try { new RegExp(p, 'u') } catch (e) { console.log(p) } }")
        r = subprocess.run([node, "-e", script], input=json.dumps([*patterns, r'\"']), capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == [r'\"']


def test_check_jsonschema_accepts_both_schemas():
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--check-metaschema",
                        *(str(SCHEMAS / n) for n in FILES)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok -- validation done" in r.stdout


FACT = {"subject": "toqaev", "predicate": "headOf", "object": "security-council"}
EVENT = {"id": "e", "type": "Dismiss", "label": "E", "agent": "toqaev"}


@pytest.mark.parametrize("extra, ok", [
    ({}, False),                                                  # no evidence at all
    ({"source": "wire"}, False),                                  # a source without its quote
    ({"quote": "q"}, True),                                       # the quote, from default_source
    ({"source": "wire", "quote": "q"}, True),
    ({"sources": [{"source": "wire", "quote": "q"}]}, True),
    ({"sources": [{"source": "wire"}]}, False),
    ({"sources": [{"source": "wire", "quote": "q"}], "quote": "q"}, False),   # both forms
    ({"sources": []}, False),
])
def test_data_schema_asks_for_evidence_where_validate_does(extra, ok):
    schema = Draft202012Validator(data_schema())
    for key, item in (("facts", FACT), ("events", EVENT)):
        errors = list(schema.iter_errors({key: [{**item, **extra}]}))
        assert (errors == []) is ok, (key, extra, [e.message for e in errors])


@pytest.mark.parametrize("body, message", [
    ("    sources:\n      - {source: wire, quote: q}\n    quote: q\n",
     "facts/extra.yaml:7: use either 'sources' or 'source' + 'quote', not both"),
    ("    source: wire\n", "facts/extra.yaml:5: source without a quote: add 'quote' with the supporting text"),
    ("", "facts/extra.yaml:2: no source: add 'sources' (each with 'source' and 'quote') or 'source' + 'quote'"),
])
def test_validate_words_the_schema_rules_itself(mini_copy, monkeypatch, body, message):
    from click.testing import CliRunner

    from kgbuilder.cli import main

    monkeypatch.chdir(mini_copy)
    (mini_copy / "facts" / "extra.yaml").write_text(
        "facts:\n  - subject: toqaev\n    predicate: headOf\n    object: security-council\n" + body, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", "."])
    assert r.exit_code == 1
    assert r.output == f"{message}\n1 problem found in .\n"
