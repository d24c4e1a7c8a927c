"""Share a number of sites among provinces, given each province's coverage curve.

A curve ``c`` gives the people a province's first ``k`` new sites add (``c[0] = 0``,
``c[k]`` for ``k`` sites, as long as the province has sites to offer). The allocation
``x`` maximises ``sum_p c_p[x_p]`` with ``sum_p x_p <= n`` (and ``x_p >= floor_p``).

* **Concave curves** (non-increasing marginal gains, as a greedy order gives): taking
  the ``n`` largest marginal gains over all provinces is exact. Each province's
  marginals are taken in order, so the choice is a prefix of every curve.
* **A curve that is not concave**: an exact dynamic programme over the provinces when
  it is small (``n × total curve length`` within ``dp_limit``); otherwise the merge on
  the curves' upper concave envelopes, with the envelope's total as an upper bound and
  the gap reported (``method == "envelope"``).

>>> alloc = allocate([[0, 5, 8, 9], [0, 6, 7]], 3)
>>> alloc.sites.tolist(), alloc.total_gain, alloc.method
([2, 1], 14.0, 'merge')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from geoplan.errors import InputError

#: Largest ``sites × total curve length`` solved by the exact dynamic programme.
DP_LIMIT = 2_000_000
#: Relative slack in the concavity test (a greedy's gains are sums of floats).
CONCAVE_RTOL = 1e-9

Method = Literal["merge", "dp", "envelope"]


@dataclass(frozen=True)
class Allocation:
    """How many sites each curve gets.

    Attributes
    ----------
    sites : int array, sites per curve
    gain : float array, each curve's value at its sites (people)
    total_gain : sum of ``gain`` (people)
    bound : upper bound on the best total for the same number of sites; equal to
        ``total_gain`` for ``"merge"`` and ``"dp"`` (proven optimal)
    method : ``"merge"`` (all curves concave), ``"dp"`` (exact dynamic programme) or
        ``"envelope"`` (merge on the upper concave envelopes; ``bound`` from them)
    concave : bool array, whether each curve is concave
    floors : int array, the sites each curve had to get first
    n_sites : sites asked for (or, with a target, the fewest found to reach it)
    unused : sites of ``n_sites`` left unplaced (no curve had a gain left for them)
    """

    sites: np.ndarray
    gain: np.ndarray
    total_gain: float
    bound: float
    method: Method
    concave: np.ndarray
    floors: np.ndarray
    n_sites: int
    unused: int

    @property
    def gap(self) -> float:
        """``(bound - total_gain) / bound``, 0 when proven optimal."""
        return (self.bound - self.total_gain) / self.bound if self.bound > 0 else 0.0


def as_curve(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """A coverage curve as a float array starting at 0 (raises InputError otherwise).

    >>> as_curve([0, 2, 3]).tolist()
    [0.0, 2.0, 3.0]
    """
    curve = np.asarray(values, dtype=float).ravel()
    if curve.size == 0 or curve[0] != 0 or not np.isfinite(curve).all():
        raise InputError("a coverage curve starts at 0 (no new site, no gain) and is finite")
    return curve


def is_concave(curve: np.ndarray, rtol: float = CONCAVE_RTOL) -> bool:
    """Whether the marginal gains of ``curve`` never increase (up to ``rtol`` of the largest).

    >>> is_concave(np.array([0.0, 5, 8, 9])), is_concave(np.array([0.0, 1, 5]))
    (True, False)
    """
    marginal = np.diff(curve)
    if marginal.size < 2:
        return True
    slack = rtol * max(float(np.abs(marginal).max()), 1.0)
    return bool((np.diff(marginal) <= slack).all())


def upper_concave_envelope(curve: np.ndarray) -> np.ndarray:
    """The least concave function above ``curve``, at every whole number of sites.

    Parameters
    ----------
    curve : float array
        Value (people) after 0, 1, 2 … sites.

    Returns
    -------
    float array
        Same length, ``>= curve`` everywhere, equal at the hull's vertices.

    Examples
    --------
    >>> upper_concave_envelope(np.array([0.0, 1, 5, 6])).tolist()
    [0.0, 2.5, 5.0, 6.0]
    """
    hull: list[int] = []
    for k in range(curve.size):  # monotone chain over the curve's points (one per site)
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or below the chord a -> k
            if (curve[b] - curve[a]) * (k - a) <= (curve[k] - curve[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(k)
    return np.interp(np.arange(curve.size), hull, curve[hull])


def allocate(
    curves: Sequence[Sequence[float] | np.ndarray],
    n_sites: int | None = None,
    *,
    target_gain: float | None = None,
    floors: Sequence[int] | np.ndarray | None = None,
    dp_limit: int = DP_LIMIT,
) -> Allocation:
    """The best split of ``n_sites`` among the curves (or the fewest that reach a target).

    Parameters
    ----------
    curves : sequence of float arrays
        Per province, the people its first 0, 1, 2 … new sites add (``c[0] = 0``).
    n_sites : int, optional
        Sites to share out, >= 0.
    target_gain : float, optional
        Instead of ``n_sites``: the people the sites must add in total; the fewest sites
        that reach it (InputError when even every curve's end falls short).
    floors : int array, optional
        Sites each curve gets first (e.g. to lift every province to a share); each at
        most its curve's length - 1 and together at most ``n_sites``.
    dp_limit : int
        Largest ``n_sites × total length`` solved exactly when a curve is not concave.

    Returns
    -------
    Allocation
        Sites per curve, the gains, and how exact the split is.

    Examples
    --------
    >>> allocate([[0, 5, 8], [0, 6, 7]], 2, floors=[0, 2]).sites.tolist()
    [0, 2]
    >>> allocate([[0, 5, 8], [0, 6, 7]], target_gain=11).sites.tolist()
    [1, 1]
    """
    shaped = [as_curve(c) for c in curves]
    low = _floors(floors, shaped)
    if (n_sites is None) == (target_gain is None):
        raise InputError("give exactly one of n_sites or target_gain")
    if n_sites is not None and n_sites < 0:
        raise InputError(f"sites to allocate must be >= 0, got {n_sites}")
    if n_sites is not None and n_sites < low.sum():
        raise InputError(
            f"the floors need {int(low.sum()):,} sites, more than the {n_sites:,} given"
        )
    # what is left after the floors: each curve shifted to start at its floor
    rest = [c[f:] - c[f] for c, f in zip(shaped, low, strict=True)]
    concave = np.array([is_concave(c) for c in shaped])
    base = float(sum(c[f] for c, f in zip(shaped, low, strict=True)))
    longest = sum(c.size - 1 for c in rest)
    left = None if n_sites is None else int(n_sites - low.sum())
    if all(is_concave(c) for c in rest):
        method: Method = "merge"
        extra, bound_extra = _merge(rest, rest, left, _target_left(target_gain, base))
    elif (longest if left is None else left) * (longest + 1) <= dp_limit:
        method = "dp"
        extra, bound_extra = _dp(rest, left, _target_left(target_gain, base))
    else:
        method = "envelope"
        hulls = [upper_concave_envelope(c) for c in rest]
        extra, bound_extra = _merge(hulls, rest, left, _target_left(target_gain, base))
    sites = low + extra
    gain = np.array([c[x] for c, x in zip(shaped, sites, strict=True)])
    total = float(gain.sum())
    asked = int(sites.sum()) if n_sites is None else int(n_sites)
    bound = total if method != "envelope" else max(total, base + bound_extra)
    return Allocation(
        sites, gain, total, bound, method, concave, low, asked, asked - int(sites.sum())
    )


def _floors(floors: Sequence[int] | np.ndarray | None, curves: list[np.ndarray]) -> np.ndarray:
    if floors is None:
        return np.zeros(len(curves), dtype=np.int64)
    low = np.asarray(floors, dtype=np.int64)
    if low.shape != (len(curves),) or (low < 0).any():
        raise InputError("floors: one whole number >= 0 per curve")
    too_long = np.flatnonzero(low > np.array([c.size - 1 for c in curves]))
    if too_long.size:
        i = int(too_long[0])
        raise InputError(f"floor of curve {i}: {low[i]} sites, but it has {curves[i].size - 1}")
    return low


def _target_left(target_gain: float | None, base: float) -> float | None:
    return None if target_gain is None else max(float(target_gain) - base, 0.0)


def _merge(
    keys: list[np.ndarray], curves: list[np.ndarray], n_sites: int | None, target: float | None
) -> tuple[np.ndarray, float]:
    """Take the largest marginal gains of ``keys`` over all curves, each curve in order.

    Exact for concave curves (``keys`` = ``curves``); with ``keys`` the envelopes of
    ``curves`` the envelopes' total is an upper bound. With a target, sites are taken
    until ``curves`` (the true values, non-decreasing along the order) reach it.

    Returns the sites per curve and the ``keys``' total at them.
    """
    # a greedy's gains are non-increasing up to rounding: make them exactly so, so that
    # every curve is taken as a prefix
    marginals = [np.minimum.accumulate(np.diff(k)) for k in keys]
    key = np.concatenate([np.zeros(0), *marginals])
    true = np.concatenate([np.zeros(0), *(np.diff(c) for c in curves)])
    owner = np.concatenate(
        [np.zeros(0, np.int64), *(np.full(m.size, i, np.int64) for i, m in enumerate(marginals))]
    )
    position = np.concatenate([np.zeros(0, np.int64), *(np.arange(m.size) for m in marginals)])
    order = np.lexsort((position, owner, -key))
    useful = order[key[order] > 0]
    if target is None:
        assert n_sites is not None
        taken = useful[:n_sites]
    elif target <= 0:
        taken = useful[:0]
    else:
        reach = np.cumsum(true[useful])
        hit = np.flatnonzero(reach >= target * (1 - 1e-12))
        if hit.size == 0:
            got = float(reach[-1]) if reach.size else 0.0
            raise InputError(
                f"the target needs {target:,.0f} more people; all curves add {got:,.0f}"
            )
        taken = useful[: int(hit[0]) + 1]
    sites = np.bincount(owner[taken], minlength=len(keys)).astype(np.int64)
    return sites, float(key[taken].sum())


def _dp(
    curves: list[np.ndarray], n_sites: int | None, target: float | None
) -> tuple[np.ndarray, float]:
    """Exact split for any curves: best total for every number of sites, province by province."""
    cap = n_sites if n_sites is not None else sum(c.size - 1 for c in curves)
    best = np.zeros(cap + 1)  # best[k]: best total with at most k sites over the curves so far
    choices = []
    for curve in curves:
        # new[k] = max over j <= k of best[k - j] + curve[j]
        length = min(curve.size, cap + 1)
        table = np.full((length, cap + 1), -np.inf)
        for j in range(length):
            table[j, j:] = best[: cap + 1 - j] + curve[j]
        pick = np.argmax(table, axis=0)  # the first (fewest sites) among equal totals
        best = table[pick, np.arange(cap + 1)]
        choices.append(pick)
    if target is None:
        k = cap
    else:
        hit = np.flatnonzero(best >= target * (1 - 1e-12))
        if hit.size == 0:
            raise InputError(
                f"the target needs {target:,.0f} more people; all curves add {best[-1]:,.0f}"
            )
        k = int(hit[0])
    sites = np.zeros(len(curves), np.int64)
    for i in range(len(curves) - 1, -1, -1):  # walk the choices back
        sites[i] = choices[i][k]
        k -= int(sites[i])
    return sites, float(sum(c[x] for c, x in zip(curves, sites, strict=True)))
