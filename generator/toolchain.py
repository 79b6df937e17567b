"""Versions of the tools whose output Day One caches.

Kept apart and light: the render cache's key needs black's version in every
command, and neither importing black nor reading installed package metadata
(``importlib.metadata`` parses every ``METADATA`` file as an e-mail) is cheap.
"""

from __future__ import annotations

from functools import cache


@cache
def black_version() -> str:
    try:
        # black writes its version into this one-line module at build time and
        # reads ``black.__version__`` from it; importing it costs nothing.
        from _black_version import version  # type: ignore[import-untyped]
    except ImportError:  # a build of black without it
        from importlib.metadata import version as installed

        return installed("black")
    return str(version)
