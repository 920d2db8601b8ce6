"""One deadline for a whole HTTP exchange with a remote SPARQL server.

urllib's ``timeout`` applies to each socket read, so a server that sends one
byte a second keeps a request alive for ever. Here the connections an opener
makes are registered with a :class:`Deadline`; when it passes, a timer shuts
their sockets down, which wakes any blocked read, and the caller reports the
timeout.
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.request

__all__ = ["Deadline", "deadline_handlers"]


class Deadline:
    """``with deadline:`` arms the timer; ``expired`` tells whether it fired."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._end = time.monotonic() + seconds

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.expired:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                self._shut(sock)

    def check(self) -> None:
        if time.monotonic() > self._end:
            self.expired = True
            raise TimeoutError("deadline passed")

    def __enter__(self) -> "Deadline":
        self._timer = threading.Timer(max(0.0, self._end - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _connection(base, deadline: Deadline):
    class Connection(base):
        def connect(self):
            super().connect()
            deadline.register(self.sock)

    return Connection


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self._conn = _connection(http.client.HTTPConnection, deadline)

    def http_open(self, req):
        return self.do_open(self._conn, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self._conn = _connection(http.client.HTTPSConnection, deadline)

    def https_open(self, req):
        return self.do_open(self._conn, req, context=self._context)


def deadline_handlers(deadline: Deadline) -> list:
    """urllib handlers (http, https) whose connections obey ``deadline``."""
    return [_HTTP(deadline), _HTTPS(deadline)]
