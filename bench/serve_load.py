"""Load test for `kgbuilder serve`: throughput and latency on loopback, with a runaway query.

Starts `kgbuilder serve` on 127.0.0.1 (a free port), then

1. baseline: REQUESTS SPARQL requests from CLIENTS concurrent clients (a mix of saved
   queries and small lookups), every answer checked against the same query run locally;
2. runaway: one query that would run for minutes is sent first; while it runs (until the
   server's time limit kills its worker) the clients send the same mix again.

Prints throughput and p50/p99 latency for both phases and their ratio, and exits 1 on any
failed or wrong answer, or if the runaway was not stopped. Stops the server at the end.

    .venv/bin/python bench/serve_load.py [--dataset DIR] [--requests N] [--clients N] [--workers N]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = [
    "SELECT ?p ?label WHERE { ?p a kg:Person ; rdfs:label ?label }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "ASK { ?s a kg:Statement }",
]


def pick_dataset(arg: str | None) -> Path:
    import kgbuilder
    from kgbuilder.errors import KGBuilderError

    for cand in ([Path(arg)] if arg else [ROOT / "datasets" / "kazakhstan-2022", ROOT / "tests" / "fixtures" / "mini"]):
        try:
            kgbuilder.open_graph(cand)
            return cand
        except KGBuilderError as exc:
            print(f"note: {cand} does not build ({str(exc).splitlines()[0]}); trying the next", file=sys.stderr)
    sys.exit("no dataset builds")


def expected_answers(dataset: Path) -> list[tuple[str, object]]:
    """(query, normalized local answer) for the mix: the saved queries plus SMALL."""
    import kgbuilder
    from kgbuilder.graph.query import execute, saved_queries

    kg = kgbuilder.open_graph(dataset)
    mix = [q.path.read_text(encoding="utf-8") for q in saved_queries(dataset)][:12] + SMALL
    out = []
    for text in mix:
        res = execute(kg, text, timeout=None, limit=None)
        if res.kind == "ASK":
            out.append((text, res.boolean))
        elif res.kind == "SELECT":
            out.append((text, sorted(json.dumps([[v, str(t)] for v, t in zip(res.vars, r) if t is not None])
                                     for r in res.rows)))
    return out


def normalize(body: bytes):
    doc = json.loads(body)
    if "boolean" in doc:
        return doc["boolean"]
    vars_ = doc["head"]["vars"]
    return sorted(json.dumps([[v, b[v]["value"]] for v in vars_ if v in b]) for b in doc["results"]["bindings"])


def ask(url: str, query: str, timeout: float = 60) -> tuple[int, bytes, float]:
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(url + "sparql", data=data, headers={
        "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, time.perf_counter() - t0


def run_phase(url: str, mix, n: int, clients: int, stop_early: threading.Event | None = None):
    """n requests spread over `clients` threads: (latencies, failures, wall seconds, spans).

    ``spans`` holds (start, end) of each request on the perf_counter clock."""
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def client():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            query, want = mix[i % len(mix)]
            t_req = time.perf_counter()
            status, body, dt = ask(url, query)
            with lock:
                latencies.append(dt)
                spans.append((t_req, t_req + dt))
                if status != 200:
                    failures.append(f"HTTP {status}: {body[:120]!r}")
                elif normalize(body) != want:
                    failures.append(f"wrong answer to {query[:60]!r}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - t0, spans


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=8.0, help="the server's per-query time limit")
    args = ap.parse_args()

    dataset = pick_dataset(args.dataset)
    mix = expected_answers(dataset)
    exe = Path(sys.executable).with_name("kgbuilder")
    server = subprocess.Popen([str(exe), "serve", str(dataset), "--port", "0", "--workers", str(args.workers),
                               "--timeout", str(args.timeout), "--limit", "0", "--queue", "256",
                               "--queue-wait", "30"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log_lines = 0
    try:
        url = None
        t_start = time.monotonic()
        for line in server.stderr:
            m = re.search(r" at (http://127\.0\.0\.1:\d+/) ", line)
            if m:
                url = m.group(1)
                break
            if time.monotonic() - t_start > 120:
                break
        if url is None:
            print("the server did not start", file=sys.stderr)
            return 1

        def count_log():
            nonlocal log_lines
            for _ in server.stderr:
                log_lines += 1

        threading.Thread(target=count_log, daemon=True).start()
        print(f"dataset {dataset.name}: {len(mix)} distinct queries; server {url} with {args.workers} workers, "
              f"{args.timeout:g} s limit; {args.clients} clients x {args.requests} requests per phase")
        run_phase(url, mix, 2 * len(mix), args.clients)      # warm-up, not counted

        base, fail1, wall1, _ = run_phase(url, mix, args.requests, args.clients)

        runaway: dict = {}

        def send_runaway():
            runaway["start"] = time.perf_counter()
            runaway["answer"] = ask(url, RUNAWAY, timeout=args.timeout + 30)
            runaway["end"] = time.perf_counter()

        rt = threading.Thread(target=send_runaway)
        rt.start()
        time.sleep(0.2)
        during, fail2, wall2, spans = run_phase(url, mix, args.requests, args.clients)
        finished_first = rt.is_alive()
        rt.join(args.timeout + 60)
        status, body, runaway_s = runaway.get("answer", (0, b"no answer", 0.0))

        def report(name, lat, wall, fails):
            print(f"{name:<22} {len(lat):>5} req  {len(lat) / wall:>7.1f} req/s  "
                  f"p50 {pct(lat, 50) * 1000:>7.1f} ms  p99 {pct(lat, 99) * 1000:>7.1f} ms  "
                  f"max {max(lat) * 1000:>7.1f} ms  failed/wrong {len(fails)}")

        report("baseline", base, wall1, fail1)
        report("with runaway query", during, wall2, fail2)
        print(f"runaway query: HTTP {status} after {runaway_s:.2f} s ({body.decode(errors='replace').strip()[:80]})")
        inside = [e - s for s, e in spans if s >= runaway.get("start", 0) and e <= runaway.get("end", 0)]
        if inside:
            print(f"while the runaway ran:  {len(inside):>5} req answered  p50 {pct(inside, 50) * 1000:>7.1f} ms  "
                  f"p99 {pct(inside, 99) * 1000:>7.1f} ms  max {max(inside) * 1000:>7.1f} ms")
        else:
            print("FAILED: no normal query was answered while the runaway ran")
        print(f"normal load finished {'before' if finished_first else 'after'} the runaway was stopped")
        print(f"ratios (runaway / baseline): throughput {(len(during) / wall2) / (len(base) / wall1):.2f}, "
              f"p50 {pct(during, 50) / pct(base, 50):.2f}, p99 {pct(during, 99) / pct(base, 99):.2f}")
        ok = True
        for f in (fail1 + fail2)[:5]:
            print("FAILED:", f)
        if fail1 or fail2:
            ok = False
        if not inside:
            ok = False
        if status != 503 or b"stopped after" not in body:
            print("FAILED: the runaway query was not stopped by the time limit")
            ok = False
        time.sleep(0.3)
        print(f"access log: {log_lines} lines on stderr")
        return 0 if ok else 1
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
