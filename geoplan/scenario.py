"""A scenario: boundaries, population grid and stations, loaded once and reused.

This is the entry point for notebooks and the command line::

    >>> import geoplan
    >>> scenario = geoplan.load_scenario()          # the embedded default data
    >>> result = scenario.coverage()                 # radius model (the default)
    >>> 0.45 < result.covered_share < 0.55
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoplan.config import PlanConfig
from geoplan.coverage import CoverageModel, CoverageResult, RadiusModel, Sites, compute_coverage
from geoplan.errors import InputError
from geoplan.io.boundaries import DEFAULT_COMMUNES, read_communes
from geoplan.io.rasters import DEFAULT_POPULATION, read_population_raster
from geoplan.io.stations import DEFAULT_STATIONS, STATION_COLUMNS, STATION_DEFAULTS, read_stations
from geoplan.population import PopulationGrid, build_population_grid
from geoplan.radio.model import RadioModel

if TYPE_CHECKING:
    import folium

    from geoplan.optimize.adapter import PlanResult
    from geoplan.outputs.plan_dir import Plan

PathLike = str | os.PathLike[str]

#: Coverage models by name (``--model``); later models register here.
MODELS: dict[str, type] = {"radius": RadiusModel, "38901": RadioModel}
#: The model used when none is named (why radius and not 38901: docs/radio.md).
DEFAULT_MODEL = "radius"
#: ``operator`` and ``source`` of a plan's new sites in :meth:`Scenario.after`.
PLANNED = "planned"


def get_model(name: str, config: PlanConfig | None = None) -> CoverageModel:
    """The coverage model called ``name`` with ``config``."""
    if name not in MODELS:
        raise InputError(f"unknown coverage model {name!r}; choose one of {', '.join(MODELS)}")
    model: CoverageModel = MODELS[name](config or PlanConfig())
    return model


@dataclass(frozen=True)
class Scenario:
    """Everything a coverage or planning run reads, already checked and gridded."""

    communes: gpd.GeoDataFrame
    grid: PopulationGrid
    stations: gpd.GeoDataFrame
    config: PlanConfig = field(default_factory=PlanConfig)
    sources: dict[str, Path] = field(default_factory=dict)

    @property
    def stations_synthetic(self) -> bool:
        """True when every station comes from the synthetic generator."""
        return bool(len(self.stations)) and bool((self.stations["source"] == "synthetic").all())

    def sites(self) -> Sites:
        """The stations as work-CRS arrays."""
        return Sites.from_frame(self.stations, self.grid, self.config)

    def coverage(self, model: str | CoverageModel = DEFAULT_MODEL) -> CoverageResult:
        """Covered people today, for the province and each commune."""
        chosen = get_model(model, self.config) if isinstance(model, str) else model
        return compute_coverage(self.grid, self.sites(), chosen)

    def other_models(self, model: str) -> dict[str, dict[str, float]]:
        """Covered people and share under every registered model but ``model``."""
        others = {}
        for name in sorted(MODELS):
            if name != model:
                result = self.coverage(name)
                others[name] = {
                    "covered_population": round(result.covered_population, 1),
                    "covered_share": round(result.covered_share, 6),
                }
        return others

    def plan(self, target: float | None = None, **options: Any) -> PlanResult:
        """New sites to reach ``target``; see :func:`geoplan.optimize.adapter.plan_sites`."""
        from geoplan.optimize.adapter import plan_sites

        return plan_sites(self, target, **options)

    def map(
        self,
        plan: PlanResult | Plan | None = None,
        *,
        model: str | CoverageModel = DEFAULT_MODEL,
        **options: Any,
    ) -> folium.Map:
        """The offline meeting map of today's coverage (and ``plan``), inline in Jupyter.

        ``options`` go to :func:`geoplan.outputs.maps.coverage_map` (``lang="en"``,
        ``title`` …); save the map with :func:`geoplan.save_map`.
        """
        from geoplan.outputs.maps import coverage_map

        result = self.coverage(model)
        return coverage_map(self, result, plan, model=result.model, **options)

    def with_stations(self, stations: gpd.GeoDataFrame) -> Scenario:
        """The same scenario with another station set (e.g. one operator's sites)."""
        return Scenario(self.communes, self.grid, stations, self.config, self.sources)

    def after(self, plan: PlanResult | Plan) -> Scenario:
        """The same scenario with the plan's new sites built beside today's stations.

        The new sites get ``operator`` and ``source`` ``"planned"`` (so
        :attr:`stations_synthetic` is False for the result: not every site is
        synthetic), the plan's ``kind`` and ``phase``, and the station columns of
        the candidates they came from when ``plan`` is a fresh
        :class:`~geoplan.optimize.adapter.PlanResult`. A plan folder
        (:func:`~geoplan.outputs.plan_dir.read_plan`) has no antenna data unless its
        ``new_sites.csv`` carries station columns; what is missing comes from
        :data:`~geoplan.io.stations.STATION_DEFAULTS`, as for generated candidates.

        >>> scenario = load_scenario()                              # doctest: +SKIP
        >>> plan = scenario.plan(target=0.8, solver="greedy")       # doctest: +SKIP
        >>> scenario.after(plan).coverage().covered_share           # doctest: +SKIP
        0.80...
        """
        planned = _planned_stations(plan)
        if planned.empty:
            return self.with_stations(self.stations.copy())
        both = pd.concat([self.stations.to_crs("EPSG:4326"), planned], ignore_index=True)
        return self.with_stations(gpd.GeoDataFrame(both, geometry="geometry", crs="EPSG:4326"))

    def for_operator(self, operator: str) -> Scenario:
        """The same scenario with only ``operator``'s sites (case and spaces ignored).

        >>> load_scenario().for_operator("Viettel").stations["operator"].unique()  # doctest: +SKIP
        array(['Viettel'], dtype=object)
        """
        names = self.stations["operator"].astype(str).str.strip()
        keep = names.str.casefold() == operator.strip().casefold()
        if not keep.any():
            known = ", ".join(sorted(names.unique())) or "none"
            raise InputError(
                f"{self.sources.get('stations', 'stations')}: no sites of operator "
                f"{operator!r}; operators there: {known}"
            )
        return self.with_stations(self.stations[keep.to_numpy()].reset_index(drop=True))

    @property
    def operators(self) -> pd.Series:
        """Number of sites per operator, most first."""
        return self.stations["operator"].astype(str).str.strip().value_counts().rename("sites")

    def __repr__(self) -> str:
        return (
            f"Scenario({len(self.communes)} communes, "
            f"{self.grid.population.sum():,.0f} people on a {self.grid.cell_size_m:g} m grid, "
            f"{self._sites_text()})"
        )

    def _sites_text(self) -> str:
        """'290 synthetic sites', or by source: '290 synthetic + 184 planned sites'."""
        if not len(self.stations):
            return "no sites"
        known = {"synthetic", "planned"}
        source = (
            self.stations["source"].astype(str).where(lambda s: s.isin(known), "user")
        )  # any other source is the user's own list
        counts = source.value_counts().reindex(["user", "synthetic", "planned"]).dropna()
        return " + ".join(f"{int(n)} {kind}" for kind, n in counts.items()) + " sites"


def _planned_stations(plan: PlanResult | Plan) -> gpd.GeoDataFrame:
    """A plan's new sites as a station frame (standard columns, EPSG:4326 points)."""
    from geoplan.optimize.adapter import PlanResult
    from geoplan.outputs.plan_dir import as_plan

    sites = pd.DataFrame(as_plan(plan).new_sites.drop(columns="geometry")).reset_index(drop=True)
    if sites.empty:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    table = sites[["site_id", "kind", "phase", "lon", "lat"]].copy()
    table = table.astype({"site_id": str, "phase": "Int64"})  # Int64 survives the concat
    if isinstance(plan, PlanResult):  # the candidates hold antenna height, band, sectors …
        candidates = pd.DataFrame(plan.candidates.frame.drop(columns="geometry"))
        radio = [c for c in candidates if c not in (*table, "candidate_id", "operator", "source")]
        candidates["candidate_id"] = candidates["candidate_id"].astype(str)
        table = table.join(candidates.set_index("candidate_id")[radio], on="site_id")
    for column in STATION_COLUMNS:
        if column not in table and column in sites:
            table[column] = sites[column]  # a plan folder may carry its own antenna data
    for column, default in STATION_DEFAULTS.items():
        if column not in table:
            table[column] = default
        else:
            table[column] = table[column].fillna(default)
    table["operator"] = PLANNED
    table["source"] = PLANNED
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")


def load_scenario(
    boundaries: PathLike | None = None,
    population: PathLike | None = None,
    stations: PathLike | None = None,
    config: PlanConfig | None = None,
    drop_outside: bool | None = None,
) -> Scenario:
    """Read and grid the inputs; any left out come from the embedded default data.

    ``drop_outside``: None reads the stations as they are; False stops on stations
    outside the province (more than 5 km beyond it), True leaves them out.
    """
    config = config or PlanConfig()
    sources = {
        "boundaries": Path(boundaries or DEFAULT_COMMUNES),
        "population": Path(population or DEFAULT_POPULATION),
        "stations": Path(stations or DEFAULT_STATIONS),
    }
    communes = read_communes(sources["boundaries"])
    raster = read_population_raster(sources["population"], bounds=tuple(communes.total_bounds))
    grid = build_population_grid(communes, raster, config)
    station_frame = read_stations(
        sources["stations"],
        communes=None if drop_outside is None else communes,
        drop_outside=bool(drop_outside),
    )
    return Scenario(communes, grid, station_frame, config, sources)
