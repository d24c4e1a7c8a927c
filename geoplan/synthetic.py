"""A synthetic but plausible set of existing 5G sites, seeded and reproducible.

No public list of the province's sites exists, so the default station file is made
here. The method imitates how operators roll out: three operator networks in the
province's published split (Viettel 300 : VNPT 64 : MobiFone 20 of 384 stations), each
on its own carrier, the densest places first, each site keeping a spacing from its
operator's earlier sites that grows with the carrier's reach from urban to rural. One
number, the spacing factor, is calibrated by bisection so that the expected share of
people covered by any operator is the share the province reports (about 50%).
"""

from __future__ import annotations

import logging
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
from geoplan.io.carriers import read_carriers
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
    for operator, count in operator_site_counts(n_sites).items():
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
    grid: PopulationGrid, n_sites: int, config: PlanConfig | None = None, label: str = "synthetic"
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
    n_sites : int
        Sites over all operators.
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
    frame, _ = synthesize_stations(
        grid, n_sites, config=config, model=reach_model,
        spacing_factor=BAC_NINH_SPACING_FACTOR, evaluate=False,
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
