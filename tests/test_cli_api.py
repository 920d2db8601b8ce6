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
    # the command's callback, or a helper of its own module that it calls (query's _run_query)
    callback = inspect.unwrap(main.get_command(None, name).callback)
    called, helpers = _calls(callback)
    module = inspect.getmodule(callback)
    for helper in helpers:
        fn = getattr(module, helper, None)
        if inspect.isfunction(fn) and fn.__module__ == module.__name__:
            called |= _calls(fn)[0]
    assert name.replace("-", "_") in called, f"`kgbuilder {name}` calls api.{sorted(called)}"
