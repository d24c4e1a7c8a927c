"""Coverage stage: which cells a set of sites covers, and the covered share per commune.

A coverage model (:mod:`geoplan.models`) turns sites and cells into a sparse boolean
*coverage matrix* (sites × cells). Today's coverage is its column-wise OR; the
optimiser uses the same matrix for candidate sites, so every model serves both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.grid import PopulationGrid
from geoplan.models import CoverageModel, covered_mask
from geoplan.results import CoverageResult
from geoplan.sites import Sites


def shares_by_group(
    population: np.ndarray, covered: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """People and covered people per group (``group`` in 0..n_groups-1).

    Parameters
    ----------
    population : array of float
        People per cell.
    covered : array of bool
        Whether each cell is covered.
    group : array of int
        Group (e.g. commune row) of each cell, 0..n_groups-1.
    n_groups : int
        Number of groups; groups without cells get 0.

    Returns
    -------
    (people, covered_people) : arrays of float
        People and covered people per group.

    >>> shares_by_group(np.array([10.0, 30.0, 5.0]), np.array([True, False, True]),
    ...                 np.array([0, 0, 1]), 2)
    (array([40.,  5.]), array([10.,  5.]))
    """
    people = np.bincount(group, weights=population, minlength=n_groups)
    covered_people = np.bincount(group, weights=population * covered, minlength=n_groups)
    return people, covered_people


def compute_coverage(grid: PopulationGrid, sites: Sites, model: CoverageModel) -> CoverageResult:
    """Covered population of the province and of each commune.

    A cell counts as covered when its centre is covered; its whole population then
    counts as covered.

    Parameters
    ----------
    grid : PopulationGrid
        People per work-grid cell and the communes.
    sites : Sites
        The sites, as work-CRS arrays (:meth:`geoplan.inputs.Inputs.sites`).
    model : CoverageModel
        The model that decides which cells each site covers.

    Returns
    -------
    CoverageResult
        Covered people (people) and share (0..1) of the province, and a commune table
        with ``population``, ``covered_population``, ``uncovered_population`` (people)
        and ``covered_share`` (0..1).
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
