"""Load test for `kgbuilder serve` beside its floor: a bare Starlette + pyoxigraph app.

Starts, on 127.0.0.1 (free ports), `kgbuilder serve DATASET` and the floor: a Starlette app
of a dozen lines that answers `/sparql?query=` from a pyoxigraph store holding the same graph
(the same on-disk store opened read-only, or the same quads in memory) with pyoxigraph's own
JSON writer; no checks, no worker, no time limit. The same client (asyncio, CLIENTS
keep-alive connections, each sending its next request when the previous answer is in)
drives both, in alternating rounds:

1. light: one light SELECT, again and again (the target: our throughput >= 0.5x the floor's,
   our p99 <= 3x the floor's);
2. light, every text new: the same SELECT with a different comment each time, so no cache
   of ours helps (figures only);
3. mix: the dataset's saved queries and a few small ones, every answer checked against the
   same query run locally (ours only);
4. runaway: one query that would run for minutes is sent on its own connection; while it
   runs (until the time limit kills its worker) the clients send the light SELECT.

Prints throughput, p50 and p99 of each phase for the floor and ours and the ratios; exits 1
on a wrong or failed answer, a runaway that was not stopped, or a missed target.

    .venv/bin/python bench/serve_load.py [--dataset DIR | --generate FACTS] [--clients 8]
        [--requests N] [--rounds 3] [--workers 2] [--timeout 8]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "SELECT ?p ?label WHERE { ?p a kg:Person ; rdfs:label ?label } LIMIT 20"
SMALL = [
    "SELECT ?p ?label WHERE { ?p a kg:Person ; rdfs:label ?label }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "ASK { ?s a kg:Statement }",
]


# ---------------------------------------------------------------- the floor

def floor_server(spec: str, prefixes_json: str) -> None:
    """The floor app (run in its own process): pyoxigraph answers, Starlette routes."""
    import pyoxigraph as ox
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    prefixes = json.loads(prefixes_json)
    kind, _, arg = spec.partition(":")
    union = False
    if kind == "path":
        # kgbuilder's on-disk store keeps every triple in its source's named graph and the
        # default graph empty: queries read the union of the graphs, as kgbuilder's do
        store = ox.Store.read_only(arg)
        union = True
    else:   # N-Quads of the named graphs; the default graph holds their union, as kgbuilder's
        store = ox.Store()
        store.bulk_load(path=arg, format=ox.RdfFormat.N_QUADS)
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    async def sparql(request):
        res = store.query(request.query_params["query"], prefixes=prefixes, use_default_graph_as_union=union)
        if isinstance(res, ox.QueryBoolean):
            body = json.dumps({"head": {}, "boolean": bool(res)}).encode()
        else:
            body = res.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    app = Starlette(routes=[Route("/sparql", sparql)])
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(f"floor at http://127.0.0.1:{sock.getsockname()[1]}/", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


# ---------------------------------------------------------------- the client

class Conn:
    """One keep-alive HTTP/1.1 connection: GET a path, read the answer (Content-Length)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          "Accept: application/sparql-results+json\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        body = await self.reader.readexactly(int(m.group(1))) if m else b""
        if re.search(rb"(?i)\r\nconnection: *close", head):
            self.writer.close()
            self.reader = self.writer = None
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def path_of(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


async def drive(url: str, queries, n: int, clients: int, check=None):
    """``n`` requests over ``clients`` keep-alive connections: (latencies, failures, wall s)."""
    u = urllib.parse.urlsplit(url)
    paths = [path_of(q) for q in queries]
    latencies: list[float] = []
    failures: list[str] = []
    counter = iter(range(n))

    async def client():
        conn = Conn(u.hostname, u.port)
        try:
            for i in counter:
                t0 = time.perf_counter()
                status, body = await conn.get(paths[i % len(paths)])
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    failures.append(f"HTTP {status}: {body[:120]!r}")
                elif check is not None and not check(i % len(paths), body):
                    failures.append(f"wrong answer to {queries[i % len(paths)][:60]!r}")
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, failures, time.perf_counter() - t0


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of ``pid`` and of its children alive now, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out = [0.0, 0.0]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            out[int(stat.parent.name) != pid] += (int(fields[11]) + int(fields[12])) / tick
    return out[0], out[1]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


# ---------------------------------------------------------------- setup

def start(cmd: list[str], pattern: str, env=None, wait: float = 600) -> tuple[subprocess.Popen, str]:
    """Start ``cmd`` with its stderr going to a file, and wait for ``pattern`` there.

    A file, not a pipe: a pipe needs a thread of this process draining it, and that thread
    would take the GIL from the client at every access-log line the server writes."""
    log = tempfile.NamedTemporaryFile(prefix="serve-load-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, text=True, env=env)
    log.close()
    proc.log_path = log.name
    t0 = time.monotonic()
    while time.monotonic() - t0 < wait and proc.poll() is None:
        with open(log.name, encoding="utf-8", errors="replace") as fh:
            m = re.search(pattern, fh.read(1 << 16))
        if m:
            return proc, m.group(1)
        time.sleep(0.05)
    proc.kill()
    with open(log.name, encoding="utf-8", errors="replace") as fh:
        tail = fh.read()[-2000:]
    os.unlink(log.name)
    sys.exit(f"{cmd[1:3]} did not start:\n{tail}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    os.unlink(proc.log_path)


def expected_answers(kg, dataset: Path, budget: float) -> tuple[list[tuple[str, object]], int]:
    """(query, normalized local answer) for the mix: the saved queries plus SMALL, without
    those that take more than ``budget`` seconds here (8 clients share the workers, so they
    would meet the server's time limit); and how many were left out."""
    from kgbuilder.sparql.query import execute, saved_queries

    mix = [q.path.read_text(encoding="utf-8") for q in saved_queries(dataset)][:12] + SMALL
    out = []
    slow = 0
    for text in mix:
        t0 = time.perf_counter()
        res = execute(kg, text, timeout=None, limit=None)
        if time.perf_counter() - t0 > budget:
            slow += 1
            continue
        if res.kind == "ASK":
            out.append((text, res.boolean))
        elif res.kind == "SELECT":
            out.append((text, sorted(json.dumps([[v, str(t)] for v, t in zip(res.vars, r) if t is not None])
                                     for r in res.rows)))
    return out, slow


def normalize(body: bytes):
    doc = json.loads(body)
    if "boolean" in doc:
        return doc["boolean"]
    vars_ = doc["head"]["vars"]
    return sorted(json.dumps([[v, b[v]["value"]] for v in vars_ if v in b]) for b in doc["results"]["bindings"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path)
    ap.add_argument("--generate", type=int, metavar="FACTS",
                    help="serve a dataset of FACTS facts from bench/generate.py (with its own cache)")
    ap.add_argument("--requests", type=int, default=1000, help="requests per round of a light phase")
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds per light phase")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=8.0, help="the server's per-query time limit")
    ap.add_argument("--floor-server", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor_server:
        floor_server(*args.floor_server)
        return 0

    env = dict(os.environ)
    tmp = tempfile.TemporaryDirectory(prefix="serve-load-")
    if args.generate:
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import generate

        dataset = Path(tmp.name) / f"gen-{args.generate}"
        generate(args.generate, dataset)
        env["KGBUILDER_CACHE_DIR"] = os.environ["KGBUILDER_CACHE_DIR"] = str(Path(tmp.name) / "cache")
    else:
        dataset = args.dataset or ROOT / "datasets" / "kazakhstan-2022"

    import kgbuilder
    from kgbuilder.store.oxigraph import OxigraphStore

    t0 = time.perf_counter()
    kg = kgbuilder.open_graph(dataset)
    print(f"dataset {dataset.name}: {len(kg.store)} quads in {type(kg.store).__name__}"
          f"{' on disk' if getattr(kg.store, 'path', None) else ''} (opened in {time.perf_counter() - t0:.1f} s)")
    mix, slow = expected_answers(kg, dataset, args.timeout / 20)
    if isinstance(kg.store, OxigraphStore) and kg.store.path is not None:
        spec = f"path:{kg.store.path}"
        kg.store.release()      # the floor and our workers open it read-only
    else:
        nq = Path(tmp.name) / "graph.nq"
        with open(nq, "wb") as fh:
            kg.store.dump("nquads", fh)
        spec = f"file:{nq}"
    prefixes = json.dumps(kg.prefixes)
    del kg

    exe = Path(sys.executable).with_name("kgbuilder")
    t0 = time.perf_counter()
    ours, ours_url = start([str(exe), "serve", str(dataset), "--port", "0", "--workers", str(args.workers),
                            "--timeout", str(args.timeout), "--limit", "0", "--queue", "256",
                            "--queue-wait", "30"], r" at (http://127\.0\.0\.1:\d+/) ", env)
    started = time.perf_counter() - t0
    floor, floor_url = start([sys.executable, __file__, "--floor-server", spec, prefixes],
                             r"floor at (http://127\.0\.0\.1:\d+/)", env)
    ok = True
    try:
        print(f"kgbuilder serve: {args.workers} workers, {args.timeout:g} s limit, ready {started:.1f} s "
              f"after start; {args.clients} keep-alive clients, {args.rounds} rounds x {args.requests} "
              "requests per light phase")
        results: dict = {}

        procs = {"floor": floor, "ours": ours}

        def light_phase(name: str, queries_for):
            got = {"floor": ([], 0.0, 0), "ours": ([], 0.0, 0)}
            per_round = {"floor": [], "ours": []}
            cpu = {"floor": [0.0, 0.0], "ours": [0.0, 0.0]}
            for r in range(args.rounds):
                for who, url in (("floor", floor_url), ("ours", ours_url)):
                    c0 = cpu_seconds(procs[who].pid)
                    lat, fails, wall = asyncio.run(drive(url, queries_for(r), args.requests, args.clients))
                    c1 = cpu_seconds(procs[who].pid)
                    cpu[who] = [cpu[who][0] + c1[0] - c0[0], cpu[who][1] + c1[1] - c0[1]]
                    if fails:
                        print(f"FAILED ({who}, {name}): {fails[0]} (+{len(fails) - 1} more)")
                        nonlocal_ok[0] = False
                    old = got[who]
                    got[who] = (old[0] + lat, old[1] + wall, old[2] + len(lat))
                    per_round[who].append(len(lat) / wall)
            results[name] = got
            line = f"{name:<28}"
            for who in ("floor", "ours"):
                lat, wall, n = got[who]
                line += (f"  {who} {statistics.median(per_round[who]):7.0f} req/s (rounds "
                         f"{'/'.join(f'{x:.0f}' for x in per_round[who])}) p50 {pct(lat, 50) * 1000:5.1f} ms "
                         f"p99 {pct(lat, 99) * 1000:5.1f} ms;")
            tf, to = statistics.median(per_round["floor"]), statistics.median(per_round["ours"])
            p99f, p99o = pct(got["floor"][0], 99), pct(got["ours"][0], 99)
            print(line)
            cf = sum(cpu["floor"]) / got["floor"][2] * 1000
            cs, cw = (c / got["ours"][2] * 1000 for c in cpu["ours"])
            print(f"{'':<28}  ratio: throughput {to / tf:.2f}x the floor, p99 {p99o / p99f:.2f}x the floor's; "
                  f"CPU per request: floor {cf:.2f} ms, ours {cs + cw:.2f} ms ({cs:.2f} server + {cw:.2f} workers)")
            return to / tf, p99o / p99f

        nonlocal_ok = [True]
        # both must do the same work: the same rows for the light SELECT (an empty answer
        # from a floor that read the wrong graph would make it look fast)
        answers = {}
        for who, url in (("floor", floor_url), ("ours", ours_url)):
            lat, fails, wall = asyncio.run(drive(url, [LIGHT], 1, 1, check=lambda i, body, who=who:
                                                 answers.setdefault(who, normalize(body)) is not None))
        if not answers.get("floor") or answers.get("floor") != answers.get("ours"):
            print(f"FAILED: the floor and ours answer the light SELECT differently "
                  f"({len(answers.get('floor') or [])} and {len(answers.get('ours') or [])} rows)")
            return 1
        # warm-up, not counted
        asyncio.run(drive(floor_url, [LIGHT], 200, args.clients))
        asyncio.run(drive(ours_url, [LIGHT], 200, args.clients))
        thr, p99 = light_phase("light SELECT", lambda r: [LIGHT])
        light_ok = thr >= 0.5 and p99 <= 3.0
        serial = iter(range(10 ** 9))
        light_phase("light SELECT, new texts", lambda r: [f"# request {next(serial)}\n{LIGHT}"
                                                          for _ in range(args.requests)])

        # the mix, answers checked
        want = [w for _, w in mix]
        lat, fails, wall = asyncio.run(drive(ours_url, [q for q, _ in mix], 8 * len(mix), args.clients,
                                             check=lambda i, body: normalize(body) == want[i]))
        print(f"{'saved-query mix (ours)':<28}  {len(lat) / wall:7.0f} req/s  p50 {pct(lat, 50) * 1000:5.1f} ms  "
              f"p99 {pct(lat, 99) * 1000:5.1f} ms  ({len(mix)} distinct queries, {len(fails)} failed or wrong; "
              f"{slow} saved queries slower than {args.timeout / 20:g} s left out)")
        for f in fails[:5]:
            print("FAILED:", f)
        ok = ok and not fails and nonlocal_ok[0]

        # the runaway, with the light SELECT meanwhile
        async def runaway_phase():
            u = urllib.parse.urlsplit(ours_url)
            conn = Conn(u.hostname, u.port)
            t0 = time.perf_counter()
            task = asyncio.ensure_future(conn.get(path_of(RUNAWAY)))
            ended = []
            task.add_done_callback(lambda _: ended.append(time.perf_counter()))
            await asyncio.sleep(0.2)
            lat, fails, wall = [], [], 0.0
            n_rounds = 0
            while not task.done():
                r_lat, r_fails, r_wall = await drive(ours_url, [LIGHT], 50, args.clients)
                lat += r_lat
                fails += r_fails
                wall += r_wall
                n_rounds += 1
            status, body = await task
            conn.close()
            return status, body, ended[0] - t0, lat, fails, wall

        status, body, runaway_s, lat, fails, wall = asyncio.run(runaway_phase())
        base_lat, base_wall, base_n = results["light SELECT"]["ours"]
        print(f"{'light SELECT during runaway':<28}  ours {len(lat) / wall:7.0f} req/s  p50 {pct(lat, 50) * 1000:5.1f} ms  "
              f"p99 {pct(lat, 99) * 1000:5.1f} ms  ({len(lat)} answered while it ran, {len(fails)} failed); "
              f"throughput {(len(lat) / wall) / (base_n / base_wall):.2f}x ours without it")
        print(f"runaway query: HTTP {status} after {runaway_s:.2f} s ({body.decode(errors='replace').strip()[:70]})")
        if status != 503 or b"stopped after" not in body:
            print("FAILED: the runaway query was not stopped by the time limit")
            ok = False
        if not lat or fails:
            print("FAILED: the other queries were not answered while the runaway ran")
            ok = False
        print(f"target (light SELECT: >= 0.5x the floor's throughput, p99 <= 3x): "
              f"{'met' if light_ok else 'MISSED'} ({thr:.2f}x, {p99:.2f}x)")
        return 0 if ok and light_ok else 1
    finally:
        stop(ours)
        stop(floor)
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
