"""Documentation stays true: every command documented with an example, schemas in sync."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kgbuilder.cli import main
from kgbuilder.schemas.input_schema import data_schema, dataset_schema

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    m = re.search(rf"^### `kgbuilder {re.escape(name)}`\n(.*?)(?=^### |^## |\Z)", README, re.S | re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("name", main.list_commands(None))
def test_every_command_is_documented_with_an_example(name):
    text = section(name)
    assert text, f"README.md has no '### `kgbuilder {name}`' section"
    assert f"$ kgbuilder {name}" in text, f"the README section for {name} shows no example run"


def test_quick_start_is_two_commands():
    m = re.search(r"## Quick start\n(.*?)\n## ", README, re.S)
    block = re.search(r"```console\n(.*?)```", m.group(1), re.S).group(1)
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]


@pytest.mark.parametrize("name, make", [("dataset.schema.json", dataset_schema), ("data.schema.json", data_schema)])
def test_editor_schemas_are_in_sync(name, make):
    shipped = json.loads((ROOT / "kgbuilder" / "schemas" / name).read_text(encoding="utf-8"))
    assert shipped == make(), f"run `make schema` to regenerate kgbuilder/schemas/{name}"


def test_schemas_accept_the_mini_dataset(mini_path):
    from jsonschema import Draft202012Validator

    from kgbuilder.curation.yamlload import load_yaml

    ds = Draft202012Validator(dataset_schema())
    data = Draft202012Validator(data_schema())
    assert list(ds.iter_errors(load_yaml(mini_path / "dataset.yaml"))) == []
    for path in sorted((mini_path / "facts").glob("*.yaml")):
        assert list(data.iter_errors(load_yaml(path))) == [], path


def test_every_test_docs_hardening_names_exists():
    # the last column of docs/hardening.md names the test of each row (FILE::NAME, or NAME in the
    # file named last, "…" standing for the start of the previous name); a renamed or removed
    # test must not leave the table pointing at nothing
    text = (ROOT / "docs" / "hardening.md").read_text(encoding="utf-8")
    current, checked = None, 0
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| Bad input"):
            continue
        last = line.rstrip().rstrip("|").rsplit("|", 1)[1]
        for ref in re.findall(r"`([^`]+)`", last):
            file, _, name = ref.rpartition("::")
            current = file or current
            source = (ROOT / "tests" / current).read_text(encoding="utf-8")
            names = re.findall(r"^def (test_\w+)\(", source, re.M)
            if name.startswith("…"):
                assert any(n.endswith(name[1:]) for n in names), f"{current}: no test ends with {name[1:]}"
            else:
                assert name in names, f"docs/hardening.md names {current}::{name}, which is not there"
            checked += 1
    assert checked > 60
