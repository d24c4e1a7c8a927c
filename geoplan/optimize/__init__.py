"""Site selection on arrays: lazy greedy and an exact HiGHS MILP with a proven gap.

>>> import numpy as np
>>> from scipy import sparse
>>> from geoplan.optimize import max_coverage
>>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1]], dtype=bool))
>>> max_coverage(np.array([3.0, 1.0, 2.0]), cover, k=1).selected.tolist()
[0]
"""

from geoplan.optimize.core import (
    OptimizeResult,
    TargetUnreachableError,
    max_coverage,
    min_sites_for_target,
)
from geoplan.optimize.greedy import lazy_greedy
from geoplan.optimize.phasing import coverage_curve, order_by_marginal_gain, split_into_phases
from geoplan.schema import SOLVERS

__all__ = [
    "SOLVERS",
    "OptimizeResult",
    "TargetUnreachableError",
    "coverage_curve",
    "lazy_greedy",
    "max_coverage",
    "min_sites_for_target",
    "order_by_marginal_gain",
    "split_into_phases",
]
