"""The SPARQL safety check, on exactly the text the engine runs.

A query is read once: its ``\\u``/``\\U`` escapes are decoded (SPARQL 1.1
section 19.2 applies them before anything else), then a tokenizer that follows
Oxigraph's own grammar (spargebra's ``parser.rs``: ``#`` comments end at CR or
LF, whitespace is space, tab, CR, LF, keywords are ASCII case-insensitive,
terminals are PEG-greedy) cuts it into tokens. The rules are checked on those
tokens: no ``SERVICE`` keyword anywhere (so not in LATERAL, EXISTS, a
subquery, OPTIONAL, UNION or MINUS either), no ``FROM``/``FROM NAMED``, no
update keyword. The engine is then handed :attr:`SafeQuery.text`, rebuilt from
the tokens, never the user's text, so no difference of opinion between two
parsers (where a comment ends, what an escape means) can hide a keyword:

* comments become a space; the user's own whitespace stays (Oxigraph refuses
  a space in a few places, ``CONCAT (``), so lines and columns mostly agree;
* every bare word must be a SPARQL keyword or built-in of Oxigraph's grammar:
  Oxigraph matches keywords without a word boundary, so a made-up word such
  as ``trueSERVICE`` would be read as ``true`` + ``SERVICE``;
* prefixed names are written out as full IRIs: Oxigraph falls back from
  ``ex:SERVICEb:`` to ``ex:`` + ``SERVICE`` + ``b:`` when the expansion is not
  a valid IRI, so it never sees a prefixed name;
* the first character of each IRI is written as a ``\\u`` escape: Oxigraph
  reads ``<`` as an IRI only when the IRI is valid, else as "less than", and
  ``<1#>`` would then open a comment; with the escape, the "less than"
  reading stops at the backslash with a syntax error.

rdflib is not needed (the engine is pyoxigraph). Error messages are those the
rdflib-based check gave: ``query: SERVICE <...> is not allowed: ...``.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections import namedtuple

from ..errors import QuerySyntaxError, UnsafeQueryError

__all__ = ["Token", "SafeQuery", "check_query", "tokenize", "decode_escapes", "line_col",
           "engine_syntax_error", "KEYWORDS", "UPDATE_WORDS"]

#: every keyword and built-in name Oxigraph's grammar matches with ``i("...")`` (case-insensitive)
KEYWORDS = frozenset(w.upper() for w in """
ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT CONTAINS
COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP ENCODE_FOR_URI EXISTS FILTER
FLOOR FROM GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN INSERT INTO IRI LANG LANGDIR LANGMATCHES LATERAL LCASE
LIMIT LOAD MAX MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER PREDICATE PREFIX RAND
REDUCED REGEX REPLACE ROUND SAMPLE SECONDS SELECT SEPARATOR SERVICE SILENT STR STRAFTER STRBEFORE STRDT STRENDS
STRLANG STRLANGDIR STRLEN STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TO TRIPLE TZ UCASE UNDEF UNION URI
USING UUID VALUES VERSION WHERE WITH YEAR hasLang hasLangDir isBLANK isIRI isLITERAL isNUMERIC isTriple isURI
sameTerm MD5 SHA1 SHA256 SHA384 SHA512
""".split())
#: matched case-sensitively by the grammar
_EXACT_WORDS = frozenset({"a", "true", "false"})
#: words that only occur in SPARQL Update; ADD .. COPY and WITH cannot start a query either
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING")
_QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

# -- terminals, as spargebra defines them (its PN_CHARS_BASE stops at U+FFFD)
_BASE_EXACT = ("\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
               "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD")
_EXTRA_EXACT = "\u00B7\u0300-\u036F\u203F-\u2040"


def _not_ascii_except(ascii_chars: str) -> str:
    """One negated class: the given ASCII characters and every non-ASCII one (cheap to compile)."""
    allowed = re.compile(f"[{ascii_chars}]")
    out, run = [], []
    for c in [*range(128), None]:
        if c is not None and not allowed.fullmatch(chr(c)):
            run.append(c)
            continue
        if run:
            out.append(f"\\x{run[0]:02x}" + (f"-\\x{run[-1]:02x}" if len(run) > 1 else ""))
            run = []
    return "[^" + "".join(out) + "]"


def _token_pattern(exact: bool) -> str:
    """The tokenizer's pattern. ``exact=False``: any non-ASCII character counts as a name
    character. Compiling the exact ranges costs ~100 ms a process (sre expands them char by
    char) and names are nearly always ASCII, so the fast pattern reads the query and the
    exact one re-reads only a name token that has, or is followed by, a non-ASCII character."""

    def cls(ascii_chars: str, extra: str = "") -> str:
        if exact:
            return f"[{ascii_chars}{_BASE_EXACT}{extra}]"
        return _not_ascii_except(ascii_chars)

    base = cls("A-Za-z")
    ch = cls("\\-0-9_A-Za-z", _EXTRA_EXACT)
    ch_colon = cls(":\\-0-9_A-Za-z", _EXTRA_EXACT)
    first_local = cls(":0-9_A-Za-z")
    var_first, var_rest = cls("0-9_A-Za-z"), cls("0-9_A-Za-z", _EXTRA_EXACT)
    plx = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
    pn_prefix = f"{base}{ch}*+(?:\\.++{ch}++)*+"
    pn_local = f"(?:{first_local}|{plx})(?:{ch_colon}|{plx})*+(?:\\.++(?:{ch_colon}|{plx})++)?+"
    esc = r"\\[tbnrf\"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
    exp = "[eE][+-]?[0-9]++"
    return "|".join([
        r"(?P<ws>[ \t\r\n]++)",
        r"(?P<comment>#[^\r\n]*+)",
        r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*+>)",
        f"(?P<string>'''(?:(?:''|')?+(?:[^'\\\\]|{esc}))*+'''"
        f"|\"\"\"(?:(?:\"\"|\")?+(?:[^\"\\\\]|{esc}))*+\"\"\""
        f"|'(?:[^'\\\\\\n\\r]|{esc})*+'"
        f"|\"(?:[^\"\\\\\\n\\r]|{esc})*+\")",
        f"(?P<var>[?$]{var_first}{var_rest}*+)",
        f"(?P<bnode>_:{var_first}{ch}*+(?:\\.++{ch}++)*+)",
        r"(?P<lang>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+)",
        f"(?P<number>(?>[0-9]++\\.[0-9]*+|\\.[0-9]++|[0-9]++){exp}|[0-9]*+\\.[0-9]++|[0-9]++)",
        f"(?P<pname>(?:{pn_prefix})?:(?:{pn_local})?)",
        r"(?P<word>[A-Za-z_][A-Za-z0-9_]*+)",
        r"(?P<punct><<\(|\)>>|<<|>>|\{\||\|\}|\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*/+\-!=<>^|?~])",
    ])


_TOKEN = re.compile(_token_pattern(exact=False))


@functools.lru_cache(maxsize=1)
def _exact_token():
    return re.compile(_token_pattern(exact=True))


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESC = re.compile(r"\\(.)")
_ENGINE_POS = re.compile(r"error at (\d+):(\d+)")


class Token(namedtuple("Token", "kind text start value")):
    """One token: ``kind`` is iri, pname, string, var, bnode, lang, number, word or punct.

    ``start`` is the offset in the original query text; ``value`` the full IRI
    of an iri or pname token (else the text). Named tuples here and in :class:`SafeQuery`,
    not dataclasses: each warm ``query`` makes these classes at start, where dataclasses
    cost ~2 ms each; collections' named tuples, not typing's: a warm query's worker never
    imports ``typing`` (~4 ms).
    """

    __slots__ = ()


class SafeQuery(namedtuple("SafeQuery", "original text kind tokens prefixes ordered file engine_starts",
                           defaults=(False, None, ()))):
    """A query that passed the checks, and the text the engine must run instead of the original.

    ``original`` and ``text`` (str), ``kind`` (SELECT, ASK, ...), ``tokens`` (a list of
    :class:`Token`), ``prefixes`` (dict), ``ordered`` (bool), ``file`` (str or None);
    ``engine_starts`` holds where each token starts in ``text``, for :meth:`origin`.
    """

    __slots__ = ()

    def origin(self, engine_offset: int) -> Token | None:
        """The token the engine text's ``engine_offset`` belongs to (the next one in a gap)."""
        i = bisect.bisect_right(self.engine_starts, engine_offset) - 1
        if i >= 0 and engine_offset < self.engine_starts[i] + len(self._engine_text(i)):
            return self.tokens[i]
        return self.tokens[i + 1] if i + 1 < len(self.tokens) else None

    def _engine_text(self, i: int) -> str:
        nxt = self.engine_starts[i + 1] if i + 1 < len(self.engine_starts) else len(self.text)
        return self.text[self.engine_starts[i]:nxt].rstrip(" \t\r\n")


def decode_escapes(text: str) -> tuple[str, list[tuple[int, int]]]:
    """SPARQL's codepoint escapes decoded in one pass, and where the offsets moved.

    The second value lists (decoded offset, original offset) at each escape,
    so positions in the decoded text map back to what the user wrote.
    """
    if "\\u" not in text and "\\U" not in text:
        return text, []
    out: list[str] = []
    moves: list[tuple[int, int]] = []
    last = length = 0
    for m in _ESCAPE.finditer(text):
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            continue  # not a character: left as written, as Oxigraph does
        out.append(text[last:m.start()])
        length += m.start() - last
        out.append(chr(code))
        length += 1
        moves.append((length, m.end()))
        last = m.end()
    out.append(text[last:])
    return "".join(out), moves


def _original_offset(moves: list[tuple[int, int]], offset: int) -> int:
    i = bisect.bisect_right(moves, (offset, float("inf"))) - 1
    if i < 0:
        return offset
    decoded, original = moves[i]
    return original + (offset - decoded)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``; CR LF, a lone CR and LF each end a line."""
    offset = min(max(offset, 0), len(text))
    head = text[:offset]
    line = head.count("\n") + head.count("\r") - head.count("\r\n") + 1
    start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return line, offset - start + 1


def tokenize(sparql: str, file: str | None = None) -> list[Token]:
    """The tokens of ``sparql`` (escapes decoded, comments and whitespace dropped).

    ``start`` offsets point into ``sparql`` as given. Raises QuerySyntaxError at
    the first character no token can start with, or an unknown bare word.
    """
    tokens, _ = _tokenize(sparql, file)
    return tokens


def _tokenize(sparql: str, file: str | None) -> tuple[list[Token], list[str]]:
    """Tokens, and the whitespace before each (a comment becomes one space)."""
    text, moves = decode_escapes(sparql)
    tokens: list[Token] = []
    gaps: list[str] = []
    gap: list[str] = []
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        kind = m.lastgroup if m else None
        if kind in ("var", "bnode", "pname") and not (m.group().isascii() and text[m.end():m.end() + 1].isascii()):
            m = _exact_token().match(text, pos)
            kind = m.lastgroup if m else None
        if kind is None or (kind == "word" and not _known_word(m.group())):
            start = _original_offset(moves, pos)
            bad = m.group() if m else _bad_token(text, pos)
            _raise_syntax(sparql, start, bad, file)
        if kind == "ws":
            gap.append(m.group())
        elif kind == "comment":
            gap.append(" ")
        else:
            tokens.append(Token(kind, m.group(), _original_offset(moves, pos), m.group()))
            gaps.append("".join(gap))
            gap = []
        pos = m.end()
    return tokens, gaps


def _known_word(word: str) -> bool:
    return word in _EXACT_WORDS or word.upper() in KEYWORDS


def _bad_token(text: str, pos: int) -> str:
    ch = text[pos]
    if ch in "\"'":
        return ch  # an unterminated string or one with a bad escape: name its quote
    if ch == "<":
        return "<"
    m = re.match(r"[^\s{}()\[\],;.]+", text[pos:])
    return m.group(0)[:40] if m else ch


def _raise_syntax(sparql: str, offset: int, token: str, file: str | None) -> None:
    line, col = line_col(sparql, offset)
    shown = token if token.isprintable() else token.encode("unicode_escape").decode("ascii")
    raise QuerySyntaxError(f"syntax error at {shown!r}", line, col, token, file)


def check_query(sparql: str, prefixes: dict[str, str] | None = None, file: str | None = None, *,
                enforce: bool = True) -> SafeQuery:
    """Tokenize, check the safety rules, and rebuild the text the engine will run.

    ``prefixes`` are the dataset's (Oxigraph gets them written out, not as a
    separate argument). ``enforce=False`` skips the rules (the engine text is
    still the rebuilt one). Raises UnsafeQueryError or QuerySyntaxError.
    """
    where = file or "query"
    tokens, gaps = _tokenize(sparql, file)
    if not tokens:
        raise QuerySyntaxError("syntax error: the query is empty", 1, 1, None, file)
    if enforce:
        _check_rules(tokens, where, prefixes)
    known = dict(prefixes or {})
    base: str | None = None
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    out_tokens: list[Token] = []
    kind = ""
    depth = 0
    ordered = False
    for i, tok in enumerate(tokens):
        piece = tok.text
        value = tok.text
        if tok.kind == "pname":
            prev = tokens[i - 1] if i else None
            if prev is not None and prev.kind == "word" and prev.text.upper() == "PREFIX" and tok.text.endswith(":"):
                nxt = tokens[i + 1] if i + 1 < len(tokens) else None
                if nxt is not None and nxt.kind == "iri":
                    known[tok.text[:-1]] = _resolve(base, nxt.text[1:-1])
            else:
                value = _expand(tok, known, sparql, file)
                piece = _engine_iri(value)
        elif tok.kind == "iri":
            value = tok.text[1:-1]
            piece = _engine_iri(value)
            prev = tokens[i - 1] if i else None
            if prev is not None and prev.kind == "word" and prev.text.upper() == "BASE":
                base = _resolve(base, value)
        elif tok.kind == "word":
            up = tok.text.upper()
            if not kind and up in _QUERY_FORMS:
                kind = up
            elif up == "ORDER" and depth == 0 and kind:
                ordered = True
        elif tok.kind == "punct":
            depth += tok.text == "{"
            depth -= tok.text == "}"
        # the user's own spacing: Oxigraph refuses a space in some places (``CONCAT (``)
        parts.append(gaps[i])
        length += len(gaps[i])
        starts.append(length)
        parts.append(piece)
        length += len(piece)
        out_tokens.append(tok if value == tok.text else Token(tok.kind, tok.text, tok.start, value))
    if not kind:
        first = _first_after_prologue(tokens)
        _raise_syntax(sparql, first.start, first.text, file)
    return SafeQuery(sparql, "".join(parts), kind, out_tokens, known, ordered, file, starts)


def _check_rules(tokens: list[Token], where: str, prefixes: dict[str, str] | None) -> None:
    # updates first: "DELETE WHERE" must be named as the update it is, whatever else it holds
    for i, tok in enumerate(tokens):
        if tok.kind == "word" and tok.text.upper() in UPDATE_WORDS:
            op = tok.text.upper()
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.kind == "word" and nxt.text.upper() in ("DATA", "WHERE", "SILENT"):
                op += " " + nxt.text.upper()
            raise UnsafeQueryError(f"{where}: {op} is a SPARQL update; queries are read-only "
                                   "(use SELECT, ASK, CONSTRUCT or DESCRIBE)")
    declared = dict(prefixes or {})
    for i, tok in enumerate(tokens):
        if tok.kind == "pname" and i >= 1 and tokens[i - 1].text.upper() == "PREFIX" and tokens[i + 1:i + 2] \
                and tokens[i + 1].kind == "iri":
            declared[tok.text[:-1]] = tokens[i + 1].text[1:-1]
        if tok.kind != "word":
            continue
        up = tok.text.upper()
        if up == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].text.upper() == "SILENT":
                j += 1
            raise UnsafeQueryError(f"{where}: SERVICE {_shown(tokens, j, declared)}is not allowed: "
                                   "queries never reach the network")
        if up == "FROM":
            named = i + 1 < len(tokens) and tokens[i + 1].text.upper() == "NAMED"
            j = i + 2 if named else i + 1
            raise UnsafeQueryError(f"{where}: {'FROM NAMED' if named else 'FROM'} {_shown(tokens, j, declared)}"
                                   "is not allowed: queries read only the dataset's own graph "
                                   "(use GRAPH to pick a source)")


def _shown(tokens: list[Token], j: int, prefixes: dict[str, str]) -> str:
    """The SERVICE or FROM target as rdflib's n3() showed it: <iri> or ?var."""
    if j >= len(tokens):
        return ""
    tok = tokens[j]
    if tok.kind == "var":
        return "?" + tok.text[1:] + " "
    if tok.kind == "iri":
        return tok.text + " "
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return "<" + prefixes[prefix] + _LOCAL_ESC.sub(r"\1", local) + "> "
        return tok.text + " "
    return ""


def _expand(tok: Token, known: dict[str, str], sparql: str, file: str | None) -> str:
    prefix, _, local = tok.text.partition(":")
    ns = known.get(prefix)
    if ns is None:
        from ..resolve import did_you_mean

        line, col = line_col(sparql, tok.start)
        raise QuerySyntaxError(f"unknown prefix '{prefix}:'" + did_you_mean(prefix, known), line, col,
                               prefix + ":", file)
    return ns + _LOCAL_ESC.sub(r"\1", local)


def _resolve(base: str | None, iri: str) -> str:
    """``iri`` against ``base`` as Oxigraph resolves PREFIX and BASE IRIs (RFC 3986)."""
    if base is None or re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    from urllib.parse import urljoin

    return urljoin(base, iri)


def _engine_iri(value: str) -> str:
    if not value:
        return "<>"
    first = ord(value[0])
    esc = f"\\u{first:04X}" if first <= 0xFFFF else f"\\U{first:08X}"
    return "<" + esc + value[1:] + ">"


def _first_after_prologue(tokens: list[Token]) -> Token:
    i = 0
    while i < len(tokens):
        up = tokens[i].text.upper()
        if up == "BASE":
            i += 2
        elif up == "PREFIX":
            i += 3
        elif up == "VERSION":
            i += 2
        else:
            return tokens[i]
    return tokens[-1]


def engine_syntax_error(exc: Exception, safe: SafeQuery, file: str | None = None) -> QuerySyntaxError:
    """pyoxigraph's SyntaxError on :attr:`SafeQuery.text`, located in the user's text.

    Oxigraph reports the furthest point its grammar got to, as line:column of
    the engine text; the token there is named as the rdflib-based check did.
    """
    file = file or safe.file
    msg = str(exc).splitlines()[0] if str(exc) else "syntax error"
    m = _ENGINE_POS.search(msg)
    if not m:
        return QuerySyntaxError(msg, file=file)
    line, col = int(m.group(1)), int(m.group(2))
    lines = safe.text.split("\n")
    offset = sum(len(x) + 1 for x in lines[:line - 1]) + col - 1
    tok = safe.origin(offset)
    if tok is None:
        end_line, end_col = line_col(safe.original, len(safe.original.rstrip()))
        return QuerySyntaxError("syntax error: the query ends too early", end_line, end_col, None, file)
    tline, tcol = line_col(safe.original, tok.start)
    shown = re.split(r"[\r\n]", tok.text, maxsplit=1)[0][:40]
    return QuerySyntaxError(f"syntax error at {shown!r}", tline, tcol, shown, file)
