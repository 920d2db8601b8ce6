"""Shell completion for the CLI: dataset folders, saved query names, entity ids, formats.

Click runs these when the shell asks (``_KGBUILDER_COMPLETE=bash_complete``);
each must answer at once, so none builds or even loads a graph: entity ids
are read from the YAML text with a regular expression (an ``id:`` key in the
entity and event files), saved queries are the ``queries/*.rq`` file names.
A broken file simply completes less; ``validate`` is where it gets reported.
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["complete_dataset", "complete_entity", "complete_saved_query", "complete_export_format",
           "complete_query_format", "complete_neighbors_format", "entity_ids"]

# `id: x` as a block key or inside a flow mapping `{id: x, ...}` (a string: re compiles it
# on first use, when the shell asks, not at every command's start)
_ID = r"(?m)(?:^|[{,])\s*(?:-\s+)?id:\s*['\"]?([a-z0-9][a-z0-9-]*)"


def _items(values, incomplete: str):
    from click.shell_completion import CompletionItem

    return [CompletionItem(v) for v in values if v.startswith(incomplete)]


def _is_dataset(path: Path) -> bool:
    from ..curation.files import has_dataset_yaml

    return has_dataset_yaml(path)


def complete_dataset(ctx, param, incomplete: str):
    """Dataset folders (those holding a dataset.yaml) at the typed path or one level below it;
    other folders are left to the shell's own directory completion."""
    from click.shell_completion import CompletionItem

    head, _, prefix = incomplete.rpartition("/")
    base = Path(head or ".")
    found = []
    try:
        children = sorted(p for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)
                          and not p.name.startswith("."))
    except OSError:
        children = []
    for child in children:
        shown = f"{head}/{child.name}" if head else child.name
        if _is_dataset(child):
            found.append(shown)
            continue
        try:
            found += [f"{shown}/{g.name}" for g in sorted(child.iterdir()) if g.is_dir() and _is_dataset(g)]
        except OSError:
            pass
    if not found:
        return [CompletionItem(incomplete, type="dir")]
    return [CompletionItem(v) for v in found]


def _dataset(ctx) -> Path | None:
    # while an option still waits for its value click leaves the words unparsed, in ctx.args
    for value in (ctx.params.get("dataset"), *ctx.args):
        if value and _is_dataset(Path(value)):
            return Path(value)
    return None


def entity_ids(root: Path) -> list[str]:
    """The ids of a dataset's entities and events, from the YAML text (no parsing, no build)."""
    from ..safe_paths import link_outside
    from ..tree import walk

    ids: set[str] = set()
    for here, entry in walk(root, skip_top=("queries",)):
        if entry.name.endswith((".yaml", ".yml")) and here != ("dataset.yaml",):
            if entry.is_symlink() and link_outside(root, Path(entry.path)) is not None:
                continue            # the loader refuses it: its ids are not offered either
            try:
                if not entry.is_file():     # a FIFO would hang the shell's completion
                    continue
                text = Path(entry.path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            ids.update(re.findall(_ID, text))
    return sorted(ids)


def complete_entity(ctx, param, incomplete: str):
    root = _dataset(ctx)
    if root is None:
        return []
    low = incomplete.lower()
    return _items([i for i in entity_ids(root) if i.startswith(low)], "")


def complete_saved_query(ctx, param, incomplete: str):
    root = _dataset(ctx)
    if root is None:
        return []
    names = sorted(p.stem for p in (root / "queries").glob("*.rq"))
    short = [re.sub(r"^\d+-", "", n) for n in names]
    return _items(sorted(set(names) | set(short)), incomplete)


def complete_export_format(ctx, param, incomplete: str):
    from ..exports import names

    return _items(names(), incomplete.lower())


def complete_query_format(ctx, param, incomplete: str):
    from ..exports import names
    from ..registry import names as plugin_names

    return _items([*plugin_names("results"), *names()], incomplete.lower())


def complete_neighbors_format(ctx, param, incomplete: str):
    """neighbors -F: an export format with -o, else a printing format."""
    if ctx.params.get("output") is not None:
        return complete_export_format(ctx, param, incomplete)
    from .output import TABLE_FORMATS

    return _items(TABLE_FORMATS, incomplete.lower())
