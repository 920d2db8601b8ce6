"""The README's Python examples run as doctests (on the mini dataset, from the repository root)."""
from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_examples_run(monkeypatch, mini_path):
    assert mini_path == ROOT / "tests" / "fixtures" / "mini"  # the path the examples use
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, verbose=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10, "the README lost its doctest examples"
    assert result.failed == 0
