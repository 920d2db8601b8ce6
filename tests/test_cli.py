"""The foundation commands through CliRunner: exact exit codes and messages."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kgbuilder import __version__
from kgbuilder.cli import main


def shown(path) -> str:
    """A path as kgbuilder's messages show it: relative to the working directory when inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_version_and_help():
    assert run("--version").output == f"kgbuilder, version {__version__}\n"
    res = run("-h")
    assert res.exit_code == 0 and "Turn hand-curated facts" in res.output


def test_validate_clean(mini_path):
    res = run("validate", mini_path)
    assert (res.exit_code, res.stdout) == (0, f"{mini_path}: OK\n")


def test_validate_lists_every_problem(mini_copy):
    (mini_copy / "facts" / "bad.yaml").write_text(
        "facts:\n  - toqaev headof security-council | President\n  - subject: nobody\n    predicate: headOf\n"
        "    object: csto\n    quote: President\n", encoding="utf-8")
    res = run("validate", mini_copy)
    assert res.exit_code == 1
    bad = mini_copy / "facts" / "bad.yaml"
    assert res.stderr == (
        f"{bad}:2: unknown predicate 'headof' (did you mean 'headOf'?)\n"
        f"{bad}:3: unknown entity 'nobody' in 'subject'\n"
        f"2 problems found in {mini_copy}\n")
    assert res.stdout == ""


def test_validate_missing_folder(tmp_path):
    res = run("validate", tmp_path / "nope")
    assert res.exit_code == 1
    assert res.stderr == f"{tmp_path / 'nope'}: no such dataset folder\n1 problem found in {tmp_path / 'nope'}\n"


def test_build_writes_turtle_that_round_trips(mini_path, mini_kg, tmp_path):
    out = tmp_path / "mini.ttl"
    res = run("build", mini_path, "-o", out)
    assert res.exit_code == 0
    assert res.stdout == f"wrote {out} ({len(mini_kg.graph)} triples)\n"
    assert isomorphic(Graph().parse(out, format="turtle"), mini_kg.graph)


def test_build_format_from_extension_and_option(mini_path, mini_kg, tmp_path):
    out = tmp_path / "mini.nt"
    assert run("build", mini_path, "-o", out).exit_code == 0
    assert isomorphic(Graph().parse(out, format="nt"), mini_kg.graph)
    out2 = tmp_path / "mini.data"
    assert run("build", mini_path, "-o", out2, "--format", "ntriples").exit_code == 0
    assert isomorphic(Graph().parse(out2, format="nt"), mini_kg.graph)


def test_build_unknown_extension(mini_path, tmp_path):
    res = run("build", mini_path, "-o", tmp_path / "mini.xyz")
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {tmp_path / 'mini.xyz'}: cannot tell the format from the extension '.xyz'; use --format")
    assert not (tmp_path / "mini.xyz").exists()


def test_build_invalid_dataset_keeps_old_output(mini_copy, tmp_path):
    out = tmp_path / "old.ttl"
    out.write_bytes(b"previous content")
    (mini_copy / "facts" / "bad.yaml").write_text("facts:\n  - a b c | d\n", encoding="utf-8")
    res = run("build", mini_copy, "-o", out)
    assert res.exit_code == 1
    assert res.stderr == f"Error: {mini_copy / 'facts' / 'bad.yaml'}:2: unknown entity 'a' in 'subject'\n" \
                         f"Error: {mini_copy / 'facts' / 'bad.yaml'}:2: unknown predicate 'b'\n"
    assert out.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["old.ttl", "mini"] or sorted(p.name for p in tmp_path.iterdir()) == ["mini", "old.ttl"]


def test_build_unwritable_folder(mini_path, tmp_path):
    res = run("build", mini_path, "-o", tmp_path / "missing" / "x.ttl")
    assert res.exit_code == 1
    assert res.stderr == f"Error: {tmp_path / 'missing' / 'x.ttl'}: folder {tmp_path / 'missing'} does not exist\n"


def test_build_refuses_to_overwrite_an_input(mini_copy):
    target = mini_copy / "dataset.yaml"
    before = target.read_bytes()
    res = run("build", mini_copy, "-o", target, "--format", "turtle")
    assert res.exit_code == 1
    assert res.stderr == f"Error: {target}: refusing to overwrite an input file of the dataset {mini_copy.resolve()}\n"
    assert target.read_bytes() == before


def test_stats(mini_path):
    res = run("stats", mini_path)
    assert res.exit_code == 0
    first = res.stdout.splitlines()[0]
    assert first.startswith(f"{mini_path}: ") and "28 statements" in first and "19 entities (6 events)" in first
    data = json.loads(run("stats", mini_path, "--json").stdout)
    assert data["statements"] == 28 and data["claims"] == 3
    assert data["claims_by"] == {"interior-ministry": 3}
    assert data["entities"]["Person"] == 2 and data["sources"] == {"wire": 28, "paper": 4}


def test_check_quotes(mini_path, tmp_path):
    wire, paper = mini_path / "source-wire.txt", mini_path / "source-paper.txt"
    res = run("check-quotes", mini_path, "--text", f"wire={wire}", "--text", f"paper={paper}")
    assert (res.exit_code, res.stdout) == (0, "all 17 quotes found verbatim\n")
    altered = tmp_path / "wire.txt"
    # typographic quotes and line breaks are normalised; a changed word is not
    altered.write_text(wire.read_text().replace("stormed", "entered").replace("Qasym-Zhomart Toqaev", "Qasym-Zhomart\n  Toqaev"))
    res = run("check-quotes", mini_path, "--text", f"wire={altered}")
    assert res.exit_code == 1
    events = shown(mini_path / "facts" / "events.yaml")
    # the paper's quotes have no text here: named, never silently skipped
    assert res.stderr == (f"{events}:17: quote not found in wire: \"Protesters stormed the mayor's office in Almaty\"\n"
                          "2 quotes from paper not checked: no text given\n"
                          "1 of 15 quotes not found\n")


def test_check_quotes_bad_arguments(mini_path, tmp_path):
    res = run("check-quotes", mini_path, "--text", "wire")
    assert res.exit_code == 2 and "'wire' is not SOURCE_ID=FILE" in res.stderr
    res = run("check-quotes", mini_path, "--text", f"wyre={tmp_path}/x.txt")
    assert (res.exit_code, res.stderr) == (1, "Error: unknown source 'wyre' (did you mean 'wire'?)\n")
    res = run("check-quotes", mini_path, "--text", f"wire={tmp_path}/x.txt")
    assert (res.exit_code, res.stderr) == (1, f"Error: {tmp_path}/x.txt: cannot read: No such file or directory\n")


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from kgbuilder.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'pyvis', 'pyoxigraph', 'jsonschema') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "HEAVY []"


def test_stats_top(mini_path):
    res = run("stats", mini_path, "--top", "1")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    i = lines.index("claims by actor (3 claims):")
    assert lines[i + 1].split() == ["interior-ministry", "3"]
    j = lines.index("statements by source:             all corroborated conflicting")
    assert lines[j + 1:j + 3] == ["  wire                             28            4           0", "  ... 1 more"]
    assert run("stats", mini_path, "--top", "0").exit_code == 2
