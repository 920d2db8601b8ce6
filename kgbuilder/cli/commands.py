"""The dataset commands: validate, build, export, stats, check-quotes, conflicts, serve, push.

Added to the ``main`` group by :func:`register` when one of them runs (or ``--help`` lists
them): a query or a graph question never spends the ~2 ms that defining them takes.
Like the other command modules, nothing heavy is imported at module level.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KGBuilderError
from .complete import complete_entity, complete_export_format
from .options import (Seconds, dataset_arg, force_opt, format_choices, format_help, handle_errors, old_format_opt,
                      resolve_format, store_opt)
from .output import echo, format_option, wrote

__all__ = ["register"]


def register(main) -> None:
    """Add the commands to the ``main`` click group."""
    @main.command()
    @dataset_arg
    @click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (loader checks only).")
    @store_opt
    @handle_errors
    def validate(dataset: Path, no_shacl: bool, store: str) -> None:
        """Check a dataset and list every problem as FILE:LINE: message.

        Exit code 0 when the dataset is clean, 1 otherwise.
        """
        from .. import api

        problems = api.validate(dataset, shacl=not no_shacl, store=store)
        for p in problems:
            echo(str(p), err=True)
        if problems:
            n = len(problems)
            echo(f"{n} problem{'s' if n != 1 else ''} found in {dataset}", err=True)
            sys.exit(1)
        # two sources disagreeing is recorded on purpose: a warning, not a problem
        # (the graph just validated; open_graph caches it for the next command)
        kg = api.build(dataset, store=store, shacl=False) if no_shacl else api.open_graph(dataset, store=store)
        for c in api.conflicts(kg):
            first, *others = c.sides
            for o in others:
                where = o.places[0] if o.places else str(dataset)
                echo(f"{where}: warning: {c.title}: {o.value} [{', '.join(o.sources)}] conflicts with "
                     f"{first.value} [{', '.join(first.sources)}] ({', '.join(first.places)})", err=True)
        echo(f"{dataset}: OK")


    @main.command()
    @dataset_arg
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Output file (default: out/<dataset id>.ttl).")
    @click.option("-F", "--format", "fmt", type=click.Choice(format_choices(), case_sensitive=False),
                  help="Output format (default: from the file extension). " + format_help())
    @old_format_opt
    @force_opt
    @store_opt
    @handle_errors
    def build(dataset: Path, output: Path | None, fmt: str | None, old_fmt: str | None, force: bool,
              store: str) -> None:
        """Validate a dataset and write its graph (Turtle by default)."""
        from .. import api
        from ..exports import export

        fmt = resolve_format(fmt, old_fmt)
        kg = api.build(dataset, store=store)
        if output is None:
            output = Path("out") / f"{kg.id}.ttl"
            output.parent.mkdir(parents=True, exist_ok=True)
        export(kg, output, fmt, inputs=[dataset], force=force)
        wrote(output, f"{kg.store.count_triples()} triples")


    def _formats_epilog() -> str:
        from ..exports import describe

        return "\b\nFormats (FORMAT, extensions):\n" + "\n".join(f"  {line}" for line in describe())


    @main.command(epilog=_formats_epilog())
    @dataset_arg
    @click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
                  help="Output file, or a folder for CSV.")
    @click.option("-F", "--format", "fmt", metavar="FORMAT", shell_complete=complete_export_format,
                  help="One of: " + ", ".join(format_choices()) + " (default: from the output's extension).")
    @old_format_opt
    @click.option("--focus", metavar="ENTITY", help="Only ENTITY and what is within --depth facts of it.",
                  shell_complete=complete_entity)
    @click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
                  help="How many facts away from --focus to go.")
    @click.option("--type", "types", multiple=True, metavar="TYPE",
                  help="Only entities of this ontology class or its subclasses (repeatable).")
    @click.option("--since", metavar="DATE", help="Only facts and events on or after DATE (YYYY[-MM[-DD]]).")
    @click.option("--until", metavar="DATE", help="Only facts and events on or before DATE.")
    @click.option("--direct-only", is_flag=True, help="RDF: only the direct triples, no statement nodes.")
    @click.option("--with-ontology", is_flag=True, help="RDF: include the ontology.")
    @force_opt
    @store_opt
    @handle_errors
    def export(dataset: Path, output: Path, fmt: str | None, old_fmt: str | None, focus: str | None, depth: int,
               types: tuple[str, ...], since: str | None, until: str | None, direct_only: bool,
               with_ontology: bool, force: bool, store: str) -> None:
        """Write a dataset's graph, or a part of it, in an RDF, network or table format.

        The file is written to a temporary file, read back and checked, and only
        then renamed into place: on any error the previous file is untouched.
        """
        from .. import api

        fmt = resolve_format(fmt, old_fmt)
        report = api.export(dataset, output, fmt, store=store, focus=focus, depth=depth, types=types,
                            since=since, until=until, direct_only=direct_only, with_ontology=with_ontology,
                            force=force)
        wrote(output, f"{report.format}, {report.written}")


    @main.command()
    @dataset_arg
    @format_option(report=True, help="text (default), json, or csv/tsv (rows of section, name, count).")
    @click.option("--json", "as_json", is_flag=True, help="Same as -F json.")
    @click.option("--top", type=click.IntRange(min=1), default=None, metavar="N",
                  help="Show only the N largest counts of each section.")
    @store_opt
    @handle_errors
    def stats(dataset: Path, fmt: str | None, as_json: bool, top: int | None, store: str) -> None:
        """Counts by type and predicate, sources and claims."""
        from dataclasses import asdict

        from .. import api
        from .output import delimited, pick_format, to_json

        if as_json and (fmt or "json").lower() != "json":
            raise KGBuilderError(f"--json and -F {fmt} disagree: give one")
        fmt = pick_format("json" if as_json else fmt, report=True)
        st = api.stats(api.open_graph(dataset, store=store))
        sections = (("entities by type", "entities", st.entities), ("facts by predicate", "predicates", st.predicates),
                    ("statements by source", "sources", st.sources), ("claims by actor", "claims_by", st.claims_by))
        ranked = {key: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) for _, key, counts in sections}
        if fmt == "json":
            data = asdict(st)
            if top is not None:
                data.update({key: dict(items[:top]) for key, items in ranked.items()})
            click.echo(to_json(data, sort_keys=True), nl=False)
            return
        if fmt in ("csv", "tsv"):
            totals = [("total", k, v) for k, v in asdict(st).items() if isinstance(v, int)]
            rows = totals + [(title, name, n) for title, key, _ in sections for name, n in ranked[key][:top]]
            click.echo(delimited(("section", "name", "count"), rows, fmt), nl=False)
            return
        echo(f"{dataset}: {st.triples} triples, {st.statements} statements, "
             f"{sum(st.entities.values())} entities ({st.events} events), {st.evidence} pieces of evidence")
        echo(f"agreement: {st.corroborated} corroborated (2+ independent sources), {st.single_source} "
             f"single-source, {st.conflicts} conflict{'s' if st.conflicts != 1 else ''}")
        if st.whole_event_quotes:
            echo(f"note: {st.whole_event_quotes} quotes of events with several roles name no roles "
                 "('supports'), so each backs every role of its event")
        for title, key, _ in sections:
            total = f" ({st.claims} claims)" if key == "claims_by" else ""
            by_source = key == "sources"
            # per source: all its statements, those another origin backs too, those in a conflict
            header = f"{'all':>6} {'corroborated':>12} {'conflicting':>11}"
            echo(f"\n{title + ':':<31}{header}" if by_source else f"\n{title}{total}:")
            for name, n in ranked[key][:top]:
                extra = (f" {st.corroborated_by_source.get(name, 0):>12} {st.conflicting_by_source.get(name, 0):>11}"
                         if by_source else "")
                echo(f"  {name:<28} {n:>6}{extra}")
            if top is not None and len(ranked[key]) > top:
                echo(f"  ... {len(ranked[key]) - top} more")


    @main.command("check-quotes")
    @dataset_arg
    @click.option("--text", "texts", multiple=True, metavar="SOURCE_ID=FILE",
                  help="An archived text of a source (repeatable).")
    @click.option("--texts", "texts_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                  help="A folder of archived texts: each source's is DIR/<source id>*.txt.")
    @click.option("--strict", is_flag=True, help="Fail when a source with quotes has no text to check them against.")
    @handle_errors
    def check_quotes(dataset: Path, texts: tuple[str, ...], texts_dir: Path | None, strict: bool) -> None:
        """Check that every quote appears verbatim in the archived text of its source.

        Whitespace and typographic quotes are normalised before comparing. Every
        source whose quotes could not be checked (no text given) is named; with
        --strict that fails the check.
        """
        from .. import api

        pairs = {}
        for item in texts:
            sid, sep, file = item.partition("=")
            if not sep or not sid or not file:
                raise click.BadParameter(f"'{item}' is not SOURCE_ID=FILE", param_hint="--text")
            pairs[sid] = file
        result = api.check_quotes(dataset, pairs, texts_dir=texts_dir)
        for p in result.problems:
            echo(str(p), err=True)
        for sid, n in result.unchecked.items():
            echo(f"{n} quote{'s' if n != 1 else ''} from {sid} not checked: no text given", err=True)
        if result.problems:
            echo(f"{len(result.problems)} of {result.checked} quotes not found", err=True)
            sys.exit(1)
        if strict and result.unchecked:
            n = len(result.unchecked)
            echo(f"{n} source{'s' if n != 1 else ''} without a text (--strict)", err=True)
            sys.exit(1)
        echo(f"all {result.checked} quotes found verbatim")


    @main.command()
    @dataset_arg
    @format_option(report=True, help="text (default), json, or csv/tsv (one row per value).")
    @handle_errors
    def conflicts(dataset: Path, fmt: str | None) -> None:
        """Every conflict: a single-valued predicate (a casualty figure, an event's date, an age)
        given values that cannot both hold, with each value's sources and FILE:LINE.

        Exit code 1 when there is a conflict, 0 when there is none.
        """
        from .. import api
        from .output import delimited, pick_format, to_json

        fmt = pick_format(fmt, report=True)
        found = api.conflicts(dataset)
        if fmt == "json":
            click.echo(to_json([{"subject": c.subject, "predicate": c.predicate, "scope": dict(c.scope),
                                 "values": [{"value": s.value, "sources": s.sources, "places": s.places,
                                             "statement": s.statement} for s in c.sides]} for c in found]), nl=False)
            sys.exit(1 if found else 0)
        if fmt in ("csv", "tsv"):
            rows = [(c.subject, c.predicate, "; ".join(f"{k}={v}" for k, v in c.scope), s.value, s.sources, s.places)
                    for c in found for s in c.sides]
            click.echo(delimited(("subject", "predicate", "scope", "value", "sources", "places"), rows, fmt), nl=False)
            sys.exit(1 if found else 0)
        for c in found:
            echo(c.title + ":")
            srcs = ["[" + ", ".join(side.sources) + "]" for side in c.sides]
            width, swidth = max(len(side.value) for side in c.sides), max(map(len, srcs))
            for side, src in zip(c.sides, srcs):
                echo(f"  {side.value:<{width}}  {src:<{swidth}}  {', '.join(side.places)}")
        n = len(found)
        echo(f"{n or 'no'} conflict{'s' if n != 1 else ''} in {dataset}")
        sys.exit(1 if found else 0)


    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on (anything but loopback exposes the graph to the network).")
    @click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
                  help="Port (0: any free port).")
    @click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
                  help="Query worker processes: at most this many queries run at once.")
    @click.option("--timeout", type=Seconds(min=0.1), default=5.0, show_default=True,
                  help="Stop a query after this many seconds (its worker is killed).")
    @click.option("--limit", type=click.IntRange(min=0), default=10000, show_default=True,
                  help="Return at most this many rows or triples per query (0: no limit).")
    @click.option("--queue", type=click.IntRange(min=0), default=32, show_default=True,
                  help="Queries that may wait for a free worker; beyond that 503.")
    @click.option("--queue-wait", type=Seconds(min=0), default=10.0, show_default=True,
                  help="Seconds a query may wait for a free worker before 503.")
    @click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
                  help="Also answer requests whose Host header is NAME (repeatable; e.g. with --host 0.0.0.0).")
    @click.option("--header-timeout", type=Seconds(min=0.1), default=10.0, show_default=True,
                  help="Close a connection whose request has not arrived whole within this many seconds.")
    @click.option("--max-connections", type=click.IntRange(min=1), default=None,
                  help="Open connections at once; beyond that 503 (default: half the open-file limit).")
    @store_opt
    @handle_errors
    def serve(dataset: Path, host: str, port: int, workers: int, timeout: float, limit: int, queue: int,
              queue_wait: float, allow_hosts: tuple[str, ...], header_timeout: float,
              max_connections: int | None, store: str) -> None:
        """Serve the graph read-only: a SPARQL 1.1 endpoint, its saved queries and the explorer.

        /sparql (GET, POST; the answer format by Accept), /queries, /query (a query page)
        and / (the explorer). One access-log line per request goes to stderr; Ctrl-C stops.
        """
        from .. import api
        from ..serve.app import ServeConfig

        config = ServeConfig(dataset=dataset, host=host, port=port, workers=workers, timeout=timeout,
                             limit=limit or None, queue=queue, queue_wait=queue_wait,
                             allow_hosts=allow_hosts, header_timeout=header_timeout,
                             max_connections=max_connections, store=store)
        api.serve(config, ready=lambda url: echo(
            f"serving {dataset} at {url} (SPARQL: {url}sparql, {workers} workers, {timeout:g} s "
            f"limit); Ctrl-C stops", err=True))


    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.option("--endpoint", required=True, metavar="URL",
                  help="The server's Graph Store endpoint (gsp; Virtuoso: .../sparql-graph-crud-auth) "
                       "or SPARQL Update endpoint (update; Virtuoso: .../sparql-auth).")
    @click.option("--graph", "graph_iri", metavar="IRI", help="The named graph to replace (default: the dataset's base IRI).")
    @click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
                  help="gsp: one HTTP PUT (SPARQL 1.1 Graph Store Protocol); update: SPARQL 1.1 Update.")
    @click.option("--timeout", type=Seconds(min=1), default=300.0, show_default=True,
                  help="Seconds to wait for the server per request.")
    @handle_errors
    def push(dataset: Path, endpoint: str, graph_iri: str | None, protocol: str, timeout: float) -> None:
        """Validate and build DATASET, then replace a named graph on a SPARQL 1.1 server with it.

        All or nothing: if the upload fails the server keeps the graph it had. Credentials come
        from KGBUILDER_ENDPOINT_USER and KGBUILDER_ENDPOINT_PASSWORD (Basic or Digest), never
        from the command line.
        """
        from .. import api
        from ..remote import Endpoint

        ep = Endpoint.from_url(endpoint, timeout=timeout)
        result = api.push(dataset, ep, graph_iri, protocol=protocol)
        echo(f"pushed {result.triples} triples to <{result.graph}> at {endpoint} "
             f"({result.protocol}, {result.requests} request{'s' if result.requests != 1 else ''}, "
             f"HTTP {result.status})")
