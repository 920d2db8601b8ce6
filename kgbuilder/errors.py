"""kgbuilder's exception tree.

The CLI turns every :class:`KGBuilderError` into ``Error: ...`` lines and exit
code 1; any other exception is a bug and keeps its traceback.
"""
from __future__ import annotations

from collections import namedtuple

__all__ = [
    "Diagnostic",
    "KGBuilderError",
    "DatasetError",
    "ValidationError",
    "QueryError",
    "QuerySyntaxError",
    "UnsafeQueryError",
    "QueryTimeoutError",
    "QueryWarning",
    "EntityNotFoundError",
    "ExportError",
]


class Diagnostic(namedtuple("Diagnostic", "file line message column", defaults=(None,))):
    """One problem in a curated file, located as precisely as we can: ``file`` (str),
    ``line`` (int or None), ``message`` (str), ``column`` (int or None, the default).

    Immutable, hashable and ordered by (file, line, message, column). A named tuple, not a
    dataclass: every command imports this module, and making a frozen, ordered dataclass costs
    more at start (~2.5 ms) than the rest of the module; and collections' named tuple, not
    typing's, which would import ``typing`` (~4 ms) before a warm query forks its worker.
    """

    __slots__ = ()

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class KGBuilderError(Exception):
    """Base class of every error kgbuilder raises on purpose."""

    def lines(self) -> list[str]:
        """The message as the lines the CLI prints after ``Error: ``."""
        return [str(self)]


class DatasetError(KGBuilderError):
    """The curated dataset cannot be read: it carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(diagnostics, None, "")]
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def lines(self) -> list[str]:
        return [str(d) for d in self.diagnostics]


class ValidationError(DatasetError):
    """The dataset loads but breaks the ontology or the SHACL shapes."""


class QueryError(KGBuilderError):
    """A SPARQL query could not be run."""


class _Placed:
    """A message that names where in a query it applies: ``FILE:LINE:COLUMN: message``."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 token: str | None = None, file: str | None = None):
        self.message = message
        self.line, self.column, self.token, self.file = line, column, token, file
        where = file or "query"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # a query worker sends it back pickled: rebuild it from its parts, not from the full text
        return type(self), (self.message, self.line, self.column, self.token, self.file)


class QuerySyntaxError(_Placed, QueryError):
    """A SPARQL query does not parse; carries line, column and token."""


class UnsafeQueryError(QueryError):
    """A query asks for something the safety rules forbid (UPDATE, SERVICE, FROM)."""


class QueryTimeoutError(QueryError):
    """A query ran past its time limit and was stopped."""


class QueryWarning(_Placed, UserWarning):
    """A query runs, but part of it cannot match: an IRI in neither the dataset nor the
    ontology, a literal of another datatype than the property's values. Carries the
    place like QuerySyntaxError; the CLI prints it as ``warning: ...`` on stderr."""


class EntityNotFoundError(KGBuilderError):
    """A name does not resolve to an entity (the message has 'did you mean')."""


class ExportError(KGBuilderError):
    """An export could not be written; the previous file is left untouched."""
