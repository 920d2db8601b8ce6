"""The kgbuilder command line as a click group: a thin click layer over kgbuilder.api.

Every KGBuilderError becomes ``Error: ...`` lines on stderr and exit code 1;
anything else is a bug and keeps its traceback.

One grammar across commands: a short option means the same everywhere.
``-F/--format`` the output format, ``-o/--output`` the output file,
``-f/--file`` a query file, ``-n/--name`` a saved query, ``-h`` help,
``-V`` the version. (``-f`` once meant ``--format`` in build and export; it
still does there, hidden, with a note.) Printing formats: see cli_output.

The commands live in two modules, each adding its own to ``main`` when one of
them is asked for (:class:`_Commands`): ``commands`` (validate, build, export,
stats, check-quotes, conflicts, serve, push) and ``query`` (query, show, path,
neighbors, central). A command's start defines only its own module's commands.
"""
from __future__ import annotations

import click

from .. import __version__
from .exits import exit_on_sigterm, handle_errors
from .options import CONTEXT, dataset_arg

__all__ = ["main", "COMMANDS"]

#: every command, by the module of this package that defines it
COMMANDS = {**dict.fromkeys(("validate", "build", "export", "stats", "check-quotes", "conflicts", "serve", "push"),
                            "commands"),
            **dict.fromkeys(("query", "show", "path", "neighbors", "central"), "query")}


class _Commands(click.Group):
    """The command group, whose commands are added by their module on first use: click asks
    for a command by name (to run it, to complete it, to list the commands in --help), and
    only then is its module imported and its commands defined."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, cmd_name: str):
        # a name that is none of ours defines them all: click's "did you mean" reads self.commands
        for module in [COMMANDS[cmd_name]] if cmd_name in COMMANDS else sorted(set(COMMANDS.values())):
            _register(module)
        return self.commands.get(cmd_name)


_REGISTERED: set[str] = set()


def _register(module: str) -> None:
    """Have ``module`` add its commands to ``main`` (once)."""
    if module in _REGISTERED:
        return
    _REGISTERED.add(module)
    if module == "query":
        from .query import register

        register(main, handle_errors, dataset_arg)
    else:
        from .commands import register

        register(main)


@click.group(cls=_Commands, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="kgbuilder")
def main() -> None:
    """Turn hand-curated facts about news events into a knowledge graph.

    DATASET is a folder of YAML files (see datasets/kazakhstan-2022).
    """
    exit_on_sigterm()


if __name__ == "__main__":  # pragma: no cover
    main()
