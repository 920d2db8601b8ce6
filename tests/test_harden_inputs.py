"""Issue 14, inputs: every red-team input is one FILE:LINE line (or one Error: line), exit 1,
no traceback (items 2, 3, 5, 6, 10, 11, 13, 14, 15). The inputs are written by each test."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.cli.complete import entity_ids

FACT = "  - subject: toqaev\n    predicate: memberOf\n    object: csto\n    quote: {quote}\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def ds(mini_copy, monkeypatch):
    monkeypatch.chdir(mini_copy.parent)
    return Path("mini")


def problems(*lines: str) -> str:
    n = len(lines)
    return "".join(f"{line}\n" for line in lines) + f"{n} problem{'s' if n != 1 else ''} found in mini\n"


def invalid(res, *lines: str) -> None:
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", problems(*lines))


def statements(ds) -> int:
    res = run("stats", ds, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["statements"]


# ---------------------------------------------------------------- 2, 3: silent data loss

def test_unclosed_csv_quote_swallowing_the_rows_after_it(ds):
    rows = "".join(f"kazakhstan,memberOf,csto,wire,row {i}\n" for i in range(6))
    (ds / "facts" / "b.csv").write_text("subject,predicate,object,source,quote\n"
                                        'armenia,memberOf,csto,wire,"The CSTO\n' + rows
                                        + 'russia,memberOf,csto,wire,"closed" later\n', encoding="utf-8")
    invalid(run("validate", ds),
            'mini/facts/b.csv:2: unclosed quote: the cell runs on to line 9, taking the rows after it: add the closing "')


def test_unclosed_csv_quote_running_to_the_end_of_the_file(ds):
    (ds / "facts" / "b.csv").write_text("subject,predicate,object,source,quote\n"
                                        "toqaev,memberOf,csto,wire,fine\n"
                                        'armenia,memberOf,csto,wire,"The CSTO\nand more\n', encoding="utf-8")
    invalid(run("validate", ds),
            'mini/facts/b.csv:3: unclosed quote: the cell runs on to line 4, taking the rows after it: add the closing "')


def test_a_real_two_line_quote_still_passes(ds):
    before = statements(ds)
    (ds / "facts" / "b.csv").write_text("subject,predicate,object,source,quote\n"
                                        'toqaev,memberOf,csto,wire,"a quote\non two lines"\n', encoding="utf-8")
    assert run("validate", ds).exit_code == 0
    assert statements(ds) == before + 1


def test_impossible_source_date(ds):
    text = (ds / "dataset.yaml").read_text().replace("date: 2022-01-05", "date: 2022-02-30")
    (ds / "dataset.yaml").write_text(text)
    invalid(run("validate", ds), "mini/dataset.yaml:12: bad date '2022-02-30' in 'date': not a calendar date")


# ---------------------------------------------------------------- 5: symlinks out of the dataset

def test_symlinked_dataset_yaml_to_a_secret_is_refused_unread(ds, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n")
    (ds / "dataset.yaml").unlink()
    (ds / "dataset.yaml").symlink_to(secret)
    res = run("validate", ds)
    invalid(res, f"mini/dataset.yaml: symlink to {secret}, outside the dataset folder: refused "
                 "(copy the file into the dataset instead)")
    assert "SECRETHASH" not in res.output


@pytest.mark.skipif(not os.path.exists("/etc/shadow"), reason="no /etc/shadow on this system")
def test_symlink_to_etc_shadow(ds):
    (ds / "dataset.yaml").unlink()
    (ds / "dataset.yaml").symlink_to("/etc/shadow")
    invalid(run("validate", ds), "mini/dataset.yaml: symlink to /etc/shadow, outside the dataset folder: refused "
                                 "(copy the file into the dataset instead)")


def test_symlinked_fact_file_from_elsewhere_is_not_merged(ds, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("facts:\n" + FACT.format(quote="planted"))
    (ds / "facts" / "extra.yaml").symlink_to(outside)
    (ds / "facts" / "more.csv").symlink_to(tmp_path / "elsewhere.csv")
    (tmp_path / "elsewhere.csv").write_text("subject,predicate,object,quote\ntoqaev,memberOf,csto,planted\n")
    invalid(run("validate", ds),
            f"mini/facts/extra.yaml: symlink to {outside}, outside the dataset folder: refused "
            "(copy the file into the dataset instead)",
            f"mini/facts/more.csv: symlink to {tmp_path / 'elsewhere.csv'}, outside the dataset folder: refused "
            "(copy the file into the dataset instead)")


def test_symlink_that_stays_inside_the_dataset_is_fine(ds):
    before = statements(ds)
    (ds / ".shared").mkdir()
    (ds / ".shared" / "extra.yaml").write_text("facts:\n" + FACT.format(quote="shared"))
    (ds / "facts" / "extra.yaml").symlink_to(Path("..") / ".shared" / "extra.yaml")
    assert run("validate", ds).exit_code == 0
    assert statements(ds) == before + 1


def test_a_symlinked_folder_is_named_not_skipped(ds, tmp_path):
    # its files would be left out without a word: one line for a link inside, the usual
    # refusal for one out of the dataset (its target is never listed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "extra.yaml").write_text("facts:\n" + FACT.format(quote="planted"))
    (ds / "more").symlink_to(Path("facts"))
    (ds / "facts" / "outside").symlink_to(elsewhere)
    invalid(run("validate", ds),
            f"mini/facts/outside: symlink to {elsewhere}, outside the dataset folder: refused "
            "(copy the folder into the dataset instead)",
            "mini/more: a symlink to a folder: its files are not read (kgbuilder follows no folder links; "
            "move the folder into the dataset, or link each file)")



def test_a_fact_file_a_thousand_folders_deep_is_read(mini_path, monkeypatch, tmp_path):
    # the dataset is listed with a stack, not recursion: Path.rglob, used before, raised a
    # RecursionError (a traceback) on a folder nested past Python's recursion limit. The copy
    # lives outside pytest's temp folder, whose clean-up (shutil.rmtree) recurses too and would
    # stop at a deep folder left behind by an interrupted run
    import shutil
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="kgb-deep-"))
    shutil.copytree(mini_path, home / "mini")
    monkeypatch.chdir(home)
    ds = Path("mini")
    levels = [(home / "mini" / "facts" / "d")]
    for _ in range(1099):
        levels.append(levels[-1] / "d")
    try:
        before, ids = statements(ds), entity_ids(ds)
        for folder in levels:
            folder.mkdir()              # one level at a time: os.makedirs recurses too
        (levels[-1] / "deep.yaml").write_text("facts:\n" + FACT.format(quote="deep"))
        res = run("validate", ds)
        assert (res.exit_code, res.stdout, res.stderr) == (0, "mini: OK\n", "")
        assert statements(ds) == before + 1
        # the output check lists the dataset's inputs, completion its ids: the same walker
        assert run("export", ds, "-o", tmp_path / "deep.ttl").exit_code == 0
        assert entity_ids(ds) == ids
    finally:
        (levels[-1] / "deep.yaml").unlink(missing_ok=True)
        for folder in reversed(levels):     # bottom up, then the rest
            if folder.exists():
                folder.rmdir()
        shutil.rmtree(home)


def test_completion_offers_no_ids_from_a_file_linked_from_outside(ds, tmp_path):
    # the loader refuses a YAML file that links outside the dataset; completion, which reads
    # the YAML text for ids, does not read it either
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("entities:\n  - id: planted-person\n    type: Person\n    label: Planted\n")
    before = entity_ids(ds)
    (ds / "facts" / "linked.yaml").symlink_to(elsewhere)
    assert entity_ids(ds) == before and "planted-person" not in before
    (ds / "facts" / "dangling.yaml").symlink_to("nowhere.yaml")
    assert entity_ids(ds) == before     # and a dangling link is passed over

# ---------------------------------------------------------------- 6: the size cap first

def test_a_huge_file_is_refused_before_it_is_read(ds):
    with open(ds / "facts" / "huge.yaml", "wb") as fh:
        fh.truncate(8 * 1024 ** 3)          # sparse: 8 GB that take no disk
    start = time.perf_counter()
    res = run("validate", ds)
    elapsed = time.perf_counter() - start
    invalid(res, "mini/facts/huge.yaml: file is 8589934592 bytes, over the 8388608-byte limit: "
                 "split it in several files")
    # reading 8 GB (to hash or to parse) takes far longer than this on any disk
    assert elapsed < 60


def test_a_fifo_is_not_read(ds):
    # not a file: not an input (opening it would block for ever)
    os.mkfifo(ds / "facts" / "pipe.yaml")
    res = run("validate", ds)
    assert (res.exit_code, res.stdout) == (0, "mini: OK\n")


def test_a_fifo_given_to_the_yaml_reader_is_one_line(tmp_path):
    from kgbuilder.errors import DatasetError
    from kgbuilder.curation.yamlload import load_yaml

    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(DatasetError) as exc:
        # opening a FIFO for reading blocks until a writer comes: be that writer
        fd = os.open(tmp_path / "pipe.yaml", os.O_RDWR | os.O_NONBLOCK)
        try:
            load_yaml(tmp_path / "pipe.yaml", "pipe.yaml")
        finally:
            os.close(fd)
    assert exc.value.lines() == ["pipe.yaml: not a regular file"]


# ---------------------------------------------------------------- 10, 11: tracebacks, control characters

@pytest.mark.parametrize("name, text, line", [
    ("raw.yaml", "facts:\n  - subject: toqaev\n    predicate: memberOf\n    object: csto\n    quote: a\x01b\n",
     "mini/facts/raw.yaml:5:13: control character U+0001 in text: remove it (XML formats and terminals cannot show it)"),
    ("escaped.yaml", 'entities:\n  - {id: x, type: Person, label: "A\\x01B\\u0000C"}\n',
     "mini/facts/escaped.yaml:2:34: control character U+0001 in text: remove it (XML formats and terminals cannot show it)"),
    ("long.yaml", "facts:\n  - subject: toqaev\n    predicate: age\n    value: " + "9" * 5000 + "\n    quote: q\n",
     "mini/facts/long.yaml:4:12: integer of 5000 digits is too long (at most 1000; quote it if it is text)"),
    ("deep.yaml", "facts: " + "[" * 100_000 + "\n",
     "mini/facts/deep.yaml:1:1007: YAML syntax error: exceeded maximum nesting depth (while increasing flow level)"),
    ("b.csv", "subject,predicate,value,quote\ntoqaev,age,\"" + "9" * 5000 + "\",q\n",
     "mini/facts/b.csv:2: 'age': integer of 5000 digits is too long (at most 1000)"),
    ("c.jsonl", '{"subject": "toqaev", "predicate": "age", "value": ' + "9" * 5000 + ', "quote": "q"}\n',
     "mini/facts/c.jsonl:1: integer of 5000 digits is too long (at most 1000)"),
    ("d.jsonl", '{"subject": ' + "[" * 100_000 + "\n",
     "mini/facts/d.jsonl:1: JSON nested too deeply (a fact needs at most 3 levels)"),
    ("e.jsonl", '{"subject": "toqaev", "predicate": "memberOf", "object": "csto", "quote": "A\\u0001B"}\n',
     "mini/facts/e.jsonl:1: control character U+0001 in text: remove it (XML formats and terminals cannot show it)"),
    ("f.csv", "subject,predicate,object,quote\ntoqaev,memberOf,csto,A\x1b[31mB\n",
     "mini/facts/f.csv:2: control character U+001B in text: remove it (XML formats and terminals cannot show it)"),
])
def test_one_line_not_a_traceback(ds, name, text, line):
    (ds / "facts" / name).write_text(text, encoding="utf-8")
    invalid(run("validate", ds), line)


def test_control_character_in_a_label_never_reaches_rdfxml(ds, tmp_path):
    (ds / "facts" / "x.yaml").write_text('entities:\n  - {id: x, type: Person, label: "A\\x01B"}\n')
    res = run("export", ds, "-o", tmp_path / "x.rdf")
    assert (res.exit_code, res.stderr) == (1, "Error: mini/facts/x.yaml:2:34: control character U+0001 in text: "
                                              "remove it (XML formats and terminals cannot show it)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini"]


def test_unparseable_base_iri_is_one_error_at_its_line(ds):
    text = (ds / "dataset.yaml").read_text().replace("base: https://kgbuilder.example/mini/", 'base: "http://[::1/"')
    (ds / "dataset.yaml").write_text(text)
    invalid(run("validate", ds), "mini/dataset.yaml:3: bad base IRI 'http://[::1/': Invalid IPv6 URL")


def test_bad_base_iri_is_one_error_not_one_per_entity(ds):
    text = (ds / "dataset.yaml").read_text().replace("base: https://kgbuilder.example/mini/", "base: not an iri")
    (ds / "dataset.yaml").write_text(text)
    invalid(run("validate", ds), "mini/dataset.yaml:3: bad base IRI 'not an iri': it must be an http(s) IRI "
                                 "without spaces ending with / or #")


# ---------------------------------------------------------------- 13: messages at the right place

def test_latin1_byte_reported_at_its_own_csv_row(ds):
    rows = "".join(f"toqaev,memberOf,csto,wire,row {i}\n" for i in range(2, 3002))
    data = ("subject,predicate,object,source,quote\n" + rows).encode() + b"toqaev,memberOf,csto,wire,caf\xe9\n"
    (ds / "facts" / "b.csv").write_bytes(data)
    invalid(run("validate", ds), "mini/facts/b.csv:3002: not UTF-8 text (byte 0xe9 at column 30): save the file as UTF-8")


def test_latin1_byte_in_the_first_row_is_at_line_2(ds):
    (ds / "facts" / "b.csv").write_bytes(b"subject,predicate,object,source,quote\ntoqaev,memberOf,csto,wire,caf\xe9\n")
    invalid(run("validate", ds), "mini/facts/b.csv:2: not UTF-8 text (byte 0xe9 at column 30): save the file as UTF-8")


def test_one_duplicate_key_is_one_error(ds):
    path = ds / "facts" / "entities.yaml"
    text = path.read_text().replace("    label: Qasym-Zhomart Toqaev\n",
                                    "    label: Qasym-Zhomart Toqaev\n    label: Tokayev\n", 1)
    path.write_text(text)
    invalid(run("validate", ds), "mini/facts/entities.yaml:5:5: duplicate key 'label' (first on line 4)")


def test_unknown_subject_does_not_hide_a_bad_object(ds):
    (ds / "facts" / "x.yaml").write_text("facts:\n  - subject: nobody\n    predicate: memberOf\n"
                                         "    object: cstoo\n    quote: q\n")
    invalid(run("validate", ds),
            "mini/facts/x.yaml:2: unknown entity 'nobody' in 'subject'",
            "mini/facts/x.yaml:3: unknown entity 'cstoo' in 'object' (did you mean 'csto'?)")


def test_language_tag_and_aliases_messages_say_what_to_write(ds):
    (ds / "facts" / "x.yaml").write_text("entities:\n  - id: x\n    type: Person\n    label: X\n"
                                         "    labels: {en_US!: Ex}\n    aliases: X-man\n")
    invalid(run("validate", ds),
            "mini/facts/x.yaml:5: bad language tag 'en_US!' in 'labels': write a BCP 47 tag such as en, kk, ru or "
            "en-US (letters, digits and hyphens)",
            "mini/facts/x.yaml:6: 'aliases' must be a list of names, e.g. [Tokayev, Tokaev], or language tags "
            "with lists, e.g. {kk: [Тоқаев], ru: [Токаев]}")


# ---------------------------------------------------------------- 14: terminal escapes

def test_query_table_prints_control_characters_escaped(mini_path):
    res = run("query", mini_path, 'SELECT ?x WHERE { BIND("A\\u001b[31mB\\u001b]0;pwned\\u0007" AS ?x) }',
              "-F", "table")
    assert res.exit_code == 0
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert "A\\x1b[31mB\\x1b]0;pwned\\x07" in res.stdout


def test_validate_prints_a_file_name_with_escapes_escaped(ds):
    (ds / "facts" / "\x1b]0;pwned\x07.yaml").write_text("facts: [\n")
    res = run("validate", ds)
    assert res.exit_code == 1 and "\x1b" not in res.stderr and "\x07" not in res.stderr
    assert res.stderr.startswith("mini/facts/\\x1b]0;pwned\\x07.yaml:2:1: YAML syntax error")


def test_error_lines_are_escaped_too(mini_path):
    res = run("show", mini_path, "\x1b[31mred")
    assert res.exit_code == 1 and "\x1b" not in res.stderr
    assert res.stderr.startswith("Error: ") and "\\x1b[31mred" in res.stderr and res.stderr.count("\n") == 1


# ---------------------------------------------------------------- 15: domain and range

def test_a_person_is_not_a_member_of_a_person(ds):
    (ds / "facts" / "x.yaml").write_text("facts:\n  - toqaev memberOf nazarbayev | @wire q\n")
    invalid(run("validate", ds),
            "mini/facts/x.yaml:2: 'nazarbayev' is a Person, but the object of 'memberOf' needs an Organization")


def test_kazakhstan_still_validates():
    from conftest import KAZAKHSTAN

    res = run("validate", KAZAKHSTAN)
    assert (res.exit_code, res.stdout) == (0, f"{KAZAKHSTAN}: OK\n")
