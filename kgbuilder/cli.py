"""The kgbuilder command line: a thin click layer over kgbuilder.api.

Every KGBuilderError becomes ``Error: ...`` lines on stderr and exit code 1;
anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KGBuilderError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(exc: KGBuilderError) -> None:
    for line in exc.lines():
        click.echo(f"Error: {line}", err=True)
    sys.exit(1)


def handle_errors(fn):
    """Turn kgbuilder's own errors into one `Error:` line each and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KGBuilderError as exc:
            _fail(exc)
        except BrokenPipeError:
            sys.exit(0)

    return wrapper


def _format_help() -> str:
    from .exports import REGISTRY

    return "; ".join(f"{s.name} ({', '.join(s.extensions)})" for s in REGISTRY.values())


def _format_choices() -> list[str]:
    from .exports import names

    return names()


dataset_arg = click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="kgbuilder")
def main() -> None:
    """Turn hand-curated facts about news events into a knowledge graph.

    DATASET is a folder of YAML files (see datasets/kazakhstan-2022).
    """


@main.command()
@dataset_arg
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (loader checks only).")
@handle_errors
def validate(dataset: Path, no_shacl: bool) -> None:
    """Check a dataset and list every problem as FILE:LINE: message.

    Exit code 0 when the dataset is clean, 1 otherwise.
    """
    from . import api

    problems = api.validate(dataset, shacl=not no_shacl)
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        n = len(problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found in {dataset}", err=True)
        sys.exit(1)
    click.echo(f"{dataset}: OK")


@main.command()
@dataset_arg
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: out/<dataset id>.ttl).")
@click.option("-f", "--format", "fmt", type=click.Choice(_format_choices(), case_sensitive=False),
              help="Output format (default: from the file extension). " + _format_help())
@handle_errors
def build(dataset: Path, output: Path | None, fmt: str | None) -> None:
    """Validate a dataset and write its graph (Turtle by default)."""
    from . import api
    from .exports import export

    kg = api.build(dataset)
    if output is None:
        output = Path("out") / f"{kg.id}.ttl"
        output.parent.mkdir(parents=True, exist_ok=True)
    export(kg, output, fmt, inputs=[dataset])
    click.echo(f"wrote {output} ({len(kg.graph)} triples)")


@main.command()
@dataset_arg
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@handle_errors
def stats(dataset: Path, as_json: bool) -> None:
    """Counts by type and predicate, sources and claims."""
    from dataclasses import asdict

    from . import api

    st = api.build(dataset).stats()
    if as_json:
        import json

        click.echo(json.dumps(asdict(st), indent=2, sort_keys=True))
        return
    click.echo(f"{dataset}: {st.triples} triples, {st.statements} statements, "
               f"{sum(st.entities.values())} entities ({st.events} events), {st.evidence} quotes")
    sections = (("entities by type", st.entities), ("facts by predicate", st.predicates),
                ("statements by source", st.sources), ("claims by actor", st.claims_by))
    for title, counts in sections:
        total = f" ({st.claims} claims)" if title.startswith("claims") else ""
        click.echo(f"\n{title}{total}:")
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {name:<28} {n:>6}")


@main.command("check-quotes")
@dataset_arg
@click.option("--text", "texts", multiple=True, required=True, metavar="SOURCE_ID=FILE",
              help="An archived text of a source (repeatable).")
@handle_errors
def check_quotes(dataset: Path, texts: tuple[str, ...]) -> None:
    """Check that every quote appears verbatim in the archived source text.

    Whitespace and typographic quotes are normalised before comparing.
    """
    from . import api

    pairs = {}
    for item in texts:
        sid, sep, file = item.partition("=")
        if not sep or not sid or not file:
            raise click.BadParameter(f"'{item}' is not SOURCE_ID=FILE", param_hint="--text")
        pairs[sid] = file
    checked, problems = api.check_quotes(dataset, pairs)
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        click.echo(f"{len(problems)} of {checked} quotes not found", err=True)
        sys.exit(1)
    click.echo(f"all {checked} quotes found verbatim")


if __name__ == "__main__":  # pragma: no cover
    main()
