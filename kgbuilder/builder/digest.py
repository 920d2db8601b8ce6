"""The build cache's one hash: BLAKE2b with a 32-byte digest (64 hex characters).

Every warm command hashes the dataset's files to know its cached build is still the one
they make. ``import hashlib`` loads OpenSSL, ~3 ms on each start, as long as a warm
command's own imports; BLAKE2b is built into CPython (``hashlib.blake2b`` is this very
``_blake2.blake2b``), needs no OpenSSL, and hashes ~700 MB/s here (OpenSSL's SHA-1 ~1.5 GB/s:
~0.1 s more on the 127 MB of a generated 1M-facts dataset).
"""
from __future__ import annotations

try:
    from _blake2 import blake2b as _blake2b
except ImportError:       # a Python built without its own BLAKE2
    from hashlib import blake2b as _blake2b

__all__ = ["digest", "HEX_LENGTH"]

#: the length of ``digest(...).hexdigest()``
HEX_LENGTH = 64


def digest(data: bytes = b""):
    """A new hash object (``update``, ``hexdigest``), fed ``data``."""
    return _blake2b(data, digest_size=HEX_LENGTH // 2)
