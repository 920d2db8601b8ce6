"""Where sources agree and where they disagree: corroboration and conflicts.

**Corroboration** of a statement is the number of independent sources behind
it: the distinct *origins* of its sources. A source's origin is itself, unless
``dataset.yaml`` says it ``relays`` another source (followed to the end of the
chain) or a named origin (an agency, a ministry); two sources relaying one
origin count once. The build writes a relaying source's origin as
``kg:origin``, so the same count is a SPARQL pattern (docs/rdf-model.md, "Corroboration").

**Conflicts** are statements of a single-valued predicate (``kg:singleValued``
in the ontology: casualty and detention figures, event dates, ages) about the
same subject, claimant, date, place and role whose values cannot both hold:
``317`` and ``1000`` wounded; ``more than 200`` and ``150`` detained (``more
than 200`` and ``300`` can both hold, and ``approximately`` means within 10%);
``2022-01-05`` and ``2022-01-04`` (but not ``2022-01`` and ``2022-01-05``).
Figures with different units count different things and are not compared.

Both are read from the built graph (any store, cached or not), so ``show``,
``stats``, the network exports and ``conflicts`` agree with SPARQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["origin_of", "source_origins", "corroboration", "Support", "support", "Side", "Conflict",
           "find_conflicts"]

from ..curation.model import origin_of  # noqa: E402 - re-exported

_APPROX = 0.10      # "approximately 1000" is taken as 900 to 1100


_ORIGINS = "SELECT ?src ?origin WHERE { ?src a kg:Source ; kg:origin ?origin }"


def source_origins(kg) -> dict[str, str]:
    """Source id -> its origin (a source id, or a named origin's IRI), for the sources that
    relay another (``kg:origin``)."""
    prefix = kg.base + "source/"
    return {src.removeprefix(prefix): origin.removeprefix(prefix) for src, origin in _rows(kg, _ORIGINS)}


def corroboration(sources, origins: dict[str, str]) -> int:
    """How many independent origins a set of source ids amounts to (``origins`` from
    :func:`source_origins`; a source not in it is its own origin)."""
    return len({origins.get(s, s) for s in sources})


@dataclass(frozen=True)
class Support:
    """Who backs a statement: its distinct sources and how many independent origins they are."""

    sources: tuple[str, ...]
    corroboration: int


_SUPPORT = "SELECT ?st ?src WHERE { ?st a kg:Statement ; prov:wasDerivedFrom ?src }"


def support(kg) -> dict[str, Support]:
    """Statement IRI -> :class:`Support`, for every statement of ``kg``."""
    sources: dict[str, set[str]] = {}
    prefix = kg.base + "source/"
    for st, src in _rows(kg, _SUPPORT):
        sources.setdefault(st, set()).add(src.removeprefix(prefix))
    origins = source_origins(kg)
    return {st: Support(tuple(sorted(s)), corroboration(s, origins)) for st, s in sources.items()}


@dataclass(frozen=True)
class Side:
    """One value in a conflict, with the sources that give it and where it is curated."""

    statement: str                 # statement IRI
    value: str                     # as shown: "317 person", "more than 200 person", "2022-01-05"
    sources: tuple[str, ...]
    places: tuple[str, ...]        # FILE:LINE of each piece of evidence


@dataclass(frozen=True)
class Conflict:
    subject: str                   # entity id
    predicate: str
    scope: tuple[tuple[str, str], ...] = ()     # (qualifier, value): claimed_by, date, ...
    sides: tuple[Side, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """``police-killed wounded (claimed by interior-ministry)``."""
        scope = ", ".join(("claimed by " if k == "claimed_by" else f"{k} ") + v for k, v in self.scope)
        return f"{self.subject} {self.predicate}" + (f" ({scope})" if scope else "")


# the qualifiers that scope a single value: one figure per claimant, date, place and role
_SCOPE = (("claimed_by", "claimedBy"), ("date", "date"), ("start", "start"), ("end", "end"),
          ("place", "location"), ("role", "role"))


def _conflict_query(kg, predicates) -> str:
    values = " ".join(f"<{p}>" for p in predicates)
    optional = "\n".join(f"  OPTIONAL {{ ?st kg:{prop} ?{key} }}" for key, prop in _SCOPE)
    return f"""SELECT ?st ?s ?p ?o ?unit ?bound ?precision ?ev ?src ?file {" ".join("?" + k for k, _ in _SCOPE)} WHERE {{
  VALUES ?p {{ {values} }}
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?ev .
  ?ev prov:wasDerivedFrom ?src .
  OPTIONAL {{ ?st kg:quantityUnit ?unit }}
  OPTIONAL {{ ?st kg:quantityBound ?bound }}
  OPTIONAL {{ ?st kg:datePrecision ?precision }}
  OPTIONAL {{ ?st kg:file ?file }}
{optional}
}}"""


def find_conflicts(kg, onto=None) -> list[Conflict]:
    """Every conflict in ``kg``, sorted by subject and predicate. Kept with the build (as
    plain tuples) when ``kg`` has one: the query behind it reads every statement (seconds at
    10k facts on an on-disk store), and `validate` asks on every run."""
    derived = getattr(kg, "derived", None)
    if onto is not None or derived is None:
        return _find_conflicts(kg, onto)
    kept = derived("conflicts", lambda: [
        (c.subject, c.predicate, c.scope, tuple((x.statement, x.value, x.sources, x.places) for x in c.sides))
        for c in _find_conflicts(kg)])
    return [Conflict(subject, predicate, tuple(map(tuple, scope)), tuple(Side(*x) for x in sides))
            for subject, predicate, scope, sides in kept]


def _find_conflicts(kg, onto=None) -> list[Conflict]:
    from ..schemas.ontology import load_ontology

    onto = onto or load_ontology()
    preds = sorted(onto.predicates[p].iri for p in onto.single_valued if p in onto.predicates)
    if not preds:
        return []
    names = onto.predicate_names
    statements: dict[str, dict] = {}
    for row in _rows(kg, _conflict_query(kg, preds), terms=True):
        st, s, p, o, unit, bound, precision, ev, src, file, *scope = row
        rec = statements.setdefault(str(st), {
            "subject": kg.local(s), "predicate": names.get(str(p), str(p)), "object": o,
            "precision": str(precision) if precision is not None else None,
            "unit": str(unit) if unit is not None else None, "bound": str(bound) if bound is not None else None,
            "scope": tuple((key, kg.local(v)) for (key, _), v in zip(_SCOPE, scope) if v is not None),
            "evidence": {}, "file": str(file) if file is not None else "",
        })
        rec["shown"] = _show(rec, kg)
        place = kg.origins.get(str(ev)) or rec["file"]
        rec["evidence"].setdefault(kg.local(src).removeprefix("source/"), set()).add(place)
    groups: dict[tuple, list[str]] = {}
    for st, rec in statements.items():
        groups.setdefault((rec["subject"], rec["predicate"], rec["scope"]), []).append(st)
    out = []
    for (subject, predicate, scope), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda st: (min(_place_key(p) for ps in statements[st]["evidence"].values() for p in ps), st))
        clashing = [a for a in members if any(not _compatible(statements[a], statements[b])
                                              for b in members if b != a)]
        if not clashing:
            continue
        sides = tuple(Side(st, statements[st]["shown"], tuple(sorted(statements[st]["evidence"])),
                           tuple(sorted({p for ps in statements[st]["evidence"].values() for p in ps}, key=_place_key)))
                      for st in clashing)
        out.append(Conflict(subject, predicate, scope, sides))
    out.sort(key=lambda c: (c.subject, c.predicate, c.scope))
    return out


def _rows(kg, sparql: str, *, terms: bool = False):
    """The rows of a SELECT as tuples of strings (or of terms), ``None`` for unbound."""
    for row in kg.query(sparql):
        yield tuple(v if terms or v is None else str(v) for v in row)


def _place_key(place: str):
    file, _, line = place.rpartition(":")
    return (file, int(line)) if line.isdigit() else (place, 0)


def _number(term) -> float | None:
    dt = str(getattr(term, "datatype", "") or "")
    if not dt.endswith(("#integer", "#decimal", "#int", "#double", "#float")):
        return None
    try:
        return float(str(term))
    except ValueError:
        return None


def _interval(value: float, bound: str | None) -> tuple[float, bool, float, bool]:
    """(low, low open, high, high open) of a figure with its bound."""
    inf = float("inf")
    return {
        "at-least": (value, False, inf, True), "more-than": (value, True, inf, True),
        "at-most": (-inf, True, value, False), "less-than": (-inf, True, value, True),
        "approximately": (value * (1 - _APPROX), False, value * (1 + _APPROX), False),
    }.get(bound or "exact", (value, False, value, False))


def _overlap(a, b) -> bool:
    lo, hi = max(a[0], b[0]), min(a[2], b[2])
    lo_open = any(x[1] for x in (a, b) if x[0] == lo)
    hi_open = any(x[3] for x in (a, b) if x[2] == hi)
    return lo < hi or (lo == hi and not lo_open and not hi_open)


def _compatible(a: dict, b: dict) -> bool:
    """Whether two values of one single-valued predicate can both hold."""
    from ..curation.model import date_bounds

    x, y = _number(a["object"]), _number(b["object"])
    if x is not None and y is not None:
        if a["unit"] and b["unit"] and a["unit"].casefold() != b["unit"].casefold():
            return True     # different things counted
        return _overlap(_interval(x, a["bound"]), _interval(y, b["bound"]))
    dt = {str(getattr(t, "datatype", "") or "").rsplit("#", 1)[-1] for t in (a["object"], b["object"])}
    if dt <= {"date", "gYearMonth", "gYear"} and "" not in dt:
        da, db = date_bounds(_as_curated(a)), date_bounds(_as_curated(b))
        return da[0] <= db[1] and db[0] <= da[1]
    return a["object"] == b["object"]


def _as_curated(rec: dict) -> str:
    """A date value at its recorded precision (a month stays a month even when stored as
    its first day), so that a day inside it does not conflict with it."""
    text = str(rec["object"])
    return text[:{"month": 7, "year": 4}.get(rec["precision"] or "", 10)]


_BOUND_TEXT = {"at-least": "at least ", "more-than": "more than ", "at-most": "at most ",
               "less-than": "less than ", "approximately": "approximately "}


def _show(rec: dict, kg) -> str:
    o = rec["object"]
    if not hasattr(o, "language"):      # an entity
        return kg.local(o)
    if rec["precision"] and str(getattr(o, "datatype", "")).endswith(("date", "gYearMonth", "gYear")):
        return _as_curated(rec)
    return figure_text(str(o), rec["bound"], rec["unit"])


def figure_text(value: str, bound: str | None, unit: str | None) -> str:
    """A figure as people read it: ``more than 1000 person``, ``50 KZT per liter``."""
    return _BOUND_TEXT.get(bound or "", "") + value + (f" {unit}" if unit else "")
