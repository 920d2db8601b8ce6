"""Strict YAML loading: line numbers, no retyping, no anchors, aliases or tags."""
from __future__ import annotations

import pytest

from kgbuilder.errors import DatasetError
from kgbuilder.curation.yamlload import LDict, line_of, load_yaml, load_yaml_text


def error_of(text: str) -> str:
    with pytest.raises(DatasetError) as exc:
        load_yaml_text(text, "f.yaml")
    assert len(exc.value.diagnostics) == 1
    return str(exc.value.diagnostics[0])


def test_plain_scalars_are_not_retyped():
    doc = load_yaml_text("a: NO\nb: on\nc: 012345\nd: 1.10\ne: 2022-01-05\nf: yes\ng: 0x1F\nh: 1e3\n", "f.yaml")
    assert doc == {"a": "NO", "b": "on", "c": "012345", "d": "1.10", "e": "2022-01-05",
                   "f": "yes", "g": "0x1F", "h": "1e3"}


def test_integers_booleans_and_null():
    doc = load_yaml_text("a: 8\nb: -3\nc: true\nd: false\ne: null\nf: ~\ng:\nh: '8'\n", "f.yaml")
    assert doc == {"a": 8, "b": -3, "c": True, "d": False, "e": None, "f": None, "g": None, "h": "8"}
    assert isinstance(doc["h"], str)


def test_lines_are_remembered():
    doc = load_yaml_text("top: 1\nitems:\n  - a\n  - {x: 1,\n     y: 2}\n", "f.yaml")
    assert isinstance(doc, LDict)
    assert line_of(doc, "items") == 2
    assert line_of(doc["items"], 1) == 4
    assert line_of(doc["items"][1], "y") == 5


@pytest.mark.parametrize("text, message", [
    ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: duplicate key 'a' (first on line 1)"),
    ("a: &x 1\nb: *x\n", "f.yaml:1:4: anchors are not allowed (&x)"),
    ("a: !!str 1\n", "f.yaml:1:4: tags are not allowed (!!str)"),
    ("a: !custom 1\n", "f.yaml:1:4: tags are not allowed (!custom)"),
    ("a: !!python/object:os.system {}\n", "f.yaml:1:4: tags are not allowed (!!python/object:os.system)"),
    ("<<: {a: 1}\n", "f.yaml:1:1: merge keys (<<) are not allowed"),
    ("a: [1, 2\n", "f.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ("a: 1\n  b: 2\n", "f.yaml:2:4: YAML syntax error: mapping values are not allowed in this context"),
    ("? [a, b]\n: 1\n", "f.yaml:1:3: mapping keys must be plain strings"),
])
def test_rejected(text, message):
    assert error_of(text) == message


def test_bom_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml(p) == {"a": 1}


def test_invalid_utf8_names_line_and_column(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(DatasetError) as exc:
        load_yaml(p, "bad.yaml")
    assert str(exc.value) == "bad.yaml:2:7: not valid UTF-8 (byte 0xe9)"


def test_size_cap(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(DatasetError) as exc:
        load_yaml(p, "big.yaml", max_bytes=100)
    assert str(exc.value) == "big.yaml: file is 204 bytes, over the 100-byte limit: split it in several files"
