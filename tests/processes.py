"""A helper the tests that run a `kgbuilder serve` process share."""
from __future__ import annotations

import subprocess

__all__ = ["stop"]


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM ``proc`` (if still running), SIGKILL it after ``grace`` seconds, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
