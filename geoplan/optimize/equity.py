"""Lifting groups (communes) to a floor: a greedy repair on arrays, for the price of a floor.

Every plan states what a "no commune below 50%" floor would add to it. The repair
adds candidates, most floor-relevant people first, until every group has gained the
weight it still needs or nothing more helps; the sites it adds are an upper bound on
what the floor costs on top of the plan.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from geoplan.optimize.greedy import lazy_greedy


def lift_groups(
    weights: np.ndarray, cover: sparse.csr_matrix, groups: np.ndarray, need: np.ndarray
) -> np.ndarray:
    """Candidates that give every group the weight it needs, chosen greedily.

    Parameters
    ----------
    weights : (n_demand,) people per demand column still uncovered (0 where covered)
    cover : csr (n_candidates × n_demand) bool
    groups : (n_demand,) group (commune) index of each column
    need : (n_groups,) people each group still needs to reach its floor

    Returns
    -------
    ndarray of int
        Candidate indices in the order added. Groups that cannot reach their need keep
        what the candidates can give them.

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0]], dtype=bool))
    >>> lift_groups(np.array([4.0, 3.0, 5.0]), cover, np.array([0, 1, 1]), np.array([4.0, 5.0]))
    array([1, 0])
    """
    run = lazy_greedy(
        np.asarray(weights, float), cover, target_weight=0.0, groups=groups, group_need=need
    )
    return run.selected
