"""Numbers a command or the API cannot keep: ``nan`` passes any range check, and reached the
query worker's timer as a traceback (``ValueError: Invalid value NaN``); ``inf`` as an
``OverflowError``; a negative timeout stopped every query at once."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import kgbuilder
from kgbuilder.cli import main
from kgbuilder.errors import QueryError


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("args, option", [
    (["query", "{ds}", "ASK {}", "--timeout"], "--timeout"),
    (["serve", "{ds}", "--timeout"], "--timeout"),
    (["serve", "{ds}", "--queue-wait"], "--queue-wait"),
    (["serve", "{ds}", "--header-timeout"], "--header-timeout"),
    (["push", "{ds}", "--endpoint", "http://127.0.0.1:9/x", "--timeout"], "--timeout"),
])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "Infinity"])
def test_seconds_are_finite(args, option, value, mini_path):
    res = run(*[a.replace("{ds}", str(mini_path)) for a in args], value)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.endswith(f"Error: Invalid value for '{option}': '{value}' is not a finite number of seconds.\n")


def test_query_timeout_zero_still_lifts_the_limit(mini_path):
    res = run("query", mini_path, "ASK {}", "--timeout", "0", "-F", "csv")
    assert (res.exit_code, res.stdout.split()) == (0, ["_askResult", "true"])


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), -1, True, "5"])
def test_the_api_names_a_timeout_it_cannot_keep(mini_kg, timeout):
    with pytest.raises(QueryError) as caught:
        kgbuilder.query(mini_kg, "ASK {}", timeout=timeout)
    assert str(caught.value) == ("timeout must be a finite number of seconds, 0 or more (0 or None: no limit), "
                                 f"not {timeout!r}")


@pytest.mark.parametrize("limit", [-1, 1.5, "10", False])
def test_the_api_names_a_limit_it_cannot_keep(mini_kg, limit):
    with pytest.raises(QueryError) as caught:
        kgbuilder.query(mini_kg, "SELECT * WHERE { ?s ?p ?o }", limit=limit)
    assert str(caught.value) == f"limit must be a whole number of rows, 0 or more (0 or None: no limit), not {limit!r}"


@pytest.mark.parametrize("timeout, limit", [(0, 0), (None, None), (2, 3), (0.5, None)])
def test_the_api_keeps_what_it_can(mini_kg, timeout, limit):
    res = kgbuilder.query(mini_kg, "SELECT * WHERE { ?s ?p ?o }", timeout=timeout, limit=limit)
    assert len(res) == (limit or len(kgbuilder.query(mini_kg, "SELECT * WHERE { ?s ?p ?o }", limit=None)))
