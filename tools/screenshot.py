"""Screenshot of a dataset's explorer page, taken the way tests/test_html_browser.py loads it.

    .venv/bin/python tools/screenshot.py datasets/kazakhstan-2022 -o docs/explorer.png \\
        --select toqaev --search Токаев

Exports the page to a temporary folder, opens it in Debian's headless chromium through
Playwright with every request but the file itself aborted, waits for the first drawn picture,
optionally selects an entity (details panel and neighbourhood highlight) and types a search,
and writes a PNG. Exits 1 with one line if anything fails, or if the page made a request or
logged an error.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["screenshot", "main"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(dataset: Path, out: Path, *, width: int = 1600, height: int = 1000, select: str | None = None,
               search: str | None = None, timeout_s: float = 120) -> str:
    """Write the PNG; return a one-line summary of what was drawn."""
    import kgbuilder
    from kgbuilder.atomic import atomic_write
    from kgbuilder.exports import export
    from playwright.sync_api import sync_playwright

    kg = kgbuilder.open_graph(dataset)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = Path(tmp) / "explorer.html"
        export(kg, page_path, "html")
        url = page_path.as_uri()
        ctx = p.chromium.launch_persistent_context(str(Path(tmp) / "profile"), executable_path=CHROMIUM,
                                                   headless=True, args=ARGS,
                                                   viewport={"width": width, "height": height})
        try:
            tab = ctx.new_page()
            leaked, errors = [], []
            tab.on("request", lambda r: leaked.append(r.url) if r.url != url else None)
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
            tab.goto(url)
            deadline = time.monotonic() + timeout_s
            # polled: wait_for_function would eval a string, which the page's CSP forbids
            while not tab.evaluate("() => !!(window.kgExplorer && window.kgExplorer.ready)"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the page did not settle within {timeout_s:.0f} s")
                time.sleep(0.1)
            if select:
                if not tab.evaluate("id => kgExplorer.data.nodes.some(n => n.id === id)", select):
                    raise RuntimeError(f"--select: no entity '{select}' in {dataset}")
                tab.evaluate("id => kgExplorer.select('node', id, false)", select)
            if search:
                tab.fill("#kg-search", search)
            tab.wait_for_timeout(300)
            png = tab.screenshot()
            if leaked or errors:
                raise RuntimeError(f"the page requested {leaked or 'nothing'} and logged {errors or 'no error'}")
            counts = tab.text_content("#kg-counts")
        finally:
            ctx.close()
    with atomic_write(out) as fh:
        fh.write(png)
    return f"{out}: {width}x{height}, {counts}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--width", type=int, default=1600)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--select", metavar="ENTITY", help="entity id to select (details, highlight)")
    ap.add_argument("--search", metavar="TEXT", help="text to type into the search box")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kgbuilder.errors import KGBuilderError

    if not Path(CHROMIUM).exists():
        print("Error: chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 1
    try:
        print(screenshot(args.dataset, args.output, width=args.width, height=args.height,
                         select=args.select, search=args.search))
    except ImportError as exc:
        print(f"Error: {exc.name} is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 1
    except (KGBuilderError, RuntimeError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
