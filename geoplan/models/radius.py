"""The radius model: a site covers every cell centre within a radius set by its environment."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from geoplan.config import PlanConfig
from geoplan.grid import Cells
from geoplan.schema import ENVIRONMENTS
from geoplan.sites import Sites


@dataclass(frozen=True)
class RadiusModel:
    """A site covers every cell centre within a radius set by the site's environment.

    Examples
    --------
    >>> import numpy as np
    >>> from geoplan.grid import Cells
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
        """One line with the radius per environment, metres."""
        radii = ", ".join(
            f"{env} {r:g} m" for env, r in zip(ENVIRONMENTS, self.config.radii_m, strict=True)
        )
        return f"radius model: a site covers cell centres within {radii} (by site environment)"

    def max_range_m(self, sites: Sites) -> np.ndarray:
        """The radius of each site's environment (``config.radii_m``), metres.

        Parameters
        ----------
        sites : Sites
            The sites; only their ``environment`` is read.
        """
        return np.asarray(self.config.radii_m)[np.asarray(sites.environment, dtype=int)]

    def coverage_matrix(self, sites: Sites, cells: Cells) -> sparse.csr_matrix:
        """Boolean (n_sites × n_cells) matrix: cell centres within each site's radius.

        Parameters
        ----------
        sites : Sites
            The sites (rows), work CRS, metres.
        cells : Cells
            The cells (columns), work CRS, metres.
        """
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

    Parameters
    ----------
    site_xy_m : (n_sites, 2) float array
        Site positions, metres.
    radius_m : float array
        Radius of each site, metres (a centre at exactly the radius counts).
    cell_xy_m : (n_cells, 2) float array
        Cell centres, metres.

    Returns
    -------
    scipy.sparse.csr_matrix
        Boolean, sorted indices.
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
