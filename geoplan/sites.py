"""Sites as work-CRS arrays, and the candidate sites of a plan."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.config import PlanConfig
from geoplan.grid import PopulationGrid


@dataclass(frozen=True)
class Sites:
    """Sites as aligned arrays in the work CRS.

    ``frame`` keeps the source table (for attributes a radio model needs, such as
    azimuths or band), row-aligned with the arrays.

    Attributes
    ----------
    x_m, y_m : float arrays, site positions in the work CRS, metres
    antenna_height_m : float array, antenna height above ground, metres
    environment : int array, 0 urban, 1 suburban, 2 rural
    frame : the station table without geometry, or None
    """

    x_m: np.ndarray
    y_m: np.ndarray
    antenna_height_m: np.ndarray
    environment: np.ndarray
    frame: pd.DataFrame | None = None

    def __len__(self) -> int:
        return int(self.x_m.size)

    @classmethod
    def concat(cls, parts: list[Sites]) -> Sites:
        """The sites of ``parts`` one after the other (frames aligned by column)."""
        frames = [p.frame if p.frame is not None else pd.DataFrame(index=range(len(p)))
                  for p in parts]  # fmt: skip
        return cls(
            x_m=np.concatenate([p.x_m for p in parts]),
            y_m=np.concatenate([p.y_m for p in parts]),
            antenna_height_m=np.concatenate([p.antenna_height_m for p in parts]),
            environment=np.concatenate([p.environment for p in parts]),
            frame=pd.concat(frames, ignore_index=True),
        )

    def take(self, index: np.ndarray) -> Sites:
        """The sites at ``index`` (row positions), in that order."""
        frame = None if self.frame is None else self.frame.iloc[index].reset_index(drop=True)
        return Sites(self.x_m[index], self.y_m[index], self.antenna_height_m[index],
                     self.environment[index], frame)  # fmt: skip

    @classmethod
    def from_frame(
        cls, stations: gpd.GeoDataFrame, grid: PopulationGrid, config: PlanConfig | None = None
    ) -> Sites:
        """Project a station GeoDataFrame to the work CRS and look up each environment.

        Parameters
        ----------
        stations : GeoDataFrame
            Station points with an ``antenna_height_m`` column (metres).
        grid : PopulationGrid
            The grid whose environment map classifies each site.
        config : PlanConfig or None
            Settings (the work CRS).
        """
        config = config or PlanConfig()
        points = stations.to_crs(config.work_crs).geometry
        x_m = np.asarray(points.x, dtype=float)
        y_m = np.asarray(points.y, dtype=float)
        return cls(
            x_m=x_m,
            y_m=y_m,
            antenna_height_m=stations["antenna_height_m"].to_numpy(float),
            environment=grid.environment_at(x_m, y_m),
            frame=pd.DataFrame(stations.drop(columns="geometry")).reset_index(drop=True),
        )


@dataclass(frozen=True)
class CandidateSet:
    """Candidates as a table (EPSG:4326 points) and as row-aligned work-CRS sites.

    ``frame`` has ``candidate_id``, ``kind`` ("new_tower" | "upgrade"), ``cost_vnd``,
    ``source`` ("grid" | "cluster" | "upgrade_4g" | "user"), ``lon``, ``lat`` and the station
    columns a coverage model may read (``antenna_height_m``, ``band`` …).
    """

    frame: gpd.GeoDataFrame
    sites: Sites

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def cost_vnd(self) -> np.ndarray:
        """CAPEX of each candidate, VND."""
        return self.frame["cost_vnd"].to_numpy(float)

    def __repr__(self) -> str:
        counts = self.frame["source"].value_counts().sort_index()
        parts = ", ".join(f"{n} {src}" for src, n in counts.items())
        return f"CandidateSet({len(self)} candidates: {parts})"
