"""What ``serve`` does against slow and numerous sockets, and how it keeps its log short.

uvicorn arms its keep-alive timer only after a first response, so a client that
connects and then sends its headers a byte a minute (or nothing) holds a socket
for ever; a few hundred of them, and the process runs out of file descriptors,
starves real clients and logs a traceback per failed ``accept``. Here:

* a request must arrive whole (headers and body) within ``header_timeout``
  seconds of the connection, or of the previous answer; else the socket is closed;
* at most ``max_connections`` sockets are open at once (by default half the
  file-descriptor limit): one more is answered 503 and closed at once;
* the ``asyncio`` and ``uvicorn`` loggers print one line per condition per
  minute, without traceback and with control characters escaped.

Query workers log nothing at all (:func:`quiet_worker`): a library warning
could carry query text, and the README promises no query strings in the log.
"""
from __future__ import annotations

import logging
import resource
import time

__all__ = ["guarded_protocol", "default_max_connections", "OncePerCondition", "install_log_guards",
           "quiet_worker", "HEADER_TIMEOUT"]

HEADER_TIMEOUT = 10.0
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
         b"content-length: 30\r\nretry-after: 1\r\nconnection: close\r\n\r\nbusy: too many open connections")


def default_max_connections() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 4096
    # the other half is for the workers' pipes, the store's files and the listening socket
    return max(16, min(1024, soft // 2))


def guarded_protocol(header_timeout: float = HEADER_TIMEOUT, max_connections: int | None = None):
    """uvicorn's h11 protocol with a whole-request deadline and a cap on open sockets."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    cap = max_connections or default_max_connections()

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._deadline = None
            self._refused = len(self.connections) > cap
            if self._refused:
                # answer 503 and half-close; closing at once with the request unread would
                # make the kernel send a reset, and the client would never see the 503
                transport.write(_BUSY)
                if transport.can_write_eof():
                    transport.write_eof()
                self.loop.call_later(0.25, transport.close)
                logging.getLogger("uvicorn.error").warning(
                    "refusing connections: %d open, the cap is %d", len(self.connections), cap)
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            if not self._refused:
                super().data_received(data)

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self.loop.call_later(header_timeout, self._expire)

        def _expire(self) -> None:
            # IDLE: no complete request head yet; SEND_BODY: the body is still trickling in
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc) -> None:
            if getattr(self, "_deadline", None) is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

    GuardedH11Protocol.cap = cap
    return GuardedH11Protocol


class OncePerCondition(logging.Filter):
    """Let one record per (logger, message) through per ``every`` seconds, as one clean line."""

    def __init__(self, every: float = 60.0):
        super().__init__()
        self.every = every
        self._last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        from ..control_chars import escape_control

        key = (record.name, str(record.msg))
        now = time.monotonic()
        if now - self._last.get(key, -self.every - 1) < self.every:
            return False
        self._last[key] = now
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})"
        record.msg, record.args = escape_control(text, newlines=False), None
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def install_log_guards(every: float = 60.0) -> OncePerCondition:
    guard = OncePerCondition(every)
    for name in ("asyncio", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerCondition) for f in logger.filters):
            logger.addFilter(guard)
    return guard


def quiet_worker() -> None:
    """A query worker's only channel is its pipe: no log records, no warnings, no tracebacks
    on stderr (a library's message or a crash's traceback could quote the query)."""
    import os
    import sys
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    sys.stderr = open(os.devnull, "w")
