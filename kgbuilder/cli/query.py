"""The query and graph-question commands: query, show, path, neighbors, central.

Kept out of cli.py so that module stays a short list of commands; cli.py
calls :func:`register`. Like cli.py, nothing heavy is imported at module level.
"""
from __future__ import annotations

from pathlib import Path

import click

from .complete import complete_entity, complete_neighbors_format, complete_query_format, complete_saved_query
from .output import delimited, echo, format_option, pick_format, rows_out, table, to_json, wrote

__all__ = ["register"]

def register(main, handle_errors, dataset_arg) -> None:
    """Add the commands to the ``main`` click group."""
    from .options import Seconds, force_opt, store_opt
    as_of_opt = click.option("--as-of", metavar="DATE",
                             help="Only what held on DATE (YYYY-MM-DD): posts and memberships whose "
                                  "start/end include it, events up to it.")

    @main.command(context_settings={"max_content_width": 100})
    @click.argument("dataset", required=False)   # a str: with --endpoint it may be the query text
    @click.argument("query", required=False)
    @click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, path_type=Path),
                  help="Read the query from FILE.rq ('-' for stdin).")
    @click.option("-n", "--name", shell_complete=complete_saved_query,
                  help="Run the dataset's saved query NAME (from its queries/ folder).")
    @click.option("--list", "list_saved", is_flag=True, help="List the saved queries and their questions.")
    @click.option("-F", "--format", "fmt", metavar="FORMAT", shell_complete=complete_query_format,
                  help="SELECT/ASK: table, json, csv, tsv or xml; CONSTRUCT/DESCRIBE: an RDF format "
                       "(turtle, ntriples, ...). Default: from -o's extension, else table on a "
                       "terminal and csv in a pipe (Turtle for graphs).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write to FILE (atomically) instead of stdout.")
    @click.option("--infer", is_flag=True,
                  help="Add the ontology's sub-class and sub-property entailments, so that "
                       "schema:, org:, sem: and prov: terms find the dataset's own.")
    @click.option("--timeout", type=Seconds(min=0), default=10.0, show_default=True,
                  help="Stop the query after this many seconds (0: no limit).")
    @click.option("--limit", type=click.IntRange(min=0), default=10000, show_default=True,
                  help="Return at most this many rows or triples (0: no limit).")
    @click.option("--endpoint", metavar="URL",
                  help="Ask this SPARQL 1.1 endpoint instead of building DATASET (then optional: it "
                       "lends its prefixes and saved queries).")
    @click.option("--graph", "graph_iri", metavar="IRI",
                  help="With --endpoint: query only this named graph (default-graph-uri).")
    @click.option("--allow-update", is_flag=True, help="With --endpoint: let a SPARQL update through.")
    @force_opt
    @store_opt
    @handle_errors
    def query(dataset: str | None, query: str | None, query_file: Path | None, name: str | None,
              list_saved: bool, fmt: str | None, output: Path | None, infer: bool, timeout: float,
              limit: int, endpoint: str | None, graph_iri: str | None, allow_update: bool,
              force: bool, store: str) -> None:
        """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE).

        The ontology's prefixes (kg:, rdf:, rdfs:, owl:, xsd:, skos:, schema:, org:, sem:,
        prov:, foaf:, dcterms:, wd:) and the dataset's own are bound. Updates, SERVICE and
        FROM are refused; the query runs in a worker that is stopped at --timeout.
        """
        from .query_body import run_query

        if endpoint is None and dataset is None:
            raise click.UsageError("Missing argument 'DATASET'.")
        run_query(dataset, query, query_file, name, list_saved, fmt, output, infer, timeout, limit, endpoint,
                  graph_iri, allow_update, force, store)

    report_format_opt = format_option(report=True, help="text (default), json, or csv/tsv (one row per fact).")

    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.argument("entity", shell_complete=complete_entity)
    @as_of_opt
    @report_format_opt
    @handle_errors
    def show(dataset: Path, entity: str, as_of: str | None, fmt: str | None) -> None:
        """Everything about one ENTITY: names, type, facts in and out, events it took part in.

        Each fact comes with its date, its sources and their quotes. ENTITY is an id,
        label or alias in any case, with or without diacritics, in Latin or Cyrillic.
        """
        from .. import api

        fmt = pick_format(fmt, report=True)
        info = api.show(dataset, entity, as_of=as_of)
        if fmt == "json":
            click.echo(to_json(info), nl=False)
        elif fmt in ("csv", "tsv"):
            rows = [_fact_row(("fact",), f) for f in info.facts_out]
            rows += [_fact_row(("fact about it",), f) for f in info.facts_in]
            rows += [_fact_row(("event",), e.fact) for e in info.events]
            click.echo(delimited(("relation", *FACT_COLUMNS), rows, fmt), nl=False)
        else:
            echo(_render_show(info))

    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.argument("source", metavar="A", shell_complete=complete_entity)
    @click.argument("target", metavar="B", shell_complete=complete_entity)
    @click.option("--all", "all_paths", is_flag=True, help="Every shortest path, not just the first.")
    @click.option("--max-length", type=click.IntRange(min=1), metavar="N",
                  help="Give up when the shortest path is longer than N steps.")
    @as_of_opt
    @report_format_opt
    @handle_errors
    def path(dataset: Path, source: str, target: str, all_paths: bool, max_length: int | None,
             as_of: str | None, fmt: str | None) -> None:
        """The shortest connections between entities A and B, each step a fact with its evidence.

        Steps follow facts in either direction, through events and posts too.
        """
        from .. import api

        fmt = pick_format(fmt, report=True)
        found = api.path(dataset, source, target, all=all_paths, max_length=max_length, as_of=as_of)
        if fmt == "json":
            click.echo(to_json({"from": source, "to": target, "as_of": as_of, "paths": found}), nl=False)
        elif fmt in ("csv", "tsv"):
            rows = [_fact_row((i, j), f) for i, p in enumerate(found, 1)
                    for j, step in enumerate(p.steps, 1) for f in step.facts]
            click.echo(delimited(("path", "step", *FACT_COLUMNS), rows, fmt), nl=False)
        else:
            echo(_render_paths(found, source, target, max_length, as_of))

    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.argument("entity", shell_complete=complete_entity)
    @click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
                  help="How many facts away to go.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the subgraph to FILE (format from -F or the extension) instead of a table.")
    @click.option("-F", "--format", "fmt", metavar="FORMAT", shell_complete=complete_neighbors_format,
                  help="Without -o: table (on a terminal), csv (in a pipe), json or tsv. "
                       "With -o: the export format (default: from the extension).")
    @force_opt
    @as_of_opt
    @handle_errors
    def neighbors(dataset: Path, entity: str, depth: int, output: Path | None, fmt: str | None,
                  force: bool, as_of: str | None) -> None:
        """The entities within --depth facts of ENTITY, as a table or an exported subgraph."""
        from .. import api

        if output is None:
            fmt = pick_format(fmt, report=False)     # before the work: a bad format fails fast
        hood = api.neighbors(dataset, entity, depth=depth, as_of=as_of)
        if output is not None:
            from ..exports import export
            from ..questions.neighbors import subgraph_kg

            sub = subgraph_kg(api.open_graph(dataset), hood)
            export(sub, output, fmt, inputs=[dataset], force=force)
            wrote(output, f"{len(hood.members)} entities, {len(hood.statements)} facts")
            return
        rows = [(m.distance, m.id, m.type, m.label) for m in hood.members]
        click.echo(rows_out(fmt, ("distance", "id", "type", "label"), rows), nl=False)

    @main.command(context_settings={"max_content_width": 100})
    @dataset_arg
    @click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
                  help="How many to list (0: all).")
    @click.option("--by", type=click.Choice(["pagerank", "betweenness", "degree"]), default="pagerank",
                  show_default=True, help="What to rank by.")
    @click.option("--all-types", is_flag=True, help="Rank every entity, not only actors.")
    @as_of_opt
    @format_option(report=False)
    @handle_errors
    def central(dataset: Path, top: int, by: str, all_types: bool, as_of: str | None, fmt: str | None) -> None:
        """The most central actors: degree (facts), betweenness and PageRank.

        Computed on the undirected graph of entities and events; actors are
        people, states, organizations and groups. Degree counts each fact once,
        however many sources report it.
        """
        from .. import api

        fmt = pick_format(fmt, report=False)
        rows = api.central(dataset, top=top, by=by, as_of=as_of, actors_only=not all_types)
        if fmt == "table":
            click.echo(table(("id", "type", "degree", "betweenness", "pagerank"),
                             [(c.id, c.type, str(c.degree), f"{c.betweenness:.4f}", f"{c.pagerank:.4f}")
                              for c in rows], right={2, 3, 4}))
            return
        header = ("id", "label", "type", "degree", "betweenness", "pagerank")
        click.echo(rows_out(fmt, header, [[getattr(c, h) for h in header] for c in rows]), nl=False)


# ---------------------------------------------------------------- rendering

#: one row per fact in show's and path's CSV/TSV
FACT_COLUMNS = ("subject", "predicate", "object", "literal", "unit", "bound", "date", "start", "end",
                "claimed_by", "verification", "corroboration", "sources", "quotes", "statement")


def _fact_row(lead: tuple, f) -> tuple:
    sources = list(dict.fromkeys(e.source for e in f.evidence))
    return (*lead, f.subject, f.predicate, f.object, f.literal, f.unit, f.bound, f.date, f.start, f.end,
            f.claimed_by, f.verification, f.corroboration, sources, [e.quote for e in f.evidence], f.statement)


def _evidence_lines(fact, indent: str) -> list[str]:
    lines = []
    extra = []
    if fact.claimed_by:
        extra.append(f"claimed by {fact.claimed_by}")
    if fact.verification:
        extra.append(fact.verification.lower())
    if extra:
        lines.append(f"{indent}({'; '.join(extra)})")
    for ev in fact.evidence:
        lines.append(f'{indent}[{ev.source}] "{ev.quote}"')
    return lines


def _when(fact) -> str:
    w = fact.when
    return f"  [{w}]" if w else ""


def _agreement(fact) -> str:
    """``  [2 sources]`` for a fact two independent sources back, ``  [1 source, 2 reports]``
    when one relays the other, ``  [conflict]`` for one side of a conflict; nothing for
    a fact from one source alone, the common case."""
    marks = []
    n, c = len(fact.sources), fact.corroboration
    if n > 1:
        marks.append(f"{c} source{'s' if c != 1 else ''}" + (f", {n} reports" if n > c else ""))
    if fact.conflict:
        marks.append("conflict")
    return "".join(f"  [{m}]" for m in marks)


def _literal(f) -> str:
    """A literal fact's value: a figure with its bound and unit (``at least 8 person``), else quoted."""
    if f.unit or (f.bound and f.bound != "exact"):
        from ..builder.agreement import figure_text

        return figure_text(f.object, f.bound, f.unit)
    return f'"{f.object}"'


def _render_show(info) -> str:
    out = [f"{info.id}: {info.label} ({info.type})" + (f"  as of {info.as_of}" if info.as_of else "")]
    if info.labels:
        out.append("  labels: " + "; ".join(f"{lang or '-'}: {text}" for lang, text in info.labels.items()))
    if info.aliases:
        out.append("  aliases: " + ", ".join(info.aliases))
    if info.description:
        out.append("  description: " + info.description)
    if info.claimed_by:
        out.append(f"  claimed by: {info.claimed_by}")
    out.append(f"  iri: {info.iri}")
    sections = (("facts", info.facts_out, lambda f: f"{f.predicate} " + (
                    _literal(f) if f.literal else f"{f.object} ({f.object_label})")),
                ("facts about it", info.facts_in, lambda f: f"{f.subject} ({f.subject_label}) {f.predicate} {f.object}"))
    for title, facts, head in sections:
        if not facts:
            continue
        out.append(f"{title}:")
        for f in facts:
            out.append(f"  {head(f)}{_when(f)}{_agreement(f)}")
            out.extend(_evidence_lines(f, "      "))
    if info.events:
        out.append("events:")
        for e in info.events:
            out.append(f"  {e.date or 'undated'}  {e.event} ({e.type}), as {e.role}: {e.label}{_agreement(e.fact)}")
            out.extend(_evidence_lines(e.fact, "      "))
    if not (info.facts_out or info.facts_in or info.events):
        out.append("no facts" + (f" as of {info.as_of}" if info.as_of else ""))
    return "\n".join(out)


def _render_paths(found, source, target, max_length, as_of) -> str:
    when = f" as of {as_of}" if as_of else ""
    if not found:
        within = f" within {max_length} steps" if max_length else ""
        return f"no connection between {source} and {target}{within}{when}"
    first = found[0]
    n, k = len(found), len(first)
    out = [f"{first.nodes[0]} -> {first.nodes[-1]}: {n} shortest path{'s' if n != 1 else ''} "
           f"of {k} step{'s' if k != 1 else ''}{when}"]
    for i, p in enumerate(found, 1):
        if n > 1:
            out.append(f"path {i}: " + " - ".join(p.nodes))
        for j, step in enumerate(p.steps, 1):
            for f in step.facts:
                out.append(f"  {j}. {f.subject} --{f.predicate}--> {f.object}{_when(f)}")
                out.extend(_evidence_lines(f, "       "))
    return "\n".join(out)
