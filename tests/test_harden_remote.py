"""Issue 14 item 7: a remote answer is bounded in bytes and in total time, and an answer that is
not HTTP is one error line. Real sockets on 127.0.0.1, served by hostile little servers."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from click.testing import CliRunner

from kgbuilder.cli import main
from kgbuilder.remote import Endpoint, RemoteError

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


class Hostile:
    """A TCP server on loopback that answers each connection with ``behave(conn)``."""

    def __init__(self, behave):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.behave = behave
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(5)
            _read_request(conn)
            self.behave(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def _read_request(conn) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def trickle_body(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                 b"Content-Length: 100000\r\n\r\n")
    for _ in range(600):                     # one byte every 0.1 s: a minute, unless stopped
        if stop.is_set():
            return
        conn.sendall(b" ")
        time.sleep(0.1)


def trickle_head(conn, stop):
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" * 20:
        if stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def not_http(conn, stop):
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")


def flood(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                 b"Content-Length: 2000000000\r\n\r\n")
    chunk = b"[" * 65536
    for _ in range(200):                     # 13 MB at most, far more than the client may read
        if stop.is_set():
            return
        conn.sendall(chunk)


@pytest.fixture
def hostile():
    servers = []

    def make(behave):
        s = Hostile(behave)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


@pytest.mark.parametrize("behave", [trickle_body, trickle_head], ids=["body", "head"])
def test_query_timeout_bounds_the_whole_answer(hostile, behave):
    server = hostile(behave)
    start = time.monotonic()
    res = run("query", "--endpoint", server.url, SELECT, "--timeout", "1")
    elapsed = time.monotonic() - start
    assert (res.exit_code, res.stdout, res.stderr) == (
        1, "", f"Error: {server.url}: no complete answer within 1 s\n")
    assert elapsed < 10


def test_push_timeout_bounds_the_whole_answer(hostile, mini_path):
    server = hostile(trickle_body)
    start = time.monotonic()
    res = run("push", mini_path, "--endpoint", server.url, "--timeout", "1")
    elapsed = time.monotonic() - start
    assert (res.exit_code, res.stderr) == (1, f"Error: {server.url}: no complete answer within 1 s\n")
    assert elapsed < 15


def test_an_answer_that_is_not_http_is_one_line(hostile):
    server = hostile(not_http)
    res = run("query", "--endpoint", server.url, SELECT, "--timeout", "5")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1, "", f"Error: {server.url}: the answer is not HTTP (BadStatusLine): is this a SPARQL endpoint?\n")


def test_the_bytes_read_from_an_answer_are_bounded(hostile):
    server = hostile(flood)
    ep = Endpoint(server.url, timeout=30, max_bytes=1_000_000)
    with pytest.raises(RemoteError) as exc:
        ep.open("POST", server.url, b"query=x", {"Content-Type": "application/x-www-form-urlencoded"})
    assert str(exc.value) == (f"{server.url}: the answer is over 1,000,000 bytes: stopped reading "
                              "(add a LIMIT to the query)")


def test_the_default_bound(hostile):
    assert Endpoint("http://127.0.0.1/sparql").max_bytes == 256 * 1024 * 1024
