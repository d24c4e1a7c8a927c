"""The command line: parse arguments, call the facade, print. No logic lives here.

``main`` is the entry point of ``geoplan`` and ``python -m geoplan``.
"""

from geoplan.cli.app import main

__all__ = ["main"]
