"""Exception hierarchy: one base, a few specific kinds.

The command line turns any :class:`GeoplanError` into one line on stderr and exit
code 2; messages therefore name the file (and row or field) and the fix.
"""

from __future__ import annotations


class GeoplanError(Exception):
    """Base of every error geoplan raises on purpose."""


class InputError(GeoplanError):
    """An input file or value cannot be used as it is."""


class FormatError(InputError):
    """A file is not in a format geoplan reads, or its content is malformed."""


class CRSError(InputError):
    """A coordinate reference system is missing or does not fit."""


class DataMismatchError(InputError):
    """Inputs that should describe the same place do not (no overlap, wrong totals)."""


class ConfigError(InputError, ValueError):
    """A setting (a :class:`~geoplan.config.PlanConfig` field or its option) is out of range.

    Also a :class:`ValueError`, for code that catches the built-in kind.
    """


class OutputExistsError(GeoplanError):
    """An output file exists and ``overwrite`` was not asked for."""


class OutputPathError(GeoplanError):
    """An output path cannot be written: a file where a folder is needed, or the reverse,
    or a place without write permission."""


class ResourceError(GeoplanError):
    """A run would need more memory than the machine has (e.g. a too fine work grid)."""


class SolverError(GeoplanError):
    """An optimisation problem is infeasible or the solver failed."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that temporary files are removed.

    A :class:`KeyboardInterrupt`, not an ``Exception``: no ``except Exception`` swallows it.

    Attributes
    ----------
    signum : the signal number (15 for SIGTERM, 1 for SIGHUP)
    """

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(f"stopped by {name}")
        self.signum = signum
        self.name = name
