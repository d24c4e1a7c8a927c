"""A synthetic but plausible set of existing 5G sites, seeded and reproducible.

No public list of the province's sites exists, so the default station file is made
here. The method imitates how operators roll out first: the densest places get
sites first, and a new site keeps a spacing from earlier ones that grows from urban
to rural. One number, the spacing factor, is calibrated by bisection so that the
default coverage model covers the share the province reports (about 50%).
"""

from __future__ import annotations

import copy
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
from geoplan.grid import PopulationGrid
from geoplan.models import CoverageModel, RadiusModel
from geoplan.schema import ENVIRONMENTS
from geoplan.sites import Sites

log = logging.getLogger(__name__)

#: Operators and the share of synthetic sites given to each (illustrative, not market data).
OPERATOR_SHARES = {"Viettel": 0.45, "VNPT": 0.30, "MobiFone": 0.25}
#: Range of the spacing factor (times the site's radius) searched by the calibration;
#: coverage grows with the factor over this range on the default data.
SPACING_FACTOR_RANGE = (0.5, 1.5)
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


def synthesize_stations(
    grid: PopulationGrid,
    n_sites: int = 290,
    target_share: float = 0.50,
    seed: int | None = None,
    model: CoverageModel | None = None,
    config: PlanConfig | None = None,
    tolerance: float = 0.002,
) -> tuple[gpd.GeoDataFrame, SynthesisReport]:
    """Make ``n_sites`` synthetic sites whose coverage under ``model`` is ``target_share``.

    The same grid, arguments and seed give the same sites.

    Parameters
    ----------
    grid : PopulationGrid
        People per work-grid cell; sites go on cell centres, densest first.
    n_sites : int
        Number of sites.
    target_share : float
        Covered share of people to calibrate to, 0..1; it must lie within what the
        spacing range can reach (:class:`~geoplan.errors.GeoplanError` otherwise).
    seed : int or None
        Seed of the generator (default ``config.seed``).
    model : CoverageModel or None
        The model whose share is calibrated (default: the radius model).
    config : PlanConfig or None
        Settings: radii per environment (metres), CRSs, seed.
    tolerance : float
        Largest accepted distance of the share from ``target_share``, as a share 0..1.

    Returns
    -------
    (frame, report) : GeoDataFrame and SynthesisReport
        The sites (EPSG:4326 points, standard station columns, ``source``
        ``"synthetic"``) and how they were calibrated.
    """
    config = config or PlanConfig()
    seed = config.seed if seed is None else seed
    used: CoverageModel = model if model is not None else RadiusModel(config)
    cells = grid.cells()
    rng = np.random.default_rng(seed)
    # operators do not follow the density map exactly: a seeded log-normal preference
    score = grid.density_per_km2.ravel()[cells.flat_index] * rng.lognormal(0.0, 0.5, len(cells))
    radius = np.asarray(config.radii_m)[cells.environment.astype(int)]
    # the sector azimuths _station_table will draw, known now so that a sectored
    # model (38901) is calibrated on the final sites
    preview = copy.deepcopy(rng)
    preview.choice(list(OPERATOR_SHARES), size=n_sites, p=list(OPERATOR_SHARES.values()))
    rotation = preview.integers(0, 120, size=n_sites)

    def share_at(factor: float) -> tuple[np.ndarray, float]:
        chosen = place_densest_first(cells.x_m, cells.y_m, score, factor * radius, n_sites)
        sites = _sites_at(cells.x_m[chosen], cells.y_m[chosen], grid, rotation[: chosen.size])
        return chosen, compute_coverage(grid, sites, used).covered_share

    # denser packing (small factor) overlaps more and covers less: search the factor
    low, high = SPACING_FACTOR_RANGE
    share_low, share_high = share_at(low)[1], share_at(high)[1]
    if not share_low <= target_share <= share_high:
        raise GeoplanError(
            f"{n_sites} synthetic sites cover {share_low:.1%}..{share_high:.1%} under "
            f"{used.name}; a target of {target_share:.1%} is outside that range"
        )
    iterations = 2
    factor, (chosen, share) = high, share_at(high)
    while abs(share - target_share) > tolerance and iterations < 40:
        factor = (low + high) / 2
        chosen, share = share_at(factor)
        iterations += 1
        low, high = (factor, high) if share < target_share else (low, factor)
    log.info("synthetic stations: spacing factor %.3f gives %.2f%%", factor, 100 * share)
    frame = _station_table(cells.x_m[chosen], cells.y_m[chosen], grid, rng, config)
    report = SynthesisReport(n_sites, seed, factor, share, target_share, iterations)
    return frame, report


def _sites_at(
    x_m: np.ndarray, y_m: np.ndarray, grid: PopulationGrid, rotation: np.ndarray
) -> Sites:
    env = grid.environment_at(x_m, y_m)
    height = np.array([ANTENNA_HEIGHT_M[e] for e in ENVIRONMENTS])[env.astype(int)]
    frame = pd.DataFrame({"azimuths_deg": _azimuth_text(rotation), "frequency_ghz": 3.5})
    return Sites(x_m=x_m, y_m=y_m, antenna_height_m=height, environment=env, frame=frame)


def _azimuth_text(rotation: np.ndarray) -> list[str]:
    return [f"{r};{r + 120};{r + 240}" for r in np.asarray(rotation, dtype=int)]


def _station_table(
    x_m: np.ndarray,
    y_m: np.ndarray,
    grid: PopulationGrid,
    rng: np.random.Generator,
    config: PlanConfig,
) -> gpd.GeoDataFrame:
    env = grid.environment_at(x_m, y_m).astype(int)
    to_lonlat = Transformer.from_crs(config.work_crs, config.storage_crs, always_xy=True)
    lon, lat = to_lonlat.transform(x_m, y_m)
    operators = rng.choice(list(OPERATOR_SHARES), size=x_m.size, p=list(OPERATOR_SHARES.values()))
    rotation = rng.integers(0, 120, size=x_m.size)
    table = pd.DataFrame(
        {
            "site_id": [f"SYN-{i + 1:04d}" for i in range(x_m.size)],
            "operator": operators,
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "band": "n78",
            "frequency_ghz": 3.5,
            "antenna_height_m": [ANTENNA_HEIGHT_M[ENVIRONMENTS[e]] for e in env],
            "sectors": 3,
            "azimuths_deg": _azimuth_text(rotation),
            "environment": [ENVIRONMENTS[e] for e in env],
            "source": "synthetic",
        }
    )
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=config.storage_crs
    )
