"""Issue 14, the endpoint: slow and numerous sockets (8), nothing from a query in the log (16),
no foreign Origin (17), no query decoded with replacement characters (18).

A real `kgbuilder serve` process on 127.0.0.1, real sockets, bounded counts and times.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from processes import stop

from kgbuilder.serve.limits import OncePerCondition

SRJ = "application/sparql-results+json"
ACCESS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \S+ "[A-Z]+ \S+ HTTP/[\d.]+" \d{3} \d+ [\d.]+ms$')


class Served:
    """`kgbuilder serve` in its own process (optionally under ``prlimit``), its stderr collected."""

    def __init__(self, dataset: Path, *args: str, prefix: tuple[str, ...] = ()):
        exe = Path(sys.executable).with_name("kgbuilder")
        self.proc = subprocess.Popen([*prefix, str(exe), "serve", str(dataset), "--port", "0", "--workers", "1",
                                      *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log: list[bytes] = []
        self.port = None
        ready = threading.Event()

        def drain():
            for line in self.proc.stderr:
                self.log.append(line.rstrip(b"\n"))
                m = re.search(rb" at http://127\.0\.0\.1:(\d+)/ ", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(90) or self.port is None:
            self.stop()
            raise RuntimeError("server did not start:\n" + b"\n".join(self.log).decode(errors="replace"))
        self.host = f"127.0.0.1:{self.port}"

    def raw(self, request: bytes, timeout: float = 30, ports: list[int] | None = None) -> bytes:
        """Send ``request`` on a fresh socket; the whole answer. The client port is appended to ``ports``."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            if ports is not None:
                ports.append(s.getsockname()[1])
            s.sendall(request)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
            return out

    def get(self, target: str, headers: str = "") -> tuple[int, bytes]:
        return _status(self.raw(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\nAccept: {SRJ}\r\n{headers}"
                                f"Connection: close\r\n\r\n".encode()))

    def post(self, body: bytes, ctype: str = "application/x-www-form-urlencoded",
             headers: str = "", ports: list[int] | None = None) -> tuple[int, bytes]:
        head = (f"POST /sparql HTTP/1.1\r\nHost: {self.host}\r\nAccept: {SRJ}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\n{headers}Connection: close\r\n\r\n").encode()
        return _status(self.raw(head + body, ports=ports))

    def stop(self) -> None:
        stop(self.proc)


def _status(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, mini_path):
    ds = tmp_path_factory.mktemp("hserve") / "mini"
    shutil.copytree(mini_path, ds)
    return ds


@pytest.fixture(scope="module")
def served(dataset):
    server = Served(dataset, "--header-timeout", "1", "--max-connections", "20")
    yield server
    server.stop()


Q = "SELECT ?s WHERE { ?s a kg:State } LIMIT 1"


# ---------------------------------------------------------------- 17, 18

def test_a_foreign_origin_is_refused(served):
    body = urllib.parse.urlencode({"query": Q}).encode()
    assert served.post(body, headers="Origin: https://evil.example\r\n") == (
        403, b"refused: a request from another site (its Origin header is not this server)\n")
    assert served.post(body, headers="Origin: null\r\n")[0] == 403
    assert served.post(body, headers=f"Origin: http://127.0.0.1:{served.port + 1}\r\n")[0] == 403
    assert served.post(body, headers=f"Origin: http://{served.host}\r\n")[0] == 200
    assert served.post(body, headers=f"Origin: http://localhost:{served.port}\r\n")[0] == 200
    assert served.post(body)[0] == 200


def test_invalid_utf8_in_a_get_query_is_400_with_the_reason(served):
    assert served.get("/sparql?query=SELECT%20%3Fs%20%7B%3Fs%20%3Fp%20%22%FF%22%7D") == (
        400, b"the query string is not valid UTF-8 (percent-encoded byte 0xff is not UTF-8)\n")


def test_invalid_utf8_in_a_form_is_400_with_the_reason(served):
    assert served.post(b"query=SELECT%20%3Fs%20%7B%3Fs%20%3Fp%20%22%FF%22%7D") == (
        400, b"the form is not valid UTF-8 (percent-encoded byte 0xff is not UTF-8)\n")
    assert served.post(b"query=\xff") == (400, b"the form is not valid UTF-8 (byte 0xff at offset 6)\n")


# ---------------------------------------------------------------- 16

def test_nothing_from_a_query_reaches_the_log(served):
    forged = '\r\n2026-01-01T00:00:00 127.0.0.1:1 "GET /admin HTTP/1.1" 200 0 0.1ms\r\n'
    hostile = [
        'SELECT ?x WHERE { BIND("\x1b]0;pwned\x07" AS ?x) }',
        'SELECT ?x WHERE { BIND("abc"^^xsd:integer + 1 AS ?x) }',
        'SELECT ?x WHERE { BIND("2022-13-45"^^xsd:date AS ?x) }  # ' + forged,
        'SELECT ?x WHERE { ?x ?p "FORGEDLITERAL"^^xsd:dateTime }',
        "SELECT ?x WHERE { ?x ?p ?o " + forged,                  # a syntax error
    ]
    # The server logs a request after its answer is sent, so a line of an earlier test's request
    # may still arrive while this one runs: each line is told apart by the client port in it.
    before = len(served.log)
    ports = []
    for q in hostile:
        status, _ = served.post(urllib.parse.urlencode({"query": q}).encode(), ports=ports)
        assert status in (200, 400, 500)
    mine = [re.compile(rb" 127\.0\.0\.1:%d " % p) for p in ports]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(any(m.search(x) for x in served.log[before:]) for m in mine):
        time.sleep(0.05)
    time.sleep(0.3)                                   # a forged extra line would land by now
    lines = served.log[before:]
    assert [sum(1 for x in lines if m.search(x)) for m in mine] == [1] * len(hostile)
    for line in lines:
        assert b"\x1b" not in line and b"pwned" not in line and b"FORGED" not in line
        assert ACCESS.match(line.decode()), line


# ---------------------------------------------------------------- 8

def _slow_sockets(port: int, n: int, partial: bytes) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if partial:
            s.sendall(partial)
        socks.append(s)
    return socks


def _closed_by_server(s: socket.socket, within: float) -> bytes | None:
    """What the server sent before closing ``s``, or None if it kept it open ``within`` seconds."""
    s.settimeout(within)
    out = b""
    try:
        while chunk := s.recv(4096):
            out += chunk
    except socket.timeout:
        return None
    except ConnectionResetError:
        pass
    return out


def test_slow_sockets_are_closed_and_capped(served):
    partial = f"GET /sparql HTTP/1.1\r\nHost: {served.host}\r\nX-Slow: ".encode()
    before = len(served.log)
    start = time.monotonic()
    socks = _slow_sockets(served.port, 30, partial)
    try:
        answers = [_closed_by_server(s, 10) for s in socks]
        elapsed = time.monotonic() - start
    finally:
        for s in socks:
            s.close()
    assert None not in answers                      # every one closed by the server
    busy = [a for a in answers if a.startswith(b"HTTP/1.1 503")]
    assert len(busy) == 10                          # the 10 over the cap of 20, at once
    assert elapsed < 8                              # the other 20 after the 1 s header timeout
    assert served.get("/sparql?" + urllib.parse.urlencode({"query": Q}))[0] == 200
    refusals = [line for line in served.log[before:] if b"refusing connections" in line]
    assert len(refusals) == 1                       # one line for the condition, not one per socket


def test_a_slow_body_is_cut_off_too(served):
    head = (f"POST /sparql HTTP/1.1\r\nHost: {served.host}\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: 1000\r\n\r\nSELECT").encode()
    (s,) = _slow_sockets(served.port, 1, head)
    try:
        assert _closed_by_server(s, 10) is not None
    finally:
        s.close()


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")
def test_a_socket_flood_under_a_small_fd_limit_does_not_starve_or_flood_the_log(dataset):
    server = Served(dataset, "--header-timeout", "2", prefix=("prlimit", "--nofile=256:256"))
    try:
        socks = _slow_sockets(server.port, 300, b"")
        try:
            time.sleep(0.5)
            # while the flood lasts, a normal client is answered (503 at worst), never left hanging
            status, _ = server.get("/sparql?" + urllib.parse.urlencode({"query": Q}))
            assert status in (200, 503)
            closed = [_closed_by_server(s, 10) for s in socks]
            assert None not in closed
        finally:
            for s in socks:
                s.close()
        assert server.get("/sparql?" + urllib.parse.urlencode({"query": Q}))[0] == 200
        text = b"\n".join(server.log)
        assert text.count(b"Too many open files") <= 1 and b"Traceback" not in text
        assert len(server.log) < 10, server.log
    finally:
        server.stop()


def test_one_log_line_per_condition():
    import logging

    guard = OncePerCondition(every=60)
    logger = logging.getLogger("kgbuilder-test-guard")

    def record(msg, exc=None):
        return logger.makeRecord(logger.name, logging.ERROR, __file__, 1, msg, (), exc)

    try:
        raise OSError(24, "Too many open files")
    except OSError as exc:
        err = (type(exc), exc, exc.__traceback__)
    first = record("socket.accept() out of system resource\x1b[2J", err)
    assert guard.filter(first)
    assert first.getMessage() == ("socket.accept() out of system resource\\x1b[2J "
                                  "(OSError: [Errno 24] Too many open files)")
    assert first.exc_info is None
    assert not any(guard.filter(record("socket.accept() out of system resource\x1b[2J", err)) for _ in range(1000))
    assert guard.filter(record("another condition"))
