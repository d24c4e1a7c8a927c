"""What every stage reads: the communes, the population grid, today's stations, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geoplan.config import PlanConfig
from geoplan.grid import PopulationGrid
from geoplan.schema import SYNTHETIC
from geoplan.sites import Sites


@dataclass(frozen=True)
class Inputs:
    """Checked, gridded inputs of one run.

    Attributes
    ----------
    communes : commune polygons (EPSG:4326) with ``code``, ``name``, official ``population``
    grid : people per work-grid cell, rescaled to the official totals
    stations : today's sites (EPSG:4326 points, standard station columns)
    config : the settings of the run
    sources : the file each input came from, by kind (``boundaries``, ``population``,
        ``stations``)
    drop_outside : how the stations were read: None as they are, True without those
        outside the province, False stopping on them
    province : the two-digit code of the national data's province these inputs are
        (``--province``, the national run), None for other boundaries
    sites_4g : the 4G layer whose sites are the default upgrade candidates (with
        synthetic stations): Bắc Ninh's synthetic layer for Bắc Ninh's inputs, None for
        any other province (its 4G sites come in with ``--candidates``)

    The facade's :class:`geoplan.scenario.Scenario` adds the notebook methods
    (``coverage()``, ``plan()``, ``map()``); stages and outputs take plain inputs.
    """

    communes: gpd.GeoDataFrame
    grid: PopulationGrid
    stations: gpd.GeoDataFrame
    config: PlanConfig = field(default_factory=PlanConfig)
    sources: dict[str, Path] = field(default_factory=dict)
    drop_outside: bool | None = None
    province: str | None = None
    sites_4g: Path | None = None

    @property
    def stations_synthetic(self) -> bool:
        """True when every station comes from the synthetic generator."""
        return bool(len(self.stations)) and bool((self.stations["source"] == SYNTHETIC).all())

    def sites(self) -> Sites:
        """Today's stations as work-CRS arrays."""
        return Sites.from_frame(self.stations, self.grid, self.config)
