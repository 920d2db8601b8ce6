"""The small base classes every exporter shares.

An exporter is a name, a file extension, a media type, a kind and
``serialize(kg, out)``, in the style of LinkML's generators. ``kg`` is a
KnowledgeGraph or the filtered copy kgbuilder.questions.subgraph makes: exporters
only read ``kg.store``, ``kg.graph``, ``kg.dataset``, ``kg.prefixes`` and
``kg.to_networkx()``.

Exporters whose output can be several files (``multi_file``) also implement
``write_folder(kg, folder)``: the pipeline hands them an empty temporary folder
that replaces the target only when complete (kgbuilder.atomic.atomic_folder).
``verify(kg, path)`` reads a finished temporary output back before it is
renamed into place; raising ExportError there keeps the previous output.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, ClassVar

__all__ = ["Exporter", "RDFExporter", "counted", "tidy"]


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Exporter:
    """One output format: a name, a file extension, a media type and ``serialize``."""

    name: ClassVar[str] = ""
    file_extension: ClassVar[str] = ""
    media_type: ClassVar[str] = ""
    #: rdf, network, table or page: what kind of output this is
    kind: ClassVar[str] = "rdf"
    #: True when the output is a folder or archive rather than one file
    multi_file: ClassVar[bool] = False
    #: the file names write_folder creates (an existing folder holding only
    #: these may be replaced; anything else in it is refused)
    folder_files: ClassVar[tuple[str, ...]] = ()

    #: what the last serialize wrote, e.g. "465 triples" (for the CLI's message)
    written: str = ""

    def serialize(self, kg, out: BinaryIO, **options: Any) -> None:
        raise NotImplementedError

    def write_folder(self, kg, folder: Path, **options: Any) -> None:
        raise NotImplementedError(f"{self.name} does not write folders")

    def verify(self, kg, path: Path, **options: Any) -> None:
        """Check the finished output at ``path`` (a temp file or folder); raise ExportError."""


class RDFExporter(Exporter):
    """An RDF syntax written by pyoxigraph from the graph encoded as N-Quads text.

    Every output is parsed back by pyoxigraph and compared with the graph
    before it replaces the previous file (see rdfio.verify_written).
    """

    kind = "rdf"
    rdflib_format: ClassVar[str] = ""
    #: the pyoxigraph.RdfFormat member that writes and reads this syntax
    ox_format: ClassVar[str] = ""
    #: whether the format keeps named graphs
    quads: ClassVar[bool] = False
    #: up to this many statements the output gets a cosmetic pass (4-space
    #: indents, a blank line between subjects, sorted prefixes); above it
    #: pyoxigraph's output streams straight to the file
    pretty_limit: ClassVar[int] = 0
    #: whether pyoxigraph gets the statements grouped by subject (the
    #: syntaxes that abbreviate a subject's triples)
    grouped: ClassVar[bool] = False
    #: whether a big graph is written as a stream from its store (rdfio.StoreHub) rather
    #: than encoded as text in memory first
    streams: ClassVar[bool] = True

    def rdflib_graph(self, kg, **options: Any):
        if self.quads:
            ds = kg.dataset
            for name, ns in kg.prefixes.items():
                ds.bind(name, ns, override=True, replace=True)
            return ds
        return kg.graph

    def hub(self, kg, *, stream: bool = True):
        """The content written: canonical N-Triples/N-Quads text, or a stream from the store for
        a big graph (kept for verify)."""
        cached = getattr(self, "_hub", None)
        if cached is not None and cached[0] is kg:
            return cached[1]
        from .rdfio import make_hub

        hub = make_hub(kg, quads=self.quads, grouped=self.grouped, stream=self.streams and stream)
        self._hub = (kg, hub)
        return hub

    def engine(self, kg, engine: str = "auto") -> str:
        """pyoxigraph, always, unless rdflib is asked for (bench/ compares them).

        rdflib's Turtle is not used even for small graphs: it rewrites typed
        literals into its canonical form (``"50"^^xsd:decimal`` becomes
        ``50.0``, a different RDF term, which the parse-back check rejects),
        and it is slow and superlinear (14 s for 20k triples here)."""
        return "rdflib" if engine == "rdflib" else "oxigraph"

    def serialize(self, kg, out: BinaryIO, *, engine: str = "auto", **options: Any) -> None:
        rdflib = self.engine(kg, engine) == "rdflib"
        hub = self.hub(kg, stream=not rdflib)     # rdflib writes: the hub counts and checks
        if rdflib:
            graph = self.rdflib_graph(kg, **options)
            graph.serialize(destination=out, format=self.rdflib_format, encoding="utf-8")
        else:
            self.write_oxigraph(kg, hub, out)
        self.written = counted(hub.count, "quad" if self.quads else "triple")

    def write_oxigraph(self, kg, hub, out: BinaryIO) -> None:
        prefixes = hub.prefixes(kg.prefixes)
        if hub.streamed or hub.count > self.pretty_limit:
            hub.dump(out, self.ox_format, prefixes)
            return
        import io

        buf = io.BytesIO()
        hub.dump(buf, self.ox_format, prefixes)
        out.write(tidy(buf.getvalue()))

    def verify(self, kg, path: Path, **options: Any) -> None:
        from .rdfio import verify_written

        verify_written(self.hub(kg), path, self.ox_format, what=f"{self.name} export")


def tidy(text: bytes) -> bytes:
    """pyoxigraph's Turtle/TriG, easier on the eye: prefixes sorted, 4-space
    indents, a blank line after each subject's block and each graph.

    Only whitespace between tokens changes: pyoxigraph writes every literal
    on one line (newlines escaped), so a line ending in " ." ends a statement.
    """
    lines = text.decode("utf-8").split("\n")
    head = [line for line in lines if line.startswith("@prefix ")]
    body = [line for line in lines[len(head):] if line]
    out = sorted(head) + [""] if head else []
    for line in body:
        stripped = line.lstrip("\t")
        out.append("    " * (len(line) - len(stripped)) + stripped)
        if line.endswith(" .") or line == "}":
            out.append("")
    return "\n".join(out).rstrip("\n").encode("utf-8") + b"\n"
