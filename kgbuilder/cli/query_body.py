"""What ``kgbuilder query`` does once its command line is parsed, by click (:mod:`kgbuilder.cli.query`)
or by the click-free front door of a plain query (:mod:`kgbuilder.cli.plain`): one body for both.
No click here: it prints through :func:`.output.echo`, which loads click only to print a message.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import KGBuilderError
from .output import check_format, echo, on_terminal, wrote

__all__ = ["run_query"]


def run_query(dataset: str | Path | None, query: str | None, query_file: Path | None, name: str | None,
              list_saved: bool, fmt: str | None, output: Path | None, infer: bool, timeout: float,
              limit: int, endpoint: str | None, graph_iri: str | None, allow_update: bool,
              force: bool, store: str) -> None:
    """``kgbuilder query`` with its parameters (click's names and values); DATASET is given
    unless ``endpoint`` is (click says so first)."""
    from ..curation.files import has_dataset_yaml
    from ..sparql.query import read_query_file, saved_queries, saved_query

    if endpoint is not None:  # [DATASET] QUERY: see remote.split_remote_args
        from ..remote import split_remote_args

        dataset, query = split_remote_args(dataset, query, bool(query_file or name or list_saved))
    elif graph_iri or allow_update:
        raise KGBuilderError("--graph and --allow-update go with --endpoint URL")
    dataset = Path(dataset) if dataset is not None else None
    if dataset is None and (name or list_saved):
        raise KGBuilderError("--name and --list need DATASET (its queries/ folder) before QUERY")
    given = [x for x in (query is not None, query_file is not None, name is not None, list_saved) if x]
    if len(given) != 1:
        raise KGBuilderError("give exactly one of QUERY, -f FILE, --name NAME or --list")
    if list_saved:
        if not has_dataset_yaml(dataset):
            raise KGBuilderError(f"{dataset}: not a dataset folder (no dataset.yaml)")
        items = saved_queries(dataset)
        if not items:
            echo(f"{dataset}: no saved queries (put NAME.rq files in {dataset / 'queries'})")
            return
        width = max(len(q.name) for q in items)
        for q in items:
            echo(f"{q.name:<{width}}  {q.question}".rstrip())
        return
    file_label = None
    if query_file is not None:
        query, file_label = read_query_file(query_file), str(query_file)
    elif name is not None:
        sq = saved_query(dataset, name)
        query, file_label = read_query_file(sq.path, root=dataset), str(sq.path)
    remote = None
    if endpoint is not None:
        from ..remote import RemoteSession

        remote = RemoteSession(endpoint, dataset, graph=graph_iri, allow_update=allow_update,
                               timeout=timeout, limit=limit, infer=infer)
        sent = remote.update_if_update(query)
        if sent:
            echo(sent)
            return
    _run_query(dataset, query, file_label, fmt, output, infer, timeout, limit, remote, store, force)


def _rdf_formats() -> list[str]:
    from ..exports import names

    return names()


def _check_format_name(fmt: str) -> None:
    """Refuse a -F that is no format at all before the query runs (which one fits the answer
    is only known after it ran): from the registry, so ``-F csv`` imports no exporter."""
    from ..registry import names

    check_format(fmt, list(dict.fromkeys([*names("results"), *names("exporter")])))


# ---------------------------------------------------------------- query

def _run_query(dataset: Path, text: str, file_label: str | None, fmt: str | None, output: Path | None,
               infer: bool, timeout: float, limit: int, remote=None, store: str = "auto",
               force: bool = False) -> None:
    if fmt is not None:
        _check_format_name(fmt)
    if remote is None and timeout:
        from ..dataset import preopen_recipe
        from ..sparql.worker import prefork

        # first, before the store is opened (its threads make forking unsafe): the spare
        # starts opening the cached store while this process checks the cache and the query
        # (a warm query's spare was forked before click loaded: kgbuilder.__main__)
        prefork(warmup=lambda: preopen_recipe(dataset, store=store))
    from .. import api
    from ..sparql.results import RESULT_FORMATS as EXTS, result_format_for_path, write_result

    if remote is not None:  # --endpoint: graph.remote.RemoteSession answers like a local graph
        kg, res = remote, remote.query(text, file_label)
    else:
        import warnings

        from ..errors import QueryWarning

        kg = api.open_graph(dataset, store=store)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QueryWarning)
            try:
                res = api.query(kg, text, file=file_label, infer=infer, timeout=timeout or None,
                                limit=limit or None)
            finally:
                # the linter's findings come first, and also when the query then fails
                for w in caught:
                    if issubclass(w.category, QueryWarning):
                        echo(f"warning: {w.message}", err=True)
    graph_result = res.kind in ("CONSTRUCT", "DESCRIBE")
    if fmt is None:
        if output is not None:
            if graph_result:
                from ..exports import format_for_path

                fmt = format_for_path(output)
            else:
                fmt = result_format_for_path(output)
        elif graph_result:
            fmt = "turtle"
        else:
            fmt = "table" if on_terminal() or res.kind == "ASK" else "csv"
    fmt = fmt.lower()
    if graph_result and fmt in EXTS:
        raise KGBuilderError(f"a {res.kind} result is a graph; write it in an RDF format "
                             f"({', '.join(_rdf_formats())}), not {fmt}")
    if not graph_result and fmt not in EXTS:
        raise KGBuilderError(f"a {res.kind} result is a table; write it as {', '.join(EXTS)}, not {fmt}")

    def write(out) -> None:
        if graph_result:
            from ..exports import write_graph     # here: a table answer needs no exporter

            write_graph(res.statements, kg, out, fmt, what=f"a {res.kind} result")
        else:
            write_result(res, out, fmt, kg.prefixes)

    if output is not None:
        from ..atomic import atomic_write

        with atomic_write(output, [dataset] if dataset is not None else [], force=force) as out:
            write(out)
    else:
        import io

        buf = io.BytesIO()
        write(buf)  # format completely first: an error must not leave half a result on stdout
        sys.stdout.flush()
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(buf.getvalue().decode("utf-8"))
        else:
            stream.write(buf.getvalue())
        sys.stdout.flush()
    if res.truncated:
        what = "triples" if graph_result else "rows"
        echo(f"note: stopped at the row limit ({res.limit} {what}); use --limit N for more "
                   "(--limit 0 for all)", err=True)
    if output is not None:
        if res.kind == "ASK":
            detail = "true" if res.boolean else "false"
        else:
            detail = f"{len(res)} {'triples' if graph_result else 'rows'}"
        wrote(output, detail)
