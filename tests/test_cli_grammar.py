"""One CLI grammar: a short option means one thing, every data command speaks -F, completion is cheap."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main

from conftest import KAZAKHSTAN, ROOT


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


# -- one meaning per short option ------------------------------------------------------

def test_a_short_option_means_the_same_in_every_command():
    meaning: dict[str, set[str]] = {}
    for name in main.list_commands(None):
        cmd = main.get_command(None, name)
        for param in cmd.params:
            if getattr(param, "hidden", False) or not hasattr(param, "opts"):
                continue
            shorts = [o for o in param.opts + param.secondary_opts if o.startswith("-") and not o.startswith("--")]
            longs = sorted(o for o in param.opts if o.startswith("--"))
            for short in shorts:
                meaning.setdefault(short, set()).add(longs[0] if longs else param.name)
    assert meaning == {"-F": {"--format"}, "-o": {"--output"}, "-f": {"--file"}, "-n": {"--name"}}
    # every command that prints data or writes a file takes -F
    for name in ("build", "export", "query", "show", "path", "neighbors", "central", "stats"):
        assert any("-F" in getattr(p, "opts", ()) for p in main.get_command(None, name).params), name


def test_each_command_is_defined_by_the_module_the_table_names():
    # kgbuilder.cli.COMMANDS is how the group finds a command without defining the others: it
    # must name every command its modules define, and each in the module that defines it
    import click

    from kgbuilder.cli import COMMANDS, commands, query
    from kgbuilder.cli.options import dataset_arg, handle_errors

    defined = {}
    for module, register in (("commands", lambda g: commands.register(g)),
                             ("query", lambda g: query.register(g, handle_errors, dataset_arg))):
        group = click.Group("g")
        register(group)
        defined.update(dict.fromkeys(group.commands, module))
    assert defined == COMMANDS
    assert main.list_commands(None) == sorted(defined)
    assert all(main.get_command(None, name).name == name for name in defined)


def test_old_format_spelling_still_works_with_a_note(mini_path, tmp_path):
    out = tmp_path / "m.nt"
    r = run("build", mini_path, "-o", out, "-f", "ntriples")
    assert r.exit_code == 0
    assert r.stderr == "note: -f FORMAT is now -F FORMAT (--format); -f stays for query files\n"
    assert r.stdout == f"wrote {out} (531 triples)\n"
    r = run("export", mini_path, "-o", tmp_path / "m.x", "-f", "turtle", "-F", "turtle")
    assert (r.exit_code, r.stderr) == (1, "Error: give the format once, with -F/--format\n")
    r = run("export", mini_path, "-o", tmp_path / "m.x", "-F", "turtle")
    assert (r.exit_code, r.stdout) == (0, f"wrote {tmp_path / 'm.x'} (turtle, 531 triples)\n")


# -- -F on every command that prints data ----------------------------------------------

def test_json_everywhere(mini_path):
    central = json.loads(run("central", mini_path, "--top", "2", "-F", "json").stdout)
    assert central == [
        {"id": "toqaev", "label": "Qasym-Zhomart Toqaev", "type": "Person", "degree": 5,
         "betweenness": 0.196078, "pagerank": 0.095858},
        {"id": "csto", "label": "Collective Security Treaty Organization", "type": "InternationalOrganization",
         "degree": 4, "betweenness": 0.081699, "pagerank": 0.082637}]
    hood = json.loads(run("neighbors", mini_path, "csto", "-F", "json").stdout)
    assert hood[0] == {"distance": 0, "id": "csto", "type": "InternationalOrganization",
                       "label": "Collective Security Treaty Organization"}
    assert [m["id"] for m in hood] == ["csto", "appeal-to-csto", "armenia", "csto-peacekeepers", "kazakhstan"]
    show = json.loads(run("show", mini_path, "Tokayev", "-F", "json").stdout)
    assert (show["id"], show["type"], show["labels"]["ru"]) == ("toqaev", "Person", "Касым-Жомарт Токаев")
    post = next(f for f in show["facts_out"] if f["predicate"] == "holdsPost")
    assert post["evidence"] == [{"source": "paper", "quote": "Toqaev, the president"},
                                {"source": "wire", "quote": "President Qasym-Zhomart Toqaev"}]
    assert post["corroboration"] == 2 and post["conflict"] is False
    path = json.loads(run("path", mini_path, "nazarbayev", "security-council", "-F", "json").stdout)
    assert path["paths"][0]["nodes"] == ["nazarbayev", "head-of-security-council", "security-council"]
    assert path["paths"][0]["steps"][0]["facts"][0]["start"] == "2019"
    none = json.loads(run("path", mini_path, "armenia", "nazarbayev", "--max-length", "1", "-F", "json").stdout)
    assert none["paths"] == []
    stats = run("stats", mini_path, "-F", "json")
    assert stats.stdout == run("stats", mini_path, "--json").stdout      # --json stays, an alias
    assert json.loads(stats.stdout)["statements"] == 28
    q = run("query", mini_path, "SELECT ?s WHERE { ?s kg:memberOf mi:csto } ORDER BY ?s", "-F", "json")
    assert [b["s"]["value"] for b in json.loads(q.stdout)["results"]["bindings"]] == [
        "https://kgbuilder.example/mini/armenia", "https://kgbuilder.example/mini/kazakhstan"]


def _csv(result):
    text = result.stdout_bytes.decode("utf-8")     # .stdout turns CRLF into LF
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_tables_go_csv_into_a_pipe_and_table_on_a_terminal(mini_path, monkeypatch):
    # CliRunner's stdout is no terminal: a program is reading
    rows = _csv(run("central", mini_path, "--top", "3"))
    assert [(r["id"], r["degree"]) for r in rows] == [("toqaev", "5"), ("csto", "4"), ("nazarbayev", "3")]
    rows = _csv(run("neighbors", mini_path, "csto"))
    assert rows[1] == {"distance": "1", "id": "appeal-to-csto", "type": "AppealForPeacekeeping",
                       "label": "Toqaev appeals to the CSTO for help"}
    tsv = run("neighbors", mini_path, "csto", "-F", "tsv").stdout.splitlines()
    assert tsv[:2] == ["distance\tid\ttype\tlabel",
                       "0\tcsto\tInternationalOrganization\tCollective Security Treaty Organization"]
    import kgbuilder.cli.output as out

    monkeypatch.setattr(out, "on_terminal", lambda: True)
    assert run("central", mini_path, "--top", "1").stdout.splitlines()[:3] == [
        "id      type    degree  betweenness  pagerank",
        "------  ------  ------  -----------  --------",
        "toqaev  Person       5       0.1961    0.0959"]
    assert run("neighbors", mini_path, "armenia").stdout.splitlines()[0].split() == ["distance", "id", "type", "label"]
    # reports print text either way
    monkeypatch.setattr(out, "on_terminal", lambda: False)
    assert run("show", mini_path, "armenia").stdout.startswith("armenia: Armenia (State)\n")
    assert run("stats", mini_path).stdout.startswith(f"{mini_path}: 531 triples")


def test_reports_as_rows(mini_path):
    rows = _csv(run("show", mini_path, "police-killed", "-F", "csv"))
    killed = next(r for r in rows if r["predicate"] == "killed")
    assert (killed["relation"], killed["object"], killed["literal"], killed["claimed_by"], killed["sources"]) == \
        ("fact", "8", "true", "interior-ministry", "wire")
    rows = _csv(run("path", mini_path, "toqaev", "csto", "-F", "csv"))
    assert [(r["path"], r["step"], r["predicate"], r["sources"]) for r in rows] == [
        ("1", "1", "agent", "paper | wire"), ("1", "2", "target", "paper | wire")]
    rows = _csv(run("stats", mini_path, "-F", "csv", "--top", "1"))
    assert {"section": "statements by source", "name": "wire", "count": "28"} in rows
    assert {"section": "total", "name": "statements", "count": "28"} in rows


@pytest.mark.parametrize("args, message", [
    (("central", "{m}", "-F", "jsn"), "Error: unknown format 'jsn' (did you mean 'json'?) (one of: table, json, csv, tsv)\n"),
    (("show", "{m}", "toqaev", "-F", "table"),
     "Error: unknown format 'table' (one of: text, json, csv, tsv)\n"),
    (("neighbors", "{m}", "csto", "-F", "graphml"),
     "Error: unknown format 'graphml' (one of: table, json, csv, tsv)\n"),
    (("stats", "{m}", "--json", "-F", "csv"), "Error: --json and -F csv disagree: give one\n"),
])
def test_bad_formats_are_one_line_and_exit_1(mini_path, args, message):
    r = run(*(a.format(m=mini_path) for a in args))
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", message)


def test_neighbors_format_is_the_export_format_with_output(mini_path, tmp_path):
    out = tmp_path / "csto.xml"
    r = run("neighbors", mini_path, "csto", "-o", out, "-F", "graphml")
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<?xml")
    assert "<graphml" in out.read_text(encoding="utf-8")


# -- shell completion ------------------------------------------------------------------

def complete(words: str) -> list[str]:
    parts = words.split(" ")
    r = CliRunner().invoke(main, [], prog_name="kgbuilder", catch_exceptions=False, env={
        "_KGBUILDER_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)})
    assert r.exit_code == 0, r.output
    return [line.split(",", 1)[1] for line in r.stdout.splitlines() if line]


def test_completion(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert complete("kgbuilder show datas") == ["datasets/kazakhstan-2022"]
    assert complete("kgbuilder validate tests/fixtures/m") == ["tests/fixtures/mini"]
    assert complete("kgbuilder show datasets/kazakhstan-2022 toqaev-") == [
        "toqaev-appeal-to-csto", "toqaev-second-televised-speech"]
    assert complete("kgbuilder path tests/fixtures/mini toqaev arm") == ["armenia"]
    assert complete("kgbuilder export tests/fixtures/mini -o x --focus naz") == ["nazarbayev", "nazarbayev-removed"]
    assert complete("kgbuilder query datasets/kazakhstan-2022 --name 01") == ["01-csto-members"]
    assert complete("kgbuilder query datasets/kazakhstan-2022 -n csto-m") == ["csto-members"]
    assert complete("kgbuilder export tests/fixtures/mini -o x -F g") == ["graphml", "gexf"]
    assert complete("kgbuilder central tests/fixtures/mini -F ") == ["table", "json", "csv", "tsv"]
    assert complete("kgbuilder show tests/fixtures/mini toqaev -F ") == ["text", "json", "csv", "tsv"]
    assert complete("kgbuilder neighbors tests/fixtures/mini csto -F t") == ["table", "tsv"]
    assert complete("kgbuilder neighbors tests/fixtures/mini csto -o x -F t") == ["turtle", "trig"]
    assert "srj" not in complete("kgbuilder query tests/fixtures/mini -F ")
    assert complete("kgbuilder query tests/fixtures/mini -F x")[:1] == ["xml"]
    # no dataset yet, or not a dataset: nothing to offer for ids
    assert complete("kgbuilder show nowhere toq") == []


def test_entity_ids_are_every_entity_and_event(mini_kg):
    from kgbuilder.cli.complete import entity_ids

    from conftest import MINI

    assert entity_ids(MINI) == sorted(mini_kg.to_networkx().nodes)
    assert len(entity_ids(KAZAKHSTAN)) == 143


def test_completion_builds_nothing_and_imports_nothing_heavy(tmp_path):
    code = ("import os, sys\n"
            "os.environ.update(_KGBUILDER_COMPLETE='bash_complete', COMP_WORDS='kgbuilder show "
            + str(KAZAKHSTAN) + " toq', COMP_CWORD='3', KGBUILDER_CACHE_DIR=" + repr(str(tmp_path / "cache")) + ")\n"
            "from kgbuilder.cli import main\n"
            "try:\n    main(prog_name='kgbuilder')\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'pyvis', 'pyoxigraph', 'jsonschema', 'yaml')"
            " if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.strip().splitlines()
    assert lines[-1] == "HEAVY []"
    assert "plain,toqaev" in lines
    assert not (tmp_path / "cache").exists()
