"""Request checks of ``serve`` that stand before any query runs.

* A request that carries an ``Origin`` of another site (or ``null``: a sandboxed
  frame, a file) is refused: without it any page a user visits could POST
  queries to the local endpoint and keep its workers busy (it cannot read the
  answers, CORS sees to that, but it need not).
* A query string or form that is not valid UTF-8 is refused with that reason;
  never decoded with replacement characters and run as some other query.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

__all__ = ["foreign_origin", "strict_form"]


def foreign_origin(headers, hosts: frozenset[str]) -> str | None:
    """The Origin header's value when it names another site than this server, else None."""
    origin = next((v.decode("latin-1") for k, v in headers if k == b"origin"), None)
    if origin is None:
        return None
    try:
        parts = urlsplit(origin)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        host = parts.hostname
    except ValueError:
        return origin
    if parts.scheme not in ("http", "https") or not host:
        return origin                     # "null", a file, an extension
    name = f"[{host}]" if ":" in host else host
    if f"{name}:{port}".lower() in hosts or (port == 80 and name.lower() in hosts):
        return None
    return origin


class NotUTF8(ValueError):
    """The reason a form or query string was refused: the first bad byte and where."""


def strict_form(raw: bytes | str) -> list[tuple[str, str]]:
    """``a=1&b=2`` (percent-encoded) as pairs; raise :class:`NotUTF8` for bytes that are not UTF-8."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotUTF8(f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}") from None
    try:
        return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise NotUTF8(f"percent-encoded byte 0x{exc.object[exc.start]:02x} is not UTF-8") from None
