"""`kgbuilder export` through the CLI: formats from extensions, exact errors, exit codes."""
from __future__ import annotations

import tempfile

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.exports import REGISTRY


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


@pytest.mark.parametrize("fmt,ext", [(s.name, e) for s in REGISTRY.values() for e in s.extensions])
def test_format_comes_from_the_extension(run, mini_path, tmp_path, fmt, ext):
    out = tmp_path / f"g{ext}"
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {out} ({fmt}, ")
    assert out.is_file() and out.stat().st_size > 0


def test_rdf_export_reports_its_triples(run, mini_path, mini_kg, tmp_path):
    out = tmp_path / "g.ttl"
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 0
    assert r.output == f"wrote {out} (turtle, {len(mini_kg.graph)} triples)\n"


def test_a_folder_gets_csv(run, mini_path, mini_kg, tmp_path):
    out = tmp_path / "tables"
    r = run("export", mini_path, "-o", out)
    G = mini_kg.to_networkx()
    assert r.exit_code == 0, r.output
    assert r.output == f"wrote {out} (csv, {G.number_of_nodes()} nodes, {G.number_of_edges()} edges)\n"
    assert sorted(p.name for p in out.iterdir()) == ["edges.csv", "nodes.csv"]
    r = run("export", mini_path, "-o", out, "--type", "Person")        # replaces its own export
    assert r.exit_code == 0 and "(csv, 2 nodes, 1 edge)" in r.output


def test_format_option_overrides_and_accepts_extensions(run, mini_path, tmp_path):
    out = tmp_path / "graph.txt"
    r = run("export", mini_path, "-o", out, "--format", "nt")
    assert r.exit_code == 0 and "(ntriples, " in r.output
    assert out.read_text(encoding="utf-8").rstrip("\n").endswith(" .")


def test_unknown_format(run, mini_path, tmp_path):
    r = run("export", mini_path, "-o", tmp_path / "g.ttl", "--format", "tutle")
    assert r.exit_code == 1
    assert r.output == ("Error: unknown format 'tutle' (did you mean 'turtle'?) (one of: "
                        + ", ".join(REGISTRY) + ")\n")
    assert not (tmp_path / "g.ttl").exists()


def test_unknown_extension(run, mini_path, tmp_path):
    out = tmp_path / "g.docx"
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {out}: cannot tell the format from the extension '.docx'; use --format")


def test_csv_file_name_gets_a_hint(run, mini_path, tmp_path):
    out = tmp_path / "g.csv"
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 1
    assert r.output == f"Error: {out}: CSV exports write nodes.csv and edges.csv: give a folder or a .zip\n"


def test_unknown_focus(run, mini_path, tmp_path):
    r = run("export", mini_path, "-o", tmp_path / "g.ttl", "--focus", "tokaev")
    assert r.exit_code == 1
    assert r.output == "Error: unknown focus entity 'tokaev' (did you mean 'toqaev'?)\n"
    assert list(tmp_path.iterdir()) == []


def test_unknown_type(run, mini_path, tmp_path):
    r = run("export", mini_path, "-o", tmp_path / "g.ttl", "--type", "Persn")
    assert r.exit_code == 1
    assert r.output == "Error: unknown type 'Persn' (did you mean 'Person'?)\n"


def test_bad_date(run, mini_path, tmp_path):
    r = run("export", mini_path, "-o", tmp_path / "g.ttl", "--since", "2022-13-01")
    assert r.exit_code == 1
    assert r.output == "Error: since: '2022-13-01' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)\n"


def test_missing_folder(run, mini_path, tmp_path):
    out = tmp_path / "nowhere" / "g.ttl"
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 1
    assert r.output == f"Error: {out}: folder {out.parent} does not exist\n"


@pytest.mark.parametrize("target,message", [
    ("nowhere/g.ttl", "{out}: folder {parent} does not exist"),
    ("g.csv", "{out}: CSV exports write nodes.csv and edges.csv: give a folder or a .zip"),
    ("g.graphml --direct-only", "--direct-only applies to the RDF formats only, not to graphml"),
])
def test_a_bad_target_is_refused_before_the_graph_is_opened(run, mini_path, tmp_path, monkeypatch, target,
                                                            message):
    """On a first run opening the graph is a build (minutes for a big dataset): a target the
    command line alone rules out is refused first."""
    import kgbuilder.api

    def no_build(*args, **kwargs):
        raise AssertionError("the graph was opened")

    monkeypatch.setattr(kgbuilder.api, "open_graph", no_build)
    name, *flags = target.split()
    out = tmp_path / name
    r = run("export", mini_path, "-o", out, *flags)
    assert (r.exit_code, r.output) == (1, "Error: " + message.format(out=out, parent=out.parent) + "\n")


def test_unwritable_path(run, mini_path, tmp_path, monkeypatch):
    # as root a read-only folder is still writable, so the OS refusal is simulated
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    out = tmp_path / "g.ttl"
    out.write_text("old")
    r = run("export", mini_path, "-o", out)
    assert r.exit_code == 1
    assert r.output == f"Error: {out}: cannot write: Permission denied\n"
    assert out.read_text() == "old"


def test_output_equal_to_input(run, mini_copy):
    r = run("export", mini_copy, "-o", mini_copy)
    assert r.exit_code == 1
    assert r.output == f"Error: {mini_copy}: refusing to overwrite an input folder\n"
    assert (mini_copy / "dataset.yaml").is_file()


def test_flags_for_rdf_only(run, mini_path, tmp_path):
    r = run("export", mini_path, "-o", tmp_path / "g.gexf", "--direct-only")
    assert r.exit_code == 1
    assert r.output == "Error: --direct-only applies to the RDF formats only, not to gexf\n"


def test_help_lists_the_registry(run):
    r = run("export", "--help")
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    for spec in REGISTRY.values():
        assert f"{spec.name} ({', '.join(spec.extensions)}" in text
    for flag in ("--focus", "--depth", "--type", "--since", "--until", "--direct-only", "--with-ontology"):
        assert flag in r.output


def test_build_still_exports_through_the_registry(run, mini_path, mini_kg, tmp_path):
    out = tmp_path / "g.trig"
    r = run("build", mini_path, "-o", out)
    assert r.exit_code == 0, r.output
    assert r.output == f"wrote {out} ({len(mini_kg.graph)} triples)\n"
    assert out.read_text(encoding="utf-8").count(" {") == 3      # meta + two sources
