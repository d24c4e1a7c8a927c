"""A synthetic but plausible set of existing 5G sites, seeded and reproducible.

No public list of the province's sites exists, so the default station file is made
here. The method imitates how operators roll out: three operator networks in the
province's published split (Viettel 300 : VNPT 64 : MobiFone 20 of 384 stations), each
on its own carrier, the densest places first, each site keeping a spacing from its
operator's earlier sites that grows with the carrier's reach from urban to rural. One
number, the spacing factor, is calibrated by bisection so that the expected share of
people covered by any operator is the share the province reports (about 50%).

The 4G layer (:func:`synthesize_4g_sites`) is the towers those 5G sites were overlaid on,
and the operators' other 4G sites: the upgrade candidates of every plan. No coverage
figure is calibrated there; each operator's count (the province's 3,957 BTS split by
subscriber share) just fills the province, densest first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from geoplan.config import PlanConfig
from geoplan.coverage import compute_coverage
from geoplan.errors import GeoplanError
from geoplan.grid import Cells, PopulationGrid
from geoplan.io.carriers import canonical_operator, read_carriers, read_market_shares
from geoplan.io.national import BAC_NINH_SPACING_FACTOR
from geoplan.io.stations import stations_from_table
from geoplan.models import CoverageModel, get_model
from geoplan.schema import ENVIRONMENTS, SYNTHETIC
from geoplan.sites import Sites

log = logging.getLogger(__name__)

#: Share of the synthetic sites per operator: the province's autumn-2025 report counted
#: 384 5G stations, Viettel 300 and VNPT 64 of them; MobiFone is given the rest (20).
OPERATOR_SITE_SHARES = {"Viettel": 300 / 384, "VNPT": 64 / 384, "MobiFone": 20 / 384}
#: Range of the spacing factor (times the site's radius) searched by the calibration;
#: coverage grows with the factor over this range on the default data.
SPACING_FACTOR_RANGE = (0.5, 1.5)
#: Coverage evaluations the calibration may spend (each is a full coverage run).
MAX_CALIBRATION_STEPS = 14
#: Antenna height per environment, metres (typical macro rooftop/tower heights).
ANTENNA_HEIGHT_M = {"urban": 25.0, "suburban": 30.0, "rural": 35.0}


def place_densest_first(
    x_m: np.ndarray, y_m: np.ndarray, score: np.ndarray, spacing_m: np.ndarray, n_sites: int
) -> np.ndarray:
    """Pick ``n_sites`` points, highest score first, each at least its spacing from the others.

    Parameters
    ----------
    x_m, y_m : arrays of float
        Candidate coordinates, metres.
    score : array of float
        Priority of each candidate (higher first).
    spacing_m : array of float
        Exclusion radius around each candidate once chosen, metres.
    n_sites : int
        Number of points to pick at most.

    Returns
    -------
    ndarray of int
        Indices of the chosen candidates, in the order chosen (fewer if space runs out).

    Examples
    --------
    >>> x = np.array([0.0, 10.0, 100.0]); y = np.zeros(3)
    >>> place_densest_first(x, y, np.array([5.0, 4.0, 1.0]), np.full(3, 50.0), 3)
    array([0, 2])
    """
    tree = cKDTree(np.column_stack([x_m, y_m]))
    available = np.asarray(score, dtype=float).copy()
    chosen: list[int] = []
    for _ in range(n_sites):
        best = int(np.argmax(available))
        if not np.isfinite(available[best]):
            break
        chosen.append(best)
        near = tree.query_ball_point([x_m[best], y_m[best]], r=float(spacing_m[best]))
        available[near] = -np.inf
    return np.asarray(chosen, dtype=np.int64)


@dataclass(frozen=True)
class SynthesisReport:
    """How a synthetic station set was calibrated.

    Attributes
    ----------
    n_sites : int
        Number of sites asked for.
    seed : int
        The seed of the generator.
    spacing_factor : float
        The calibrated spacing, as a multiple of each site's radius.
    covered_share : float
        Covered share of people the set reaches, 0..1.
    target_share : float
        Covered share of people asked for, 0..1.
    iterations : int
        Coverage evaluations of the search.
    """

    n_sites: int
    seed: int
    spacing_factor: float
    covered_share: float
    target_share: float
    iterations: int


def operator_site_counts(n_sites: int) -> dict[str, int]:
    """Sites per operator for ``n_sites`` in total, in the published split (largest remainder).

    >>> operator_site_counts(290), operator_site_counts(384)
    ({'Viettel': 227, 'VNPT': 48, 'MobiFone': 15}, {'Viettel': 300, 'VNPT': 64, 'MobiFone': 20})
    """
    raw = {op: share * n_sites for op, share in OPERATOR_SITE_SHARES.items()}
    counts = {op: int(np.floor(v)) for op, v in raw.items()}
    by_remainder = sorted(raw, key=lambda op: (counts[op] - raw[op], op))
    for op in by_remainder[: n_sites - sum(counts.values())]:
        counts[op] += 1
    return counts


def split_largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """``total`` whole items shared in proportion to ``weights`` (largest remainder).

    Ties of the remainder go to the first key in sorted order, so the split is
    deterministic.

    Parameters
    ----------
    total : int
        Items to share, >= 0.
    weights : mapping of str to float
        Non-negative weight of each share (e.g. people per province).

    Returns
    -------
    dict
        Items per key (summing to ``total``), in the order of ``weights``.

    Examples
    --------
    >>> split_largest_remainder(10, {"a": 1.0, "b": 1.0, "c": 1.0})
    {'a': 4, 'b': 3, 'c': 3}
    """
    keys = list(weights)
    weight = np.array([float(weights[k]) for k in keys])
    if total < 0 or (weight < 0).any() or (total > 0 and weight.sum() <= 0):
        raise GeoplanError(f"cannot share {total} items by weights {dict(weights)}")
    raw = total * weight / weight.sum() if weight.sum() > 0 else np.zeros(weight.size)
    counts = np.floor(raw).astype(np.int64)
    by_remainder = sorted(range(len(keys)), key=lambda i: (counts[i] - raw[i], keys[i]))
    for i in by_remainder[: total - int(counts.sum())]:
        counts[i] += 1
    return {k: int(c) for k, c in zip(keys, counts, strict=True)}


def synthesize_stations(
    grid: PopulationGrid,
    n_sites: int = 290,
    target_share: float = 0.50,
    seed: int | None = None,
    model: CoverageModel | None = None,
    config: PlanConfig | None = None,
    tolerance: float = 0.005,
    spacing_factor: float | None = None,
    evaluate: bool = True,
    operator_counts: Mapping[str, int] | None = None,
) -> tuple[gpd.GeoDataFrame, SynthesisReport]:
    """Make ``n_sites`` synthetic sites in three operator networks, calibrated to ``target_share``.

    Each operator (:data:`OPERATOR_SITE_SHARES`) builds its own network on its own
    default carrier (``geoplan/data/carriers/carriers.csv``): its sites go densest place
    first, by the density times the operator's own seeded log-normal preference, each
    farther than ``spacing factor × reach`` from that operator's earlier sites, where the
    reach is the model's reach of a probe site of that operator in that environment. The
    networks overlap where they overlap. The one free parameter, the spacing factor
    (common to all operators), is calibrated by bisection so that the expected share of
    people covered by any operator is ``target_share``: a calibration, not a measurement.

    The same grid, arguments and seed give the same sites.

    Parameters
    ----------
    grid : PopulationGrid
        People per work-grid cell; sites go on cell centres, densest first.
    n_sites : int
        Number of sites over all operators.
    target_share : float
        Expected share of people covered by any operator to calibrate to, 0..1; it must
        lie within what the spacing range can reach (:class:`GeoplanError` otherwise).
    seed : int or None
        Seed of the generator (default ``config.seed``).
    model : CoverageModel or None
        The model whose share is calibrated (default: ``config.coverage_model``).
    config : PlanConfig or None
        Settings: radii per environment (metres), CRSs, seed.
    tolerance : float
        Largest accepted distance of the share from ``target_share``, as a share 0..1.
    spacing_factor : float, optional
        Skip the calibration and place the sites with this factor (e.g. the one the
        default set was calibrated with, to grow that set the way operators build).
    evaluate : bool
        With ``spacing_factor``: False skips the one coverage run that reports the
        share (``covered_share`` is then NaN), for callers that compute coverage anyway.
    operator_counts : mapping, optional
        Sites per operator (keys of :data:`OPERATOR_SITE_SHARES`, in that order), instead
        of ``n_sites`` split by :func:`operator_site_counts` (e.g. a national network's
        share of this province).

    Returns
    -------
    (frame, report) : GeoDataFrame and SynthesisReport
        The sites (EPSG:4326 points, standard station columns with each operator's
        ``band``, ``source`` ``"synthetic"``) and how they were calibrated.
    """
    config = config or PlanConfig()
    seed = config.seed if seed is None else seed
    used = model if model is not None else get_model(None, config, grid)
    cells = grid.cells()
    rng = np.random.default_rng(seed)
    density = grid.density_per_km2.ravel()[cells.flat_index]
    carriers = read_carriers()
    networks = []
    counts = operator_site_counts(n_sites) if operator_counts is None else operator_counts
    if list(counts) != list(OPERATOR_SITE_SHARES) or min(counts.values()) < 0:
        raise GeoplanError(
            f"sites per operator {dict(counts)}: give each of {', '.join(OPERATOR_SITE_SHARES)}"
            " a whole number >= 0, in that order"
        )
    for operator, count in counts.items():
        # operators do not follow the density map exactly: a seeded log-normal preference
        score = density * rng.lognormal(0.0, 0.5, len(cells))
        rotation = rng.integers(0, 120, size=count)
        carrier = _default_carrier(carriers, operator)
        reach = _reach_by_environment(used, carrier)[cells.environment.astype(int)]
        networks.append((operator, count, score, rotation, carrier, reach))

    def place(factor: float) -> list[np.ndarray]:
        return [
            place_densest_first(cells.x_m, cells.y_m, score, factor * reach, count)
            for _, count, score, _, _, reach in networks
        ]

    def share_at(factor: float) -> tuple[list[np.ndarray], float]:
        chosen = place(factor)
        parts = [
            _sites_at(cells.x_m[c], cells.y_m[c], grid, rot[: c.size], carrier)
            for c, (_, _, _, rot, carrier, _) in zip(chosen, networks, strict=True)
        ]
        return chosen, compute_coverage(grid, Sites.concat(parts), used).covered_share

    if spacing_factor is not None and not evaluate:
        chosen, share = place(spacing_factor), float("nan")
        frame = _station_table(cells, chosen, networks, grid, config)
        return frame, SynthesisReport(len(frame), seed, spacing_factor, share, share, 0)
    if spacing_factor is not None:
        chosen, share = share_at(spacing_factor)
        frame = _station_table(cells, chosen, networks, grid, config)
        return frame, SynthesisReport(len(frame), seed, spacing_factor, share, share, 1)
    # denser packing (small factor) overlaps more and covers less: search the factor
    low, high = SPACING_FACTOR_RANGE
    share_low, (chosen_high, share_high) = share_at(low)[1], share_at(high)
    if not min(share_low, share_high) <= target_share <= max(share_low, share_high):
        raise GeoplanError(
            f"{n_sites} synthetic sites cover {min(share_low, share_high):.1%}.."
            f"{max(share_low, share_high):.1%} under {used.name}; a target of "
            f"{target_share:.1%} is outside that range"
        )
    # on a small area, spreading the sites can push them out of it: let the data say
    # which way the share goes
    rising = share_high >= share_low
    iterations = 2
    factor, chosen, share = high, chosen_high, share_high
    best = (abs(share - target_share), factor, chosen, share)
    # coverage grows with the spacing only on the whole (sites jump between places), so
    # bisect while it converges and keep the closest placement seen
    while best[0] > tolerance and iterations < MAX_CALIBRATION_STEPS:
        mid = (low + high) / 2
        picked, got = share_at(mid)
        iterations += 1
        best = min(best, (abs(got - target_share), mid, picked, got), key=lambda b: b[0])
        low, high = (mid, high) if (got < target_share) == rising else (low, mid)
    _, factor, chosen, share = best
    log.info("synthetic stations: spacing factor %.3f gives %.2f%%", factor, 100 * share)
    frame = _station_table(cells, chosen, networks, grid, config)
    report = SynthesisReport(len(frame), seed, factor, share, target_share, iterations)
    return frame, report


def stations_like_bac_ninh(
    grid: PopulationGrid,
    n_sites: int | Mapping[str, int],
    config: PlanConfig | None = None,
    label: str = "synthetic",
) -> gpd.GeoDataFrame:
    """Synthetic sites for any province by Bắc Ninh's rules, not re-tuned.

    The same operator split, preferences and reach (the default radio model's, on
    each operator's carrier) as the default set, and its calibrated spacing factor
    (:data:`~geoplan.io.national.BAC_NINH_SPACING_FACTOR`); every row's ``source`` is
    ``"synthetic"``.

    Parameters
    ----------
    grid : PopulationGrid
        The province's people per cell, in its own UTM zone.
    n_sites : int or mapping
        Sites over all operators (split as Bắc Ninh's), or sites per operator.
    config : PlanConfig or None
        Settings (``work_crs`` of the province, ``seed``).
    label : str
        Where the sites come from, for error messages.

    Returns
    -------
    GeoDataFrame
        Station points (EPSG:4326) with the standard station columns.
    """
    config = config or PlanConfig()
    reach_model = get_model("38901", config, grid)
    per_operator = None if isinstance(n_sites, int) else dict(n_sites)
    total = n_sites if isinstance(n_sites, int) else sum(n_sites.values())
    frame, _ = synthesize_stations(
        grid, total, config=config, model=reach_model,
        spacing_factor=BAC_NINH_SPACING_FACTOR, evaluate=False, operator_counts=per_operator,
    )  # fmt: skip
    return stations_from_table(pd.DataFrame(frame.drop(columns="geometry")), label, config=config)


def _default_carrier(carriers: pd.DataFrame, operator: str) -> pd.Series:
    rows = carriers[(carriers["operator"] == operator) & carriers["default"]]
    return rows.iloc[0]


def _reach_by_environment(model: CoverageModel, carrier: pd.Series) -> np.ndarray:
    """Reach (m) of one probe site of ``carrier`` per environment (urban, suburban, rural)."""
    env = np.arange(len(ENVIRONMENTS), dtype=np.int8)
    height = np.array([ANTENNA_HEIGHT_M[e] for e in ENVIRONMENTS])
    frame = pd.DataFrame({"frequency_ghz": carrier["centre_mhz"] / 1000.0,
                          "eirp_dbm": carrier["eirp_dbm"],
                          "n_subcarriers": carrier["n_subcarriers"]}, index=env)  # fmt: skip
    probes = Sites(np.zeros(env.size), np.zeros(env.size), height, env, frame)
    return np.asarray(model.max_range_m(probes), dtype=float)


def _sites_at(
    x_m: np.ndarray, y_m: np.ndarray, grid: PopulationGrid, rotation: np.ndarray,
    carrier: pd.Series,
) -> Sites:  # fmt: skip
    env = grid.environment_at(x_m, y_m)
    height = np.array([ANTENNA_HEIGHT_M[e] for e in ENVIRONMENTS])[env.astype(int)]
    frame = pd.DataFrame(
        {
            "azimuths_deg": _azimuth_text(rotation),
            "frequency_ghz": carrier["centre_mhz"] / 1000.0,
            "eirp_dbm": carrier["eirp_dbm"],
            "n_subcarriers": carrier["n_subcarriers"],
        },
        index=range(len(x_m)),
    )
    return Sites(x_m=x_m, y_m=y_m, antenna_height_m=height, environment=env, frame=frame)


def _azimuth_text(rotation: np.ndarray) -> list[str]:
    return [f"{r};{r + 120};{r + 240}" for r in np.asarray(rotation, dtype=int)]


def _station_table(
    cells: Cells,
    chosen: list[np.ndarray],
    networks: list[tuple[str, int, np.ndarray, np.ndarray, pd.Series, np.ndarray]],
    grid: PopulationGrid,
    config: PlanConfig,
) -> gpd.GeoDataFrame:
    parts = []
    for picked, (operator, _, _, rotation, carrier, _) in zip(chosen, networks, strict=True):
        x_m, y_m = cells.x_m[picked], cells.y_m[picked]
        env = grid.environment_at(x_m, y_m).astype(int)
        to_lonlat = Transformer.from_crs(config.work_crs, config.storage_crs, always_xy=True)
        lon, lat = to_lonlat.transform(x_m, y_m)
        parts.append(
            pd.DataFrame(
                {
                    "operator": operator,
                    "lon": np.round(lon, 6),
                    "lat": np.round(lat, 6),
                    "band": carrier["band"],
                    "antenna_height_m": [ANTENNA_HEIGHT_M[ENVIRONMENTS[e]] for e in env],
                    "sectors": 3,
                    "azimuths_deg": _azimuth_text(rotation[: picked.size]),
                    "environment": [ENVIRONMENTS[e] for e in env],
                    "source": SYNTHETIC,
                },
                index=range(picked.size),
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, "site_id", [f"SYN-{i + 1:04d}" for i in range(len(table))])
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=config.storage_crs
    )


# --------------------------------------------------------------------------- 4G layer
#: BTS of all generations in operation in the province (provincial report, first half of
#: 2025; issue 13). Taken as the number of towers, an upper bound: a report may count a
#: tower with 2G, 3G and 4G as more than one BTS.
N_SITES_4G = 3957
#: Below this density (people/km², the GHSL urban-cluster threshold, also
#: ``PlanConfig.suburban_density_per_km2``) 4G was built for coverage, not for people: the
#: spacing stops growing, so every operator's 4G reaches the fields and villages too.
COVERAGE_FLOOR_DENSITY_PER_KM2 = 300.0
#: Range of people per 4G site searched for each operator's count, as multiples of the
#: people per site that would tile the area exactly (a fill's discs overlap less: about 2.5×).
PEOPLE_PER_SITE_RANGE = (0.5, 16.0)
#: Fewest people per site the search tries before it gives up (the area is too small).
MIN_PEOPLE_PER_SITE = 1.0e-3
#: Bisection steps of that search (each is one fill of the province, about half a second);
#: 20 halvings of a 32× range leave the people per site within 0.0004% of the boundary.
MAX_FILL_STEPS = 20


@dataclass(frozen=True)
class Layer4GReport:
    """How a synthetic 4G layer was made.

    Attributes
    ----------
    n_sites : int
        Sites written, over all operators.
    seed : int
        The seed of the generator.
    counts : dict
        Sites per operator.
    people_per_site : dict
        Per operator, the people (all people, any operator) a site's spacing disc holds
        at the local density; found so that the operator's count just fills the province.
    n_with_5g : int
        Sites that carry one of today's 5G sites (same place, same operator).
    """

    n_sites: int
    seed: int
    counts: dict[str, int]
    people_per_site: dict[str, float]
    n_with_5g: int


def operator_site_counts_4g(n_sites: int, shares: pd.Series) -> dict[str, int]:
    """Sites per operator for ``n_sites``, proportional to ``shares`` (largest remainder).

    Parameters
    ----------
    n_sites : int
        Sites over all operators.
    shares : Series
        Weight per operator (e.g. subscriber shares of the operators that hold a carrier).

    >>> operator_site_counts_4g(10, pd.Series({"A": 0.5, "B": 0.3, "C": 0.2}) * 0.9)
    {'A': 5, 'B': 3, 'C': 2}
    """
    weights = shares / shares.sum()
    raw = {str(op): float(w) * n_sites for op, w in weights.items()}
    counts = {op: int(np.floor(v)) for op, v in raw.items()}
    by_remainder = sorted(raw, key=lambda op: (counts[op] - raw[op], op))
    for op in by_remainder[: n_sites - sum(counts.values())]:
        counts[op] += 1
    return counts


def fill_densest_first(
    flat_index: np.ndarray, shape: tuple[int, int], cell_size_m: float, score: np.ndarray,
    spacing_m: np.ndarray, first: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Fill a grid: ``first``, then each cell by score, each out of earlier cells' spacing.

    A cell is taken when no cell taken before it holds it within its spacing (centre
    distance ≤ that cell's spacing). Unlike :func:`place_densest_first` the fill stops only
    when no cell is left free, so its length says how many sites of that spacing the area
    holds. Exclusion is a disc cut out of the grid, so a fill costs one pass over the cells.

    Parameters
    ----------
    flat_index : array of int
        Row-major index in a ``shape`` grid of each candidate cell (the area).
    shape : (rows, cols)
        The grid's shape.
    cell_size_m : float
        Side of a cell, metres.
    score : array of float
        Priority of each candidate (higher first; ties in index order).
    spacing_m : array of float
        Exclusion radius around each candidate once taken, metres.
    first : array of int, optional
        Candidates (positions in ``flat_index``) taken before all others, whatever their
        score or spacing (sites that stand already).

    Returns
    -------
    ndarray of int
        Positions in ``flat_index`` of the taken cells: ``first``, then in the order taken.

    Examples
    --------
    A row of five 100 m cells, 150 m spacing, the cell at 400 m standing already:

    >>> fill_densest_first(np.arange(5), (1, 5), 100.0, np.array([1.0, 5.0, 4.0, 3.0, 2.0]),
    ...                    np.full(5, 150.0), first=np.array([4]))
    array([4, 1])
    """
    rows, cols = shape
    where = np.full(rows * cols, -1, dtype=np.int64)
    where[flat_index] = np.arange(len(flat_index))
    where = where.reshape(shape)
    row, col = np.divmod(np.asarray(flat_index, dtype=np.int64), cols)
    free = np.ones(len(flat_index), dtype=bool)
    chosen: list[int] = []
    reach = np.floor(np.asarray(spacing_m, dtype=float) / cell_size_m).astype(np.int64)

    def take(i: int) -> None:
        chosen.append(i)
        k, r, c = int(reach[i]), int(row[i]), int(col[i])
        r0, c0 = max(r - k, 0), max(c - k, 0)
        window = where[r0 : r + k + 1, c0 : c + k + 1]
        dr, dc = np.ogrid[r0 - r : r0 - r + window.shape[0], c0 - c : c0 - c + window.shape[1]]
        inside = window[((dr**2 + dc**2) * cell_size_m**2 <= spacing_m[i] ** 2) & (window >= 0)]
        free[inside] = False
        free[i] = False

    for i in np.asarray([] if first is None else first, dtype=np.int64).tolist():
        take(i)
    order = np.argsort(-np.asarray(score), kind="stable")  # integer scores sort in O(n)
    for start in range(0, len(order), 4096):  # only cells still free are looked at one by one
        part = order[start : start + 4096]
        for i in part[free[part]].tolist():
            if free[i]:
                take(i)
    return np.asarray(chosen, dtype=np.int64)


def synthesize_4g_sites(
    grid: PopulationGrid,
    stations_5g: gpd.GeoDataFrame,
    n_sites: int = N_SITES_4G,
    seed: int | None = None,
    config: PlanConfig | None = None,
    shares: pd.Series | None = None,
) -> tuple[gpd.GeoDataFrame, Layer4GReport]:
    """A synthetic layer of ``n_sites`` 4G sites in per-operator networks that hold today's 5G.

    5G was overlaid on existing towers, so every site of ``stations_5g`` is one of its
    operator's 4G sites (same place). Each operator then fills the province the way 4G
    was built, for coverage as much as for people: its sites go densest place first (the
    density times the operator's own seeded log-normal preference, σ = 0.5, as for 5G),
    each farther from that operator's earlier sites than the radius of a disc that holds
    ``P`` people at the local density, the density floored at
    :data:`COVERAGE_FLOOR_DENSITY_PER_KM2` (below it the spacing stops growing, so the
    rural areas are covered too). ``P`` is set per operator, by bisection, to the largest
    value at which the operator's share of ``n_sites`` still fills the province; the
    emptiest places, chosen last, give way when the fill holds more. No coverage figure is
    calibrated. The split between operators follows ``shares`` (an assumption: sites in
    proportion to subscribers).

    The same grid, 5G sites, arguments and seed give the same sites.

    Parameters
    ----------
    grid : PopulationGrid
        People per work-grid cell and the 1 km density (people/km²); sites go on cell
        centres.
    stations_5g : GeoDataFrame
        Today's 5G sites (``operator``, ``lon``, ``lat`` in degrees, ``site_id``,
        ``antenna_height_m`` in metres, ``azimuths_deg``); every one is kept.
    n_sites : int
        Sites over all operators; each operator needs at least its 5G sites.
    seed : int or None
        Seed of the generator (default ``config.seed``).
    config : PlanConfig or None
        Settings: CRSs, seed.
    shares : Series or None
        Site share per operator (default: the subscriber shares of
        ``geoplan/data/carriers/market_shares.csv`` of the operators that hold a carrier).

    Returns
    -------
    (frame, report) : GeoDataFrame and Layer4GReport
        The sites (EPSG:4326 points; ``site_id`` ``4G-0001`` …, ``operator``, ``lon``,
        ``lat``, ``antenna_height_m``, ``sectors``, ``azimuths_deg``, ``environment``,
        ``site_5g_id`` (the 5G site it carries, or empty), ``source`` ``"synthetic"``).
    """
    config = config or PlanConfig()
    seed = config.seed if seed is None else seed
    shares = _default_4g_shares() if shares is None else shares
    counts = operator_site_counts_4g(n_sites, shares)
    cells = grid.cells()
    density = grid.density_per_km2.ravel()[cells.flat_index]
    floored = np.maximum(density, COVERAGE_FLOOR_DENSITY_PER_KM2)
    five_g = _five_g_by_operator(stations_5g, cells, config)
    rng = np.random.default_rng(seed)
    parts, people = [], {}
    for operator, count in counts.items():
        score = density * rng.lognormal(0.0, 0.5, len(cells))
        rotation = rng.integers(0, 120, size=count)
        existing = five_g.get(operator, _NO_SITES)
        if len(existing) > count:
            raise GeoplanError(
                f"{operator} has {len(existing)} 5G sites but only {count} of the {n_sites} "
                "4G sites; raise --n-sites"
            )
        first = existing["cell"].to_numpy(np.int64)
        picked, people[operator] = _fill_to_count(grid, cells, score, floored, first, count)
        parts.append(_layer_table(operator, cells, picked, existing, rotation, grid, config))
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, "site_id", [f"4G-{i + 1:04d}" for i in range(len(table))])
    frame = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=config.storage_crs
    )
    with_5g = int((table["site_5g_id"] != "").sum())
    log.info("synthetic 4G layer: %s sites, %d carry 5G", counts, with_5g)
    return frame, Layer4GReport(len(frame), seed, counts, people, with_5g)


#: An operator without 5G sites: the columns :func:`_layer_table` reads, no rows.
_NO_SITES = pd.DataFrame(
    {"cell": pd.Series(dtype="int64"), "site_id": pd.Series(dtype=str),
     "lon": pd.Series(dtype=float), "lat": pd.Series(dtype=float),
     "antenna_height_m": pd.Series(dtype=float), "sectors": pd.Series(dtype="int64"),
     "azimuths_deg": pd.Series(dtype=str)}
)  # fmt: skip


def _default_4g_shares() -> pd.Series:
    """Subscriber shares of the operators that hold a 5G carrier (they own the towers)."""
    shares = read_market_shares()
    held = set(read_carriers()["operator"])
    return shares[[op in held for op in shares.index]]


def _five_g_by_operator(
    stations: gpd.GeoDataFrame, cells: Cells, config: PlanConfig
) -> dict[str, pd.DataFrame]:
    """Each operator's 5G sites with the work-grid cell each stands on."""
    if not len(stations):
        return {}
    points = stations.to_crs(config.work_crs).geometry
    _, cell = cKDTree(np.column_stack([cells.x_m, cells.y_m])).query(
        np.column_stack([points.x, points.y])
    )
    table = pd.DataFrame(stations.drop(columns="geometry")).reset_index(drop=True)
    table["cell"] = cell
    operator = table["operator"].map(canonical_operator)
    groups = table.groupby(operator, sort=False)
    return {str(op): part.reset_index(drop=True) for op, part in groups}


def _fill_to_count(
    grid: PopulationGrid, cells: Cells, score: np.ndarray, density: np.ndarray,
    first: np.ndarray, count: int,
) -> tuple[np.ndarray, float]:  # fmt: skip
    """The first ``count`` sites of the fill with the most people per site that still holds them.

    ``density`` is people/km²; the search starts from the people per site that would tile
    the area exactly (``Σ density × cell area / count``) and bisects in log space.
    """
    shape = grid.shape
    # the priority as integers: one float sort here, not one a fill
    rank = np.empty(len(score), dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(len(score), 0, -1)
    cell_km2 = (grid.cell_size_m / 1000.0) ** 2
    tiling = float(density.sum()) * cell_km2 / count

    def fill(people: float) -> np.ndarray:
        spacing_m = 1000.0 * np.sqrt(people / (np.pi * density))
        return fill_densest_first(cells.flat_index, shape, grid.cell_size_m, rank, spacing_m,
                                  first)  # fmt: skip

    low, high = (tiling * f for f in PEOPLE_PER_SITE_RANGE)
    best = fill(low)
    while len(best) < count:  # a small area holds fewer: loosen until it holds them
        if low < MIN_PEOPLE_PER_SITE:
            raise GeoplanError(
                f"the area holds only {len(best)} sites at {low:.3g} people per site; "
                f"ask for fewer than {count}"
            )
        low, high = low / 4.0, low
        best = fill(low)
    for _ in range(MAX_FILL_STEPS):
        mid = float(np.sqrt(low * high))
        picked = fill(mid)
        low, high, best = (mid, high, picked) if len(picked) >= count else (low, mid, best)
    return best[:count], round(low, 1)


def _layer_table(
    operator: str, cells: Cells, picked: np.ndarray, existing: pd.DataFrame,
    rotation: np.ndarray, grid: PopulationGrid, config: PlanConfig,
) -> pd.DataFrame:  # fmt: skip
    """One operator's 4G rows: its 5G sites as they are, then the new places."""
    n_old = len(existing)
    x_m, y_m = cells.x_m[picked[n_old:]], cells.y_m[picked[n_old:]]
    env = grid.environment_at(x_m, y_m).astype(int)
    to_lonlat = Transformer.from_crs(config.work_crs, config.storage_crs, always_xy=True)
    lon, lat = to_lonlat.transform(x_m, y_m)
    new = pd.DataFrame(
        {
            "operator": operator,
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "antenna_height_m": [ANTENNA_HEIGHT_M[ENVIRONMENTS[e]] for e in env],
            "sectors": 3,
            "azimuths_deg": _azimuth_text(rotation[n_old : len(picked)]),
            "environment": [ENVIRONMENTS[e] for e in env],
            "site_5g_id": "",
        },
        index=range(len(x_m)),
    )
    old = pd.DataFrame(
        {
            "operator": operator,
            "lon": existing["lon"].to_numpy(float),
            "lat": existing["lat"].to_numpy(float),
            "antenna_height_m": existing["antenna_height_m"].to_numpy(float),
            "sectors": existing["sectors"].to_numpy(int),
            "azimuths_deg": existing["azimuths_deg"].astype(str).to_numpy(),
            "environment": [ENVIRONMENTS[e] for e in cells.environment[picked[:n_old]]],
            "site_5g_id": existing["site_id"].astype(str).to_numpy(),
        },
        index=range(n_old),
    )
    return pd.concat([old, new], ignore_index=True).assign(source=SYNTHETIC)
