"""Strict YAML: safe loading with line numbers and no silent retyping.

PyYAML composes the document into nodes (which carry line and column); we
build Python values from the nodes ourselves so that

* duplicate keys, anchors, aliases and explicit tags are errors;
* plain scalars stay strings unless they are ``true``/``false``, ``null``/``~``
  or a plain integer without a leading zero. ``NO``, ``on``, ``012345``,
  ``1.10`` and ``2022-01-05`` stay exactly as written;
* every mapping and list remembers the line of each key and item, so errors
  can point at ``FILE:LINE``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import DatasetError, Diagnostic
from ..control_chars import control_message, find_control
from ..safe_paths import open_file
from .files import MAX_FILE_BYTES

__all__ = ["LDict", "LList", "load_yaml", "load_yaml_text", "line_of", "MAX_FILE_BYTES"]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
#: longer plain integers are refused: int() of 4,301+ digits raises, and no curated count needs them
MAX_INT_DIGITS = 1000


class LDict(dict):
    """A dict that remembers its own line and the line of each key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class LList(list):
    """A list that remembers its own line and the line of each item."""

    __slots__ = ("line", "item_lines")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def line_of(container: Any, key: Any = None) -> int | None:
    """Line of ``container[key]`` (or of the container when key is None)."""
    if key is not None:
        if isinstance(container, LDict) and key in container.key_lines:
            return container.key_lines[key]
        if isinstance(container, LList) and isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
    return getattr(container, "line", None)


class _StrictLoader(yaml.SafeLoader):
    pass


def _plain_scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None and node.style != "":
        return value  # quoted or block scalar: always a string
    if value in ("true", "false"):
        return value == "true"
    if value in ("null", "~", ""):
        return None
    if _INT.match(value):
        if len(value) > MAX_INT_DIGITS:
            raise _Problem(node.start_mark, f"integer of {len(value.lstrip('+-'))} digits is too long "
                                            f"(at most {MAX_INT_DIGITS}; quote it if it is text)")
        return int(value)
    return value


def _check_event_free(node: yaml.Node, path: str) -> None:
    tag = node.tag
    # PyYAML resolves implicit tags to tag:yaml.org,2002:*; explicit ones are
    # kept as written. We cannot see from the node whether it was explicit, so
    # we compare with what the resolver would have chosen.
    if isinstance(node, yaml.ScalarNode):
        implicit = _StrictLoader.resolve(_StrictLoader, yaml.ScalarNode, node.value, (True, False))
        if node.style not in (None, ""):
            implicit = "tag:yaml.org,2002:str"
        if tag != implicit:
            raise _Problem(node.start_mark, f"tags are not allowed ({tag.replace('tag:yaml.org,2002:', '!!')})")
    elif isinstance(node, yaml.MappingNode):
        if tag != "tag:yaml.org,2002:map":
            raise _Problem(node.start_mark, f"tags are not allowed ({tag.replace('tag:yaml.org,2002:', '!!')})")
    elif isinstance(node, yaml.SequenceNode):
        if tag != "tag:yaml.org,2002:seq":
            raise _Problem(node.start_mark, f"tags are not allowed ({tag.replace('tag:yaml.org,2002:', '!!')})")


class _Problem(Exception):
    def __init__(self, mark, message: str):
        self.mark, self.message = mark, message


def _build(node: yaml.Node, problems: list, tags_checked: bool = False) -> Any:
    if not tags_checked:
        _check_event_free(node, "")
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        bad = find_control(node.value)
        if bad:
            raise _Problem(node.start_mark, control_message(bad))
        return _plain_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        out = LList(line)
        for item in node.value:
            out.append(_build(item, problems, tags_checked))
            out.item_lines.append(item.start_mark.line + 1)
        return out
    if isinstance(node, yaml.MappingNode):
        out = LDict(line)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Problem(key_node.start_mark, "mapping keys must be plain strings")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Problem(key_node.start_mark, "merge keys (<<) are not allowed")
            key = key_node.value
            bad = find_control(key)
            if bad:
                raise _Problem(key_node.start_mark, control_message(bad))
            if key in out:
                # not fatal: the first value stays, so the rest of the file is still
                # checked and its entities still known (no follow-on errors)
                problems.append(_Problem(key_node.start_mark,
                                         f"duplicate key '{key}' (first on line {out.key_lines[key]})"))
                continue
            out[key] = _build(value_node, problems, tags_checked)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    raise _Problem(node.start_mark, f"unsupported YAML node {type(node).__name__}")


class _NoAliasComposer(_StrictLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Problem(event.start_mark, f"aliases are not allowed (*{event.anchor})")
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Problem(event.start_mark, f"anchors are not allowed (&{anchor})")
        return super().compose_node(parent, index)


_CLoader = getattr(yaml, "CSafeLoader", None)


def _compose(text: str):
    """The document's root node, composed by libyaml when it is there (PyYAML's pure-Python
    scanner takes about ten seconds a megabyte: an 8 MB file under the cap took minutes).

    libyaml composes aliases away, so anchors, aliases and explicit tags are first looked for
    in its event stream (fast, C) and refused with the messages the pure-Python composer and
    :func:`_check_event_free` give. Returns (node, whether the tags were checked).
    """
    if _CLoader is None:
        loader = _NoAliasComposer(text)   # the reader refuses raw control characters here
        try:
            return loader.get_single_node(), False
        finally:
            loader.dispose()
    events = _CLoader(text)
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise _Problem(event.start_mark, f"aliases are not allowed (*{event.anchor})")
            if getattr(event, "anchor", None) is not None:
                raise _Problem(event.start_mark, f"anchors are not allowed (&{event.anchor})")
            tag = getattr(event, "tag", None)
            implicit = getattr(event, "implicit", True)
            if tag is not None and not (any(implicit) if isinstance(implicit, tuple) else implicit):
                raise _Problem(event.start_mark, f"tags are not allowed ({tag.replace('tag:yaml.org,2002:', '!!')})")
    finally:
        events.dispose()
    loader = _CLoader(text)
    try:
        return loader.get_single_node(), True
    finally:
        loader.dispose()


def _diag(filename: str, problem: _Problem) -> Diagnostic:
    return Diagnostic(filename, problem.mark.line + 1, problem.message, problem.mark.column + 1)


def load_yaml_text(text: str, filename: str, problems: list[Diagnostic] | None = None) -> Any:
    """Parse one YAML document strictly; raise DatasetError with FILE:LINE:COL.

    Problems that leave the document usable (a duplicate key: the first value
    stays) go to ``problems`` when it is given, else they are raised too.
    """
    soft: list[_Problem] = []
    try:
        node, tags_checked = _compose(text)
        doc = None if node is None else _build(node, soft, tags_checked)
    except _Problem as exc:
        raise DatasetError([_diag(filename, p) for p in soft] + [_diag(filename, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        raise DatasetError(Diagnostic(filename, line, control_message(code), col)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise DatasetError(Diagnostic(filename, line, f"YAML syntax error: {message}", col)) from None
    except yaml.YAMLError as exc:
        raise DatasetError(Diagnostic(filename, None, f"YAML error: {exc}")) from None
    except RecursionError:
        raise DatasetError(Diagnostic(filename, None, "nested too deeply (lists or mappings inside "
                                                       "each other hundreds of levels deep)")) from None
    if soft:
        if problems is None:
            raise DatasetError([_diag(filename, p) for p in soft])
        problems.extend(_diag(filename, p) for p in soft)
    return doc


def load_yaml(path: str | Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES,
              problems: list[Diagnostic] | None = None) -> Any:
    """Read a UTF-8 YAML file (a BOM is fine) strictly; see :func:`load_yaml_text`."""
    path = Path(path)
    name = display or str(path)
    try:
        # the size is checked before reading, on the open file (no race with a swap), and
        # only regular files are read: a FIFO or a device would block or never end
        fh = open_file(path)
        if fh is None:
            raise DatasetError(Diagnostic(name, None, "not a regular file"))
        with fh:
            st = os.fstat(fh.fileno())
            if st.st_size > max_bytes:
                raise DatasetError(Diagnostic(name, None, f"file is {st.st_size} bytes, over the "
                                                          f"{max_bytes}-byte limit: split it in several files"))
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise DatasetError(Diagnostic(name, None, f"file is over the {max_bytes}-byte limit: split it"))
    except OSError as exc:
        raise DatasetError(Diagnostic(name, None, f"cannot read: {exc.strerror}")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DatasetError(Diagnostic(name, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", col)) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DatasetError(Diagnostic(name, line, "NUL character in file"))
    return load_yaml_text(text, name, problems)
