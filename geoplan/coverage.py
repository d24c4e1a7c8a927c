"""Which cells a set of sites covers, and the covered share per commune and province.

A coverage model turns sites and cells into a sparse boolean *coverage matrix*
(sites × cells). The current coverage is its column-wise OR; the optimiser uses the
same matrix for candidate sites, so every model serves both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan.config import ENVIRONMENTS, PlanConfig
from geoplan.population import Cells, PopulationGrid


@dataclass(frozen=True)
class Sites:
    """Sites as aligned arrays in the work CRS.

    ``frame`` keeps the source table (for attributes a radio model needs, such as
    azimuths or band), row-aligned with the arrays.
    """

    x_m: np.ndarray
    y_m: np.ndarray
    antenna_height_m: np.ndarray
    environment: np.ndarray
    frame: pd.DataFrame | None = None

    def __len__(self) -> int:
        return int(self.x_m.size)

    @classmethod
    def from_frame(
        cls, stations: gpd.GeoDataFrame, grid: PopulationGrid, config: PlanConfig | None = None
    ) -> Sites:
        """Project a station GeoDataFrame to the work CRS and look up each environment."""
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


class CoverageModel(Protocol):
    """What every coverage model offers (radius now; TR 38.901 radio model next)."""

    @property
    def name(self) -> str:
        """Short name, as in ``--model`` (read-only, so frozen dataclasses qualify)."""
        ...

    def describe(self) -> str:
        """One line that states the model and its key assumptions."""
        ...

    def max_range_m(self, sites: Sites) -> np.ndarray:
        """Distance beyond which a site covers nothing, per site (metres)."""
        ...

    def coverage_matrix(self, sites: Sites, cells: Cells) -> sparse.csr_matrix:
        """Boolean (n_sites × n_cells) matrix: True where the site covers the cell."""
        ...


@dataclass(frozen=True)
class RadiusModel:
    """A site covers every cell centre within a radius set by the site's environment.

    Examples
    --------
    >>> import numpy as np
    >>> from geoplan.population import Cells
    >>> model = RadiusModel(PlanConfig(radius_urban_m=100, radius_suburban_m=100,
    ...                                radius_rural_m=100))
    >>> sites = Sites(np.array([0.0]), np.array([0.0]), np.array([30.0]), np.array([2]))
    >>> cells = Cells(np.arange(3), np.array([0.0, 99.0, 150.0]), np.zeros(3), np.ones(3),
    ...               np.zeros(3, int), np.full(3, 2))
    >>> model.coverage_matrix(sites, cells).toarray()
    array([[ True,  True, False]])
    """

    config: PlanConfig = field(default_factory=PlanConfig)
    name: str = "radius"

    def describe(self) -> str:
        radii = ", ".join(
            f"{env} {r:g} m" for env, r in zip(ENVIRONMENTS, self.config.radii_m, strict=True)
        )
        return f"radius model: a site covers cell centres within {radii} (by site environment)"

    def max_range_m(self, sites: Sites) -> np.ndarray:
        return np.asarray(self.config.radii_m)[np.asarray(sites.environment, dtype=int)]

    def coverage_matrix(self, sites: Sites, cells: Cells) -> sparse.csr_matrix:
        return radius_coverage_matrix(
            np.column_stack([sites.x_m, sites.y_m]),
            self.max_range_m(sites),
            np.column_stack([cells.x_m, cells.y_m]),
        )


def radius_coverage_matrix(
    site_xy_m: np.ndarray, radius_m: np.ndarray, cell_xy_m: np.ndarray
) -> sparse.csr_matrix:
    """Boolean (n_sites × n_cells) matrix of cell centres within each site's radius.

    A KD-tree over the cells answers all sites in one call.
    """
    n_sites, n_cells = len(site_xy_m), len(cell_xy_m)
    if n_sites == 0 or n_cells == 0:
        return sparse.csr_matrix((n_sites, n_cells), dtype=bool)
    tree = cKDTree(cell_xy_m)
    hits = tree.query_ball_point(site_xy_m, r=np.asarray(radius_m, dtype=float))
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=n_sites)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    indices = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
    matrix = sparse.csr_matrix(
        (np.ones(indices.size, dtype=bool), indices, indptr), shape=(n_sites, n_cells)
    )
    matrix.sort_indices()
    return matrix


def covered_mask(matrix: sparse.spmatrix) -> np.ndarray:
    """Cells covered by at least one site (column-wise OR of a coverage matrix)."""
    return np.asarray(sparse.csc_matrix(matrix).getnnz(axis=0) > 0)


def shares_by_group(
    population: np.ndarray, covered: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """People and covered people per group (``group`` in 0..n_groups-1).

    >>> shares_by_group(np.array([10.0, 30.0, 5.0]), np.array([True, False, True]),
    ...                 np.array([0, 0, 1]), 2)
    (array([40.,  5.]), array([10.,  5.]))
    """
    people = np.bincount(group, weights=population, minlength=n_groups)
    covered_people = np.bincount(group, weights=population * covered, minlength=n_groups)
    return people, covered_people


@dataclass(frozen=True)
class CoverageResult:
    """Covered people for the province and each commune under one model."""

    model: str
    model_description: str
    n_sites: int
    population_total: float
    covered_population: float
    communes: pd.DataFrame
    covered: np.ndarray = field(repr=False)
    cells: Cells = field(repr=False)

    @property
    def covered_share(self) -> float:
        return self.covered_population / self.population_total if self.population_total else 0.0

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready summary (the ``--json`` output of ``geoplan coverage``)."""
        communes = [
            {
                "code": str(row.code),
                "name": str(row.name),
                "population": round(float(row.population), 1),
                "covered_population": round(float(row.covered_population), 1),
                "covered_share": round(float(row.covered_share), 6),
            }
            for row in self.communes.itertuples(index=False)
        ]
        return {
            "model": self.model,
            "model_description": self.model_description,
            "n_sites": self.n_sites,
            "population_total": round(self.population_total, 1),
            "covered_population": round(self.covered_population, 1),
            "covered_share": round(self.covered_share, 6),
            "communes": communes,
        }

    def __repr__(self) -> str:
        return (
            f"CoverageResult({self.model} model, {self.n_sites} sites: "
            f"{self.covered_population:,.0f} of {self.population_total:,.0f} people covered "
            f"= {self.covered_share:.1%}; {len(self.communes)} communes)"
        )


def compute_coverage(
    grid: PopulationGrid, sites: Sites, model: CoverageModel
) -> CoverageResult:
    """Covered population of the province and of each commune.

    A cell counts as covered when its centre is covered; its whole population then
    counts as covered.
    """
    cells = grid.cells()
    covered = covered_mask(model.coverage_matrix(sites, cells))
    communes = grid.communes
    people, covered_people = shares_by_group(
        cells.population, covered, cells.commune, len(communes)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(people > 0, covered_people / people, 0.0)
    table = pd.DataFrame(
        {
            "code": communes["code"].to_numpy(),
            "name": communes["name"].to_numpy(),
            "population": people,
            "covered_population": covered_people,
            "uncovered_population": people - covered_people,
            "covered_share": share,
        }
    )
    return CoverageResult(
        model=model.name,
        model_description=model.describe(),
        n_sites=len(sites),
        population_total=float(people.sum()),
        covered_population=float(covered_people.sum()),
        communes=table,
        covered=covered,
        cells=cells,
    )
