"""Coverage stage: which cells a set of sites covers, and the covered share per commune.

A coverage model (:mod:`geoplan.models`) turns sites and cells into a sparse boolean
*coverage matrix* (sites × cells). Today's coverage is its column-wise OR; the
optimiser uses the same matrix for candidate sites, so every model serves both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.grid import Cells, PopulationGrid
from geoplan.io.carriers import canonical_operator
from geoplan.models import CoverageModel, Evaluation, covered_mask, evaluate_layers
from geoplan.results import CoverageResult, LayerCoverage, OperatorCoverage
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

    Two measures, named plainly: the **expected** people covered, Σ people × P(covered)
    (the headline ``covered_population`` / ``covered_share``), and the people in cells
    covered with at least the design reliability (``reliable_population``, a lower
    bound; what the optimiser plans on). A cell's people count by its centre. Under the
    radius model P is 0 or 1 and the two agree.

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
    run = evaluate_layers(model, sites, cells)
    layers = {
        name: LayerCoverage(p, covered, text) for name, (p, covered, text) in run.layers.items()
    }
    return _result(grid, cells, run, layers, model, len(sites))


def combine_coverage(grid: PopulationGrid, results: list[CoverageResult]) -> CoverageResult:
    """The coverage of all the sites of ``results`` together, without computing it again.

    A cell is covered reliably when any part covers it reliably, and its probability is
    the best part's: the best server over all sites (the model's own definition).

    Parameters
    ----------
    grid : PopulationGrid
        The grid every result was computed on.
    results : list of CoverageResult
        Coverage of disjoint site sets under one model.
    """
    first = results[0]
    covered = np.logical_or.reduce([r.covered for r in results])
    probability = np.maximum.reduce([r.probability for r in results])
    layers = {
        name: LayerCoverage(
            np.maximum.reduce([r.layers[name].probability for r in results]),
            np.logical_or.reduce([r.layers[name].covered for r in results]),
            layer.description,
        )
        for name, layer in first.layers.items()
    }
    n_sites = sum(r.n_sites for r in results)
    run = Evaluation(sparse.csr_matrix((0, len(covered)), dtype=bool), probability, first.layer,
                     {}, first.indoor_people_share)  # fmt: skip
    return _result(grid, first.cells, run, layers, first, n_sites, covered)


def _result(
    grid: PopulationGrid,
    cells: Cells,
    run: Evaluation,
    layers: dict[str, LayerCoverage],
    model: CoverageModel | CoverageResult,
    n_sites: int,
    covered: np.ndarray | None = None,
) -> CoverageResult:
    if isinstance(model, CoverageResult):  # combined results keep their model's name
        name, description = model.model, model.model_description
    else:
        name, description = model.name, model.describe()
    covered = covered_mask(run.matrix) if covered is None else covered
    probability = run.probability
    communes = grid.communes
    people, reliable = shares_by_group(cells.population, covered, cells.commune, len(communes))
    _, expected = shares_by_group(cells.population, probability, cells.commune, len(communes))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(people > 0, expected / people, 0.0)
        reliable_share = np.where(people > 0, reliable / people, 0.0)
    table = pd.DataFrame(
        {
            "code": communes["code"].to_numpy(),
            "name": communes["name"].to_numpy(),
            "population": people,
            "covered_population": expected,
            "uncovered_population": people - expected,
            "covered_share": share,
            "reliable_population": reliable,
            "reliable_share": reliable_share,
        }
    )
    return CoverageResult(
        model=name,
        model_description=description,
        n_sites=n_sites,
        population_total=float(people.sum()),
        covered_population=float(expected.sum()),
        communes=table,
        covered=covered,
        cells=cells,
        reliable_population=float(reliable.sum()),
        probability=probability,
        layer=run.layer,
        layers=layers,
        indoor_people_share=run.indoor_people_share,
    )


def coverage_by_operator(
    grid: PopulationGrid,
    stations: pd.DataFrame,
    sites: Sites,
    model: CoverageModel,
    market_shares: pd.Series,
) -> OperatorCoverage:
    """Each operator's own coverage, and the share of people their own operator covers.

    Parameters
    ----------
    grid : PopulationGrid
        People per work-grid cell and the communes.
    stations : DataFrame
        Today's stations, row-aligned with ``sites``; ``operator`` names the network.
    sites : Sites
        The same stations as work-CRS arrays.
    model : CoverageModel
        The coverage model.
    market_shares : Series
        Subscriber share per operator, 0..1 (:func:`geoplan.io.carriers.read_market_shares`);
        operators of the table without sites count with zero coverage.

    Returns
    -------
    OperatorCoverage
    """
    names = stations["operator"].map(canonical_operator).astype(str).to_numpy()
    operators = sorted(set(names) | (set(market_shares.index) - {"other"}))
    by_operator = {op: compute_coverage(grid, sites.take(np.flatnonzero(names == op)), model)
                   for op in operators}  # fmt: skip
    first = next(iter(by_operator.values()))
    table = first.communes[["code", "name", "population"]].copy()
    people = table["population"].to_numpy(float)
    own = np.zeros(len(table))
    own_reliable = np.zeros(len(table))
    for op, result in by_operator.items():
        weight = float(market_shares.get(op, 0.0))
        own += weight * result.communes["covered_population"].to_numpy(float)
        own_reliable += weight * result.communes["reliable_population"].to_numpy(float)
        table[f"share_{op}"] = result.communes["covered_share"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["own_share"] = np.where(people > 0, own / people, 0.0)
        table["own_reliable_share"] = np.where(people > 0, own_reliable / people, 0.0)
    return OperatorCoverage(by_operator, market_shares, table)
