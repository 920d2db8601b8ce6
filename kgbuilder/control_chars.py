"""Control characters: refused in curated text, escaped on the way to a terminal or a log.

A label like ``"A\\x01B"`` breaks RDF/XML, GraphML and GEXF (XML 1.0 cannot hold
it), and ``"\\x1b]0;pwned\\x07"`` in a quote would retitle the terminal of whoever
runs ``validate`` or ``query -F table``. The loaders refuse such characters with
the FILE:LINE of the text (:func:`find_control`); every human-facing printer
passes its text through :func:`escape_control`, the one escaping function.
"""
from __future__ import annotations

import re

__all__ = ["find_control", "control_message", "escape_control"]

# C0 but tab, newline and carriage return; DEL; C1; lone surrogates; the XML non-characters.
# Compiled on first use (~1 ms): only the loaders look for these, not a warm command
_REFUSED = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
_refused: re.Pattern | None = None
# for a terminal or a log line, a carriage return is as dangerous as ESC: it forges lines
# (compiled on first use too: ~1 ms, and a query answered as CSV never escapes)
_TERMINAL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
_terminal: re.Pattern | None = None


def find_control(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None."""
    global _refused
    if _refused is None:
        _refused = re.compile(_REFUSED)
    m = _refused.search(text)
    return None if m is None else f"U+{ord(m.group()):04X}"


def control_message(code: str) -> str:
    """The loaders' one message for a refused character."""
    return f"control character {code} in text: remove it (XML formats and terminals cannot show it)"


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def escape_control(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control character written as ``\\xNN`` (``\\n`` too unless ``newlines``)."""
    global _terminal
    if _terminal is None:
        _terminal = re.compile(_TERMINAL)
    out = _terminal.sub(_escape, text)
    return out if newlines else out.replace("\n", "\\n")
