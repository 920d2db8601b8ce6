"""The kgbuilder command line: a thin click layer over kgbuilder.api.

``main``, the click group, is :mod:`kgbuilder.cli.group`; this package loads it, and click,
when ``main`` or ``COMMANDS`` is first asked for (``from kgbuilder.cli import main``). The
package itself imports nothing, so that :mod:`kgbuilder.cli.plain`, the click-free front door
of a plain ``kgbuilder query``, runs without click.
"""
__all__ = ["main", "COMMANDS"]


def __getattr__(name: str):
    if name in __all__:
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
