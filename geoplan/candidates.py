"""Candidate sites for new 5G coverage: a grid, cluster centres, 4G upgrades and a user file.

Four sources, all in the work CRS (metres):

* :func:`grid_candidates` — one candidate per grid square holding uncovered people,
  at the people-weighted centre of that square;
* :func:`cluster_candidates` — population-weighted KMeans centres of uncovered people;
* :func:`upgrade_candidates` — the operators' 4G sites without 5G today (the synthetic
  4G layer by default), upgraded at ``capex_upgrade_vnd``;
* :func:`read_candidates` — a CSV (``candidate_id`` or ``site_id``, ``lon``, ``lat``,
  optional ``kind`` and ``cost_vnd``), e.g. existing 4G towers that can be upgraded.

:func:`build_candidates` joins them into a :class:`CandidateSet`, whose ``sites``
feed any :class:`~geoplan.coverage.CoverageModel`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan.config import PlanConfig
from geoplan.errors import FormatError, InputError
from geoplan.grid import Cells, PopulationGrid
from geoplan.io.carriers import UNKNOWN_OPERATORS, canonical_operator
from geoplan.io.columns import STATION_DEFAULTS
from geoplan.io.embedded import DEFAULT_SITES_4G
from geoplan.io.stations import SAME_SITE_M, read_stations, stations_from_table
from geoplan.models import CoverageModel
from geoplan.progress import progress
from geoplan.schema import SITE_KINDS, SYNTHETIC, UPGRADE_4G, SiteKind
from geoplan.sites import CandidateSet, Sites

log = logging.getLogger(__name__)

CLUSTER_SQUARE_M = 300.0
#: A grid candidate this close to an upgrade candidate is dropped, metres: the upgrade
#: stands almost where it would (the grid spacing is the typical reach, 1–1.5 km on the
#: default data) and costs less, and every candidate fewer is a row fewer in the matrix.
UPGRADE_NEARBY_M = 300.0


def typical_range_m(
    model: CoverageModel, demand: Cells, n_probes: int = 2_000, seed: int = 0
) -> float:
    """Median reach of a site standing among the uncovered people (metres).

    Probe sites are put on ``n_probes`` demand cells drawn with probability
    proportional to their people (seeded), so the median is people-weighted; a
    sample keeps models whose ``max_range_m`` is costly per site cheap.

    Parameters
    ----------
    model : CoverageModel
        The model whose ``max_range_m`` (metres) is measured.
    demand : Cells
        The uncovered cells; must not be empty (:class:`~geoplan.errors.InputError`).
    n_probes : int
        Number of probe sites (at most one per demand cell).
    seed : int
        Seed of the people-weighted draw.

    Returns
    -------
    float
        The median reach, metres.
    """
    if len(demand) == 0:
        raise InputError("no uncovered people: nothing to plan for")
    weights = np.asarray(demand.population, dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(demand))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(demand), size=min(n_probes, len(demand)), p=weights / weights.sum())
    probes = Sites(
        x_m=demand.x_m[pick],
        y_m=demand.y_m[pick],
        antenna_height_m=np.full(pick.size, float(str(STATION_DEFAULTS["antenna_height_m"]))),
        environment=demand.environment[pick],
        frame=_station_columns(pd.DataFrame(index=range(pick.size))),
    )
    return float(np.median(np.asarray(model.max_range_m(probes), dtype=float)))


def grid_candidates(demand: Cells, spacing_m: float, min_population: float) -> np.ndarray:
    """(n, 2) work-CRS points: one per ``spacing_m`` square with enough uncovered people.

    The point is the people-weighted centre of the square's demand cells, so it
    stands where people are (never in an empty corner of the square).

    Parameters
    ----------
    demand : Cells
        The uncovered cells (work CRS, metres).
    spacing_m : float
        Side of the squares, metres; must be positive.
    min_population : float
        Fewest uncovered people a square needs for a candidate, people.

    Returns
    -------
    ndarray
        x, y of the candidates, work CRS metres.

    >>> cells = Cells(np.arange(3), np.array([10.0, 30.0, 2500.0]), np.zeros(3),
    ...               np.array([1.0, 3.0, 5.0]), np.zeros(3, int), np.zeros(3, int))
    >>> grid_candidates(cells, 1000.0, 2.0).tolist()
    [[25.0, 0.0], [2500.0, 0.0]]
    """
    if spacing_m <= 0:
        raise InputError(f"candidate spacing must be positive, got {spacing_m} m")
    xy, people = _people_per_square(demand, spacing_m)
    return xy[(people >= min_population) & (people > 0)]


def _people_per_square(demand: Cells, spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """People-weighted centre and people of each ``spacing_m`` square holding demand."""
    col = np.floor(demand.x_m / spacing_m).astype(np.int64)
    row = np.floor(demand.y_m / spacing_m).astype(np.int64)
    key = (row - row.min()) * (int(col.max() - col.min()) + 1) + (col - col.min())
    _, square = np.unique(key, return_inverse=True)
    people = np.bincount(square, weights=demand.population)
    x = np.bincount(square, weights=demand.population * demand.x_m)
    y = np.bincount(square, weights=demand.population * demand.y_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        xy = np.column_stack([x / people, y / people])
    return xy, people


def cluster_candidates(demand: Cells, n_clusters: int, seed: int) -> np.ndarray:
    """(n, 2) centres of uncovered people from population-weighted MiniBatchKMeans.

    People are first summed into 300 m squares (at their weighted centres), which
    changes the centres by far less than a site's reach and makes the fit fast.

    Parameters
    ----------
    demand : Cells
        The uncovered cells (work CRS, metres).
    n_clusters : int
        Number of centres asked for; fewer when fewer 300 m squares hold people.
    seed : int
        Seed of the KMeans fit.

    Returns
    -------
    ndarray
        x, y of the centres, work CRS metres, sorted by y then x.
    """
    if n_clusters <= 0:  # before the (slow) first import of sklearn
        return np.zeros((0, 2))
    from sklearn.cluster import MiniBatchKMeans  # loads on first use: `import geoplan` stays light

    xy, people = _people_per_square(demand, CLUSTER_SQUARE_M)
    populated = people > 0
    n = min(int(n_clusters), int(populated.sum()))
    if n <= 0:
        return np.zeros((0, 2))
    kmeans = MiniBatchKMeans(n_clusters=n, random_state=seed, n_init=3, batch_size=4096)
    kmeans.fit(xy[populated], sample_weight=people[populated])
    centres = np.asarray(kmeans.cluster_centers_)
    return centres[np.lexsort((centres[:, 0], centres[:, 1]))]


def read_candidates(path: str | os.PathLike[str], config: PlanConfig | None = None) -> pd.DataFrame:
    """Read a candidate CSV: ``candidate_id`` (or ``site_id``), ``lon``, ``lat``.

    Optional ``kind`` ("new_tower" | "upgrade", default "upgrade": the usual file is
    a list of existing towers) and ``cost_vnd`` (default: the kind's CAPEX).

    Parameters
    ----------
    path : str or path
        The CSV file (UTF-8, a BOM is fine); ``lon``, ``lat`` in degrees, ``cost_vnd``
        in VND (non-negative).
    config : PlanConfig or None
        Settings; ``capex_new_tower_vnd`` and ``capex_upgrade_vnd`` give the default
        cost, VND.

    Returns
    -------
    DataFrame
        One row per candidate: ``candidate_id``, ``lon``, ``lat``, ``kind``,
        ``cost_vnd`` (VND), ``source`` ``"user"`` and the station columns.
    """
    config = config or PlanConfig()
    src = Path(path)
    if not src.exists():
        raise InputError(f"{src}: file not found; check --candidates")
    try:
        table = pd.read_csv(src, dtype={"candidate_id": str, "site_id": str}, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"{src}: not a readable CSV table ({type(exc).__name__})") from exc
    if "candidate_id" in table.columns:
        table = table.drop(columns=[c for c in ("site_id",) if c in table.columns])
        table = table.rename(columns={"candidate_id": "site_id"})
    stations = stations_from_table(table, src)
    kind = stations["kind"].fillna("upgrade").astype(str) if "kind" in stations else "upgrade"
    stations["kind"] = kind
    bad = ~stations["kind"].isin(SITE_KINDS)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise FormatError(
            f"{src} row {row + 2}: kind is {stations['kind'].iloc[row]!r}; "
            f"use one of {', '.join(SITE_KINDS)}"
        )
    default_cost = stations["kind"].map(_capex_by_kind(config))
    if "cost_vnd" in stations:
        cost = pd.to_numeric(stations["cost_vnd"], errors="coerce")
        bad = stations["cost_vnd"].notna() & (cost.isna() | (cost < 0))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise FormatError(
                f"{src} row {row + 2}: cost_vnd is {stations['cost_vnd'].iloc[row]!r}; "
                "it must be a non-negative number of VND (or empty for the default)"
            )
        stations["cost_vnd"] = cost.fillna(default_cost)
    else:
        stations["cost_vnd"] = default_cost
    stations["source"] = "user"
    return pd.DataFrame(stations.drop(columns="geometry")).rename(
        columns={"site_id": "candidate_id"}
    )


def upgrade_candidates(
    stations: gpd.GeoDataFrame,
    config: PlanConfig | None = None,
    layer: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The 4G sites an operator can upgrade to 5G: its own, less those with 5G today.

    A plan for one operator (``stations`` hold a single operator) gets only that
    operator's 4G sites; a plan for several gets every operator's. A 4G site within
    :data:`~geoplan.io.stations.SAME_SITE_M` of one of today's stations of its operator
    (or of a station without an operator) already carries 5G and is left out. Each
    upgrade keeps the 4G site's operator, antenna height and azimuths and gets the
    operator's default 5G carrier.

    Parameters
    ----------
    stations : GeoDataFrame
        Today's 5G stations (``operator``; EPSG:4326 points).
    config : PlanConfig or None
        Settings: ``capex_upgrade_vnd`` (VND) is each upgrade's cost, the work CRS.
    layer : str or path, optional
        The 4G sites (a station file: ``site_id``, ``operator``, ``lon``, ``lat`` …);
        default the synthetic layer ``geoplan/data/stations/bacninh_4g_sites_synthetic.csv``.

    Returns
    -------
    DataFrame
        One row per candidate as from :func:`read_candidates`: ``candidate_id`` (the 4G
        ``site_id``), ``lon``, ``lat``, ``kind`` ``"upgrade"``, ``cost_vnd`` (VND),
        ``source`` ``"upgrade_4g"`` and the station columns.

    Examples
    --------
    >>> from geoplan.io.stations import read_stations
    >>> upgrades = upgrade_candidates(read_stations())
    >>> len(upgrades), set(upgrades["kind"]), set(upgrades["source"])
    (3667, {'upgrade'}, {'upgrade_4g'})
    """
    config = config or PlanConfig()
    sites = read_stations(DEFAULT_SITES_4G if layer is None else layer, config=config)
    operator = sites["operator"].map(canonical_operator)
    ours = stations["operator"].astype(str).map(canonical_operator)
    if ours.nunique() == 1:  # one operator's plan (as planning tells it: its own carrier)
        own = (operator == ours.iloc[0]).to_numpy()
        sites, operator = sites[own], operator[own]
    keep = ~_holds_5g(sites, operator, stations, ours, config.work_crs)
    table = pd.DataFrame(sites[keep].drop(columns=["geometry", "site_5g_id"], errors="ignore"))
    table = table.rename(columns={"site_id": "candidate_id"}).reset_index(drop=True)
    return table.assign(kind="upgrade", cost_vnd=config.capex_upgrade_vnd, source=UPGRADE_4G)


def default_upgrades(
    stations: gpd.GeoDataFrame, config: PlanConfig, layer: Path | None
) -> pd.DataFrame | None:
    """:func:`upgrade_candidates` of the synthetic 4G layer when today's stations are synthetic.

    The synthetic 4G layer holds the synthetic 5G set, so it goes with it: beside an
    operator's real station file it would offer towers that may not exist, and real 4G
    sites come in with ``--candidates``. None when ``config`` turns upgrades off, the
    stations are not all ``source`` ``"synthetic"``, or the inputs have no 4G layer.

    Parameters
    ----------
    stations : GeoDataFrame
        Today's 5G stations.
    config : PlanConfig
        ``upgrade_candidates`` switches them on (default) or off.
    layer : path or None
        The inputs' 4G layer (``Inputs.sites_4g``): Bắc Ninh's synthetic layer for
        Bắc Ninh, None for any other province (no upgrades unless ``--candidates``).
    """
    if not uses_default_upgrades(stations, config, layer):
        return None
    return upgrade_candidates(stations, config, layer)


def uses_default_upgrades(
    stations: gpd.GeoDataFrame, config: PlanConfig, layer: Path | None
) -> bool:
    """True when :func:`default_upgrades` offers the 4G ``layer`` for ``stations``."""
    synthetic = bool(len(stations)) and bool((stations["source"] == SYNTHETIC).all())
    return layer is not None and config.upgrade_candidates and synthetic


def _holds_5g(
    sites: gpd.GeoDataFrame, operator: pd.Series, stations: gpd.GeoDataFrame, ours: pd.Series,
    work_crs: str,
) -> np.ndarray:  # fmt: skip
    """Which 4G sites stand within SAME_SITE_M of a station of their operator (or of none)."""
    held = np.zeros(len(sites), dtype=bool)
    if not len(sites) or not len(stations):
        return held
    projected = sites.to_crs(work_crs).geometry
    xy = np.column_stack([projected.x, projected.y])
    points = stations.to_crs(work_crs).geometry
    unnamed = ours.str.casefold().isin(UNKNOWN_OPERATORS).to_numpy()
    for name in set(operator):
        mine = (ours.to_numpy() == name) | unnamed
        if mine.any():
            tree = cKDTree(np.column_stack([points.x[mine], points.y[mine]]))
            rows = (operator == name).to_numpy()
            held[rows] = tree.query(xy[rows], distance_upper_bound=SAME_SITE_M)[0] <= SAME_SITE_M
    return held


def build_candidates(
    grid: PopulationGrid,
    demand: Cells,
    model: CoverageModel,
    config: PlanConfig | None = None,
    user_candidates: pd.DataFrame | None = None,
    spacing_m: float | None = None,
    upgrades: pd.DataFrame | None = None,
) -> CandidateSet:
    """Grid candidates, cluster centres, 4G upgrades and optional user candidates as one set.

    Parameters
    ----------
    grid : PopulationGrid
        The population grid (for environments and the work CRS).
    demand : Cells
        The cells still to cover (see :func:`geoplan.planning.planning_arrays`).
    model : CoverageModel
        The coverage model; its typical range (metres) sets the default grid spacing.
    config : PlanConfig or None
        Settings: ``candidate_spacing_factor``, ``candidate_min_population`` (people),
        ``candidate_clusters``, ``seed`` and the CAPEX per kind (VND).
    user_candidates : DataFrame or None
        Table from :func:`read_candidates`; ids must differ from the generated
        ``G0001`` … and ``K0001`` ….
    spacing_m : float or None
        Grid spacing, metres; default ``candidate_spacing_factor`` × typical range.
    upgrades : DataFrame or None
        Table from :func:`upgrade_candidates` (or :func:`default_upgrades`); those
        outside the grid's area are left out, and grid candidates within
        :data:`UPGRADE_NEARBY_M` of one are dropped (the upgrade is as good a place and
        costs less).

    Returns
    -------
    CandidateSet
        The candidates as a table (EPSG:4326 points, ``cost_vnd`` in VND) and as sites.
    """
    config = config or PlanConfig()
    upgrades = _inside_area(upgrades, grid, config)
    xy_grid = xy_cluster = np.zeros((0, 2))
    if len(demand):  # with nobody left to cover, only user candidates remain
        if spacing_m is None:
            spacing_m = config.candidate_spacing_factor * typical_range_m(
                model, demand, seed=config.seed
            )
        xy_grid = grid_candidates(demand, spacing_m, config.candidate_min_population)
        xy_grid = _away_from(xy_grid, upgrades, grid.crs, config.storage_crs, UPGRADE_NEARBY_M)
        xy_cluster = cluster_candidates(demand, config.candidate_clusters, config.seed)
    log.info("candidates: %d on a %.0f m grid, %d cluster centres", len(xy_grid), spacing_m or 0.0,
             len(xy_cluster))  # fmt: skip
    generated = _generated_frame(np.vstack([xy_grid, xy_cluster]), grid.crs, config)
    generated["source"] = ["grid"] * len(xy_grid) + ["cluster"] * len(xy_cluster)
    generated["candidate_id"] = [f"G{i + 1:04d}" for i in range(len(xy_grid))] + [
        f"K{i + 1:04d}" for i in range(len(xy_cluster))
    ]
    parts = [generated]
    for extra in (upgrades, user_candidates):
        if extra is not None and len(extra):
            parts.append(extra)
    table = pd.concat(parts, ignore_index=True)
    if table["candidate_id"].duplicated().any():
        dup = table.loc[table["candidate_id"].duplicated(), "candidate_id"].iloc[0]
        raise FormatError(f"candidate id {dup!r} appears twice; ids must be unique")
    frame = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=config.storage_crs
    )
    return CandidateSet(frame=frame, sites=Sites.from_frame(frame, grid, config))


def _inside_area(
    table: pd.DataFrame | None, grid: PopulationGrid, config: PlanConfig
) -> pd.DataFrame | None:
    """The rows of ``table`` (``lon``, ``lat``) that stand on a cell of the grid's area."""
    if table is None or not len(table):
        return table
    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=config.storage_crs)
    points = points.to_crs(grid.crs)
    cols, rows = ~grid.transform @ (points.x.to_numpy(), points.y.to_numpy())
    rows, cols = np.floor(rows).astype(int), np.floor(cols).astype(int)
    ok = (rows >= 0) & (rows < grid.shape[0]) & (cols >= 0) & (cols < grid.shape[1])
    ok[ok] = grid.commune_index[rows[ok], cols[ok]] >= 0
    return table[ok].reset_index(drop=True)


def _away_from(
    xy_m: np.ndarray, others: pd.DataFrame | None, work_crs: str, storage_crs: str,
    distance_m: float,
) -> np.ndarray:  # fmt: skip
    """The points of ``xy_m`` (work CRS) farther than ``distance_m`` from every ``others`` row."""
    if others is None or not len(others) or not len(xy_m):
        return xy_m
    points = gpd.GeoSeries(gpd.points_from_xy(others["lon"], others["lat"]), crs=storage_crs)
    points = points.to_crs(work_crs)
    tree = cKDTree(np.column_stack([points.x, points.y]))
    return xy_m[tree.query(xy_m, distance_upper_bound=distance_m)[0] > distance_m]


def candidate_coverage(
    model: CoverageModel, sites: Sites, demand: Cells, chunk_size: int = 200
) -> sparse.csr_matrix:
    """Boolean (n_candidates × n_demand) matrix from ``model``, built in chunks of sites.

    Parameters
    ----------
    model : CoverageModel
        The model that decides which cells each candidate covers.
    sites : Sites
        The candidate sites (work CRS, metres).
    demand : Cells
        The cells to cover.
    chunk_size : int
        Sites per call to ``model.coverage_matrix``; bounds the memory used.

    Returns
    -------
    scipy.sparse.csr_matrix
        True where a candidate (row) covers a demand cell (column).
    """
    blocks = []
    starts = range(0, len(sites), chunk_size)  # chunks bound the memory of any model
    for start in progress(starts, "candidate coverage", unit="chunk"):
        part = slice(start, start + chunk_size)
        frame = None if sites.frame is None else sites.frame.iloc[part].reset_index(drop=True)
        chunk = Sites(
            sites.x_m[part], sites.y_m[part], sites.antenna_height_m[part],
            sites.environment[part], frame,
        )  # fmt: skip
        blocks.append(sparse.csr_matrix(model.coverage_matrix(chunk, demand), dtype=bool))
    if not blocks:
        return sparse.csr_matrix((0, len(demand)), dtype=bool)
    return sparse.csr_matrix(sparse.vstack(blocks, format="csr"), dtype=bool)


def _capex_by_kind(config: PlanConfig) -> dict[SiteKind, float]:
    return {"new_tower": config.capex_new_tower_vnd, "upgrade": config.capex_upgrade_vnd}


def _station_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for column, default in STATION_DEFAULTS.items():
        if column not in frame:
            frame[column] = default
    return frame


def _generated_frame(xy_m: np.ndarray, work_crs: str, config: PlanConfig) -> pd.DataFrame:
    points = gpd.GeoSeries(gpd.points_from_xy(xy_m[:, 0], xy_m[:, 1]), crs=work_crs)
    lonlat = points.to_crs(config.storage_crs)
    frame = pd.DataFrame(
        {
            "kind": "new_tower",
            "cost_vnd": config.capex_new_tower_vnd,
            "lon": np.round(lonlat.x.to_numpy(), 7),
            "lat": np.round(lonlat.y.to_numpy(), 7),
        },
        index=range(len(xy_m)),
    )
    frame = _station_columns(frame)
    frame["operator"] = "new"
    frame["source"] = "candidate"
    return frame
