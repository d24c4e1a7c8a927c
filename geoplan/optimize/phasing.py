"""Order chosen sites by marginal gain, cut them into phases, and trace the curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.errors import InputError
from geoplan.optimize.greedy import lazy_greedy


def order_by_marginal_gain(
    weights: np.ndarray, cover: sparse.spmatrix, selected: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Order ``selected`` candidates so each adds the most weight given those before it.

    Returns the candidate indices in build order and the weight each one adds.
    Sites that add nothing once the others are built come last (gain 0), by index.

    Parameters
    ----------
    weights : float array
        Weight (people) of each demand cell.
    cover : scipy sparse matrix
        Boolean candidates × demand coverage.
    selected : int array
        The chosen candidates, any order.

    Returns
    -------
    (order, gains) : int array and float array
        Candidates in build order, and the weight (people) each adds.

    Examples
    --------
    >>> cover = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0]], dtype=bool))
    >>> weights = np.array([1.0, 1.0, 5.0])
    >>> order, gains = order_by_marginal_gain(weights, cover, np.array([0, 1]))
    >>> order.tolist(), gains.tolist()
    ([1, 0], [6.0, 1.0])
    """
    chosen = np.sort(np.asarray(selected, dtype=np.int64))
    sub = sparse.csr_matrix(sparse.csr_matrix(cover, dtype=bool)[chosen])
    run = lazy_greedy(np.asarray(weights, dtype=float), sub, k=chosen.size)
    rest = np.setdiff1d(np.arange(chosen.size), run.selected)
    order = np.concatenate([chosen[run.selected], chosen[rest]])
    gains = np.concatenate([run.gains, np.zeros(rest.size)])
    return order, gains


def split_into_phases(
    cost_in_order: np.ndarray,
    sites_per_phase: int | None = None,
    budget_per_phase: float | None = None,
) -> np.ndarray:
    """Phase number (1-based) of each site, sites taken in build order.

    With ``sites_per_phase`` every phase holds that many sites (the last may hold
    fewer); with ``budget_per_phase`` a phase closes before the site that would push
    its cost over the budget (a site dearer than the budget gets a phase of its own).

    Parameters
    ----------
    cost_in_order : float array
        Cost of each site in build order (VND).
    sites_per_phase : int or None
        Sites per phase, >= 1.
    budget_per_phase : float or None
        Money per phase, in the unit of ``cost_in_order`` (VND), > 0. Give exactly one
        of the two.

    Returns
    -------
    int array
        Phase of each site, from 1.

    >>> split_into_phases(np.ones(5), sites_per_phase=2).tolist()
    [1, 1, 2, 2, 3]
    >>> split_into_phases(np.array([3.0, 3.0, 5.0, 1.0]), budget_per_phase=6.0).tolist()
    [1, 1, 2, 2]
    """
    cost = np.asarray(cost_in_order, dtype=float)
    if (sites_per_phase is None) == (budget_per_phase is None):
        raise InputError("give exactly one of sites_per_phase or budget_per_phase")
    if sites_per_phase is not None:
        if sites_per_phase < 1:
            raise InputError(f"sites_per_phase must be >= 1, got {sites_per_phase}")
        return np.arange(cost.size) // sites_per_phase + 1
    assert budget_per_phase is not None
    if budget_per_phase <= 0:
        raise InputError(f"budget_per_phase must be positive, got {budget_per_phase}")
    phase = np.empty(cost.size, dtype=np.int64)
    current, spent = 1, 0.0
    for i, site_cost in enumerate(cost):  # a loop over chosen sites (hundreds), not cells
        if spent > 0 and spent + site_cost > budget_per_phase:
            current, spent = current + 1, 0.0
        phase[i] = current
        spent += site_cost
    return phase


def coverage_curve(
    gains_in_order: np.ndarray, baseline_weight: float, total_weight: float
) -> pd.DataFrame:
    """Covered share after 0, 1, 2 … new sites built in order.

    Parameters
    ----------
    gains_in_order : float array
        Weight (people) each new site adds, in build order.
    baseline_weight : float
        Weight covered today, people.
    total_weight : float
        Weight of the whole province, people.

    Returns
    -------
    DataFrame
        ``n_sites`` (0, 1, 2 …) and ``covered_share`` (0..1).

    >>> coverage_curve(np.array([30.0, 10.0]), 50.0, 100.0)["covered_share"].tolist()
    [0.5, 0.8, 0.9]
    """
    covered = baseline_weight + np.concatenate([[0.0], np.cumsum(gains_in_order)])
    return pd.DataFrame(
        {"n_sites": np.arange(covered.size), "covered_share": covered / total_weight}
    )
