"""What every coverage model offers, and the column-wise OR of its matrix."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy import sparse

from geoplan.grid import Cells
from geoplan.sites import Sites


class CoverageModel(Protocol):
    """What every coverage model offers (radius now; TR 38.901 radio model next)."""

    @property
    def name(self) -> str:
        """Short name used on the command line (``--model``)."""
        ...

    def describe(self) -> str:
        """One line that states the model and its key assumptions."""
        ...

    def max_range_m(self, sites: Sites) -> np.ndarray:
        """Distance beyond which a site covers nothing, per site (metres).

        Parameters
        ----------
        sites : Sites
            The sites (work CRS, metres).

        Returns
        -------
        ndarray of float
            One reach per site, metres.
        """
        ...

    def coverage_matrix(self, sites: Sites, cells: Cells) -> sparse.csr_matrix:
        """Boolean (n_sites × n_cells) matrix: True where the site covers the cell.

        Parameters
        ----------
        sites : Sites
            The sites (rows of the matrix), work CRS, metres.
        cells : Cells
            The cells (columns of the matrix); a cell is judged at its centre.
        """
        ...


def covered_mask(matrix: sparse.spmatrix) -> np.ndarray:
    """Cells covered by at least one site (column-wise OR of a coverage matrix).

    Parameters
    ----------
    matrix : scipy sparse matrix
        Boolean sites × cells coverage matrix.

    Returns
    -------
    ndarray of bool
        One value per cell (column).
    """
    return np.asarray(sparse.csc_matrix(matrix).getnnz(axis=0) > 0)
