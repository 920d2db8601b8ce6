"""The CLI is a thin layer: every command is a call into the kgbuilder.api function of the same name."""
from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from kgbuilder import api
from kgbuilder.cli import main


@pytest.mark.parametrize("name", main.list_commands(None))
def test_every_command_has_an_api_function_of_the_same_name(name):
    fn = getattr(api, name.replace("-", "_"), None)
    assert callable(fn), f"kgbuilder.api has no function for `kgbuilder {name}`"
    assert name.replace("-", "_") in api.__all__


def _calls(fn) -> tuple[set[str], set[str]]:
    """(api.X attributes called, bare names called) in ``fn``'s source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
    api_calls = {f.attr for f in calls if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                 and f.value.id == "api"}
    return api_calls, {f.id for f in calls if isinstance(f, ast.Name)}


@pytest.mark.parametrize("name", main.list_commands(None))
def test_every_command_calls_that_function(name):
    # the command's callback, or a helper of the CLI's that it calls, and so on (query's body,
    # kgbuilder.cli.query_body.run_query, which the click-free front door runs too, calls
    # _run_query, which calls api.query)
    callback = inspect.unwrap(main.get_command(None, name).callback)
    called, todo, seen = set(), [callback], set()
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        api_calls, helpers = _calls(fn)
        called |= api_calls
        module = inspect.getmodule(fn)
        for helper in helpers:
            found = getattr(module, helper, None)
            if found is None:       # imported inside the function: ask the CLI's modules
                found = next((getattr(m, helper) for m in _cli_modules() if hasattr(m, helper)), None)
            if inspect.isfunction(found) and found.__module__.startswith("kgbuilder.cli"):
                todo.append(found)
    assert name.replace("-", "_") in called, f"`kgbuilder {name}` calls api.{sorted(called)}"


def _cli_modules():
    import importlib
    import pkgutil

    import kgbuilder.cli

    return [importlib.import_module(f"kgbuilder.cli.{m.name}") for m in pkgutil.iter_modules(kgbuilder.cli.__path__)]
