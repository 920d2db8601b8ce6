"""Helpers the tests share for the processes they start: a `kgbuilder serve`, query workers."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["stop", "children"]


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM ``proc`` (if still running), SIGKILL it after ``grace`` seconds, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def children(*, zombies: bool, parent: int | None = None) -> list[int]:
    """The child processes of ``parent`` (this process by default): the zombies (killed, not
    reaped yet), or the live ones."""
    me, out = parent or os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and (fields[0] == "Z") == zombies:
                out.append(int(entry.name))
    return out
