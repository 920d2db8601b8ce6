"""Paths the OS cannot look up (a name longer than it takes, a folder on the way that is not
searchable): pathlib's ``is_dir`` and ``is_file`` raise there, and every command said so with
a traceback. Now each says what it cannot do, in one line, and exits 1; the output check fails
closed when it cannot tell whether a folder is a dataset's."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgbuilder
from kgbuilder.atomic import check_output_path
from kgbuilder.cli import main
from kgbuilder.errors import ExportError
from kgbuilder.safe_paths import dataset_root_of, kind_of

TOO_LONG = os.strerror(errno.ENAMETOOLONG)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def long_name(tmp_path) -> Path:
    """A path whose last part is longer than any file system takes (255 bytes)."""
    return tmp_path / ("x" * 300)


@pytest.mark.parametrize("args", [
    ["build", "{ds}"], ["stats", "{ds}"], ["show", "{ds}", "toqaev"], ["path", "{ds}", "a", "b"],
    ["neighbors", "{ds}", "csto"], ["central", "{ds}"], ["conflicts", "{ds}"], ["check-quotes", "{ds}"],
    ["query", "{ds}", "SELECT * WHERE { ?s ?p ?o }"], ["query", "{ds}", "ASK {}", "--timeout", "0"],
    ["export", "{ds}", "-F", "turtle", "-o", "{out}"], ["serve", "{ds}"],
])
def test_a_dataset_path_too_long_to_look_up(args, long_name, tmp_path):
    res = run(*[a.replace("{ds}", str(long_name)).replace("{out}", str(tmp_path / "g.ttl")) for a in args])
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", f"Error: {long_name}: cannot read: {TOO_LONG}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_validate_and_the_api_name_the_problem(long_name):
    res = run("validate", long_name)
    assert (res.exit_code, res.stderr) == (1, f"{long_name}: cannot read: {TOO_LONG}\n1 problem found in {long_name}\n")
    assert [str(d) for d in kgbuilder.validate(long_name)] == [f"{long_name}: cannot read: {TOO_LONG}"]
    with pytest.raises(kgbuilder.ValidationError, match="cannot read: File name too long"):
        kgbuilder.open_graph(long_name)


@pytest.mark.parametrize("args", [
    ["export", "{ds}", "-F", "turtle", "-o", "{out}"],
    ["export", "{ds}", "-F", "csv", "-o", "{out}"],             # a folder target
    ["build", "{ds}", "-o", "{out}.ttl"],
    ["query", "{ds}", "ASK {}", "-o", "{out}.csv"],
    ["neighbors", "{ds}", "toqaev", "-o", "{out}.graphml"],
])
@pytest.mark.parametrize("where", ["name", "folder"])
def test_an_output_path_too_long_to_look_up(args, where, mini_path, long_name, tmp_path):
    out = long_name if where == "name" else long_name / "g"
    args = [a.replace("{ds}", str(mini_path)).replace("{out}", str(out)) for a in args]
    target = args[args.index("-o") + 1]
    res = run(*args)
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", f"Error: {target}: cannot write there: {TOO_LONG}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_folder_of_source_texts_too_long_to_look_up(mini_path, long_name):
    res = run("check-quotes", mini_path, "--texts", long_name)
    assert (res.exit_code, res.stderr) == (1, f"Error: {long_name}: cannot read: {TOO_LONG}\n")


def test_kind_of_says_what_pathlib_says_and_raises_where_it_raises(tmp_path, long_name):
    (tmp_path / "f").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo")
    assert [kind_of(tmp_path / n) for n in ("f", "loop", "dangling", "fifo", "none", "f/below")] == \
        ["file", None, None, "other", None, None]
    assert (kind_of(tmp_path), kind_of(f"{tmp_path}/a\0b")) == ("dir", None)
    with pytest.raises(OSError) as caught:
        kind_of(long_name)
    assert caught.value.errno == errno.ENAMETOOLONG
    with pytest.raises(OSError):
        long_name.is_dir()          # what every caller met before


def _deep_folder(base: Path, length: int) -> Path:
    """A folder whose absolute path is ``length`` characters long (made part by part)."""
    folder = base
    while len(str(folder)) < length - 201:
        folder = folder / ("d" * 200)
    folder = folder / ("e" * (length - len(str(folder)) - 1))
    folder.mkdir(parents=True)
    assert len(str(folder)) == length
    return folder


def test_the_output_check_fails_closed_where_it_cannot_look_for_a_dataset(tmp_path):
    # a dataset folder so deep that FOLDER/dataset.yaml is over the OS's limit for a path while
    # FOLDER/o.ttl is not: a writer could write there, but nobody can tell by that path whether
    # the folder is a dataset's (its dataset.yaml was made from inside it): refused
    folder = _deep_folder(tmp_path, os.pathconf("/", "PC_PATH_MAX") - 1 - len("/dataset.yaml") + 4)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.close(os.open("dataset.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    out = folder / "o.ttl"
    assert kind_of(out) is None                 # the output's own path can be looked up
    with pytest.raises(OSError):
        kind_of(folder / "dataset.yaml")
    refused = f"{folder}: cannot tell whether it is a dataset folder: {TOO_LONG}"
    for check in (lambda: dataset_root_of(folder), lambda: check_output_path(out, force=True)):
        with pytest.raises(ExportError) as caught:
            check()
        assert str(caught.value) == refused
    assert not out.exists()


def test_a_cache_folder_too_long_to_make_is_one_warning_and_the_answer(mini_path, long_name, monkeypatch):
    monkeypatch.setenv("KGBUILDER_CACHE_DIR", str(long_name))
    res = run("query", mini_path, "ASK {}", "-F", "csv")
    assert (res.exit_code, res.stdout.split()) == (0, ["_askResult", "true"])
    assert res.stderr == (f"warning: cache folder {long_name} cannot be made ({TOO_LONG}): "
                          "not used (builds are not cached)\n")


def test_the_cache_warning_escapes_what_the_environment_put_in_the_name(mini_path, monkeypatch):
    monkeypatch.setenv("KGBUILDER_CACHE_DIR", "/dev/null/\x1b]0;owned\x07")
    res = run("validate", mini_path)
    assert res.exit_code == 0 and "\x1b" not in res.stderr and "\x07" not in res.stderr
    assert res.stderr == ("warning: cache folder /dev/null/\\x1b]0;owned\\x07 cannot be made (Not a directory): "
                          "not used (builds are not cached)\n")
