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


class ConfigError(InputError):
    """A setting (a :class:`~geoplan.config.PlanConfig` field or its option) is out of range."""


class OutputExistsError(GeoplanError):
    """An output file exists and ``overwrite`` was not asked for."""


class SolverError(GeoplanError):
    """An optimisation problem is infeasible or the solver failed."""
