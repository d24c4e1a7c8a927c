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
from geoplan.io.carriers import canonical_operator, read_carriers
from geoplan.models import CoverageModel, Evaluation, RadioModel, covered_mask, evaluate_layers
from geoplan.models.interference import (
    DownlinkSettings,
    describe_downlink,
    downlink_settings,
    sinr_throughput,
)
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


def compute_coverage(
    grid: PopulationGrid,
    sites: Sites,
    model: CoverageModel,
    carriers: pd.DataFrame | None = None,
    cells: Cells | None = None,
) -> CoverageResult:
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
        The model that decides which cells each site covers. A
        :class:`~geoplan.models.RadioModel` that ``computes_qcvn`` adds the ``qcvn``
        layer (:func:`qcvn_layer`); with ``layer="qcvn"`` it is the headline.
    carriers : DataFrame or None
        The carrier table for the QCVN layer's bandwidth and duplex (None: the shipped
        ``carriers.csv``).
    cells : Cells or None
        Only these cells of the grid (a tile: :func:`geoplan.national.tile_of`); the
        commune table then counts their people alone. None: every cell of the grid.

    Returns
    -------
    CoverageResult
        Covered people (people) and share (0..1) of the province, and a commune table
        with ``population``, ``covered_population``, ``uncovered_population`` (people)
        and ``covered_share`` (0..1).
    """
    cells = grid.cells() if cells is None else cells
    run = evaluate_layers(model, sites, cells)
    layers = {
        name: LayerCoverage(p, covered, text) for name, (p, covered, text) in run.layers.items()
    }
    covered = None
    if isinstance(model, RadioModel) and model.computes_qcvn:
        layers["qcvn"] = qcvn_layer(sites, cells, model, layers["signal"], carriers)
    if run.layer == "qcvn" and "qcvn" in layers:
        covered = layers["qcvn"].covered
        run = run._replace(probability=layers["qcvn"].probability)
    return _result(grid, cells, run, layers, model, len(sites), covered)


def qcvn_layer(
    sites: Sites,
    cells: Cells,
    model: RadioModel,
    signal: LayerCoverage,
    carriers: pd.DataFrame | None = None,
    settings: DownlinkSettings | None = None,
) -> LayerCoverage:
    """The QCVN 126 layer: where some operator's downlink meets it and the signal holds.

    Per operator and carrier (:func:`geoplan.models.interference.sinr_throughput`): the
    loaded user's rate over the serving link's shadow fading meets QCVN 126's downlink
    (mean >= 100 Mbit/s, >= 95% of samples >= 30 Mbit/s), and the serving sector meets
    the signal layer's test; the cell also needs the signal layer (``signal``), so the
    layer never exceeds it. A cell is in the layer or not: its probability is 0 or 1.

    Parameters
    ----------
    sites, cells : Sites, Cells
        Work-CRS arrays, metres.
    model : RadioModel
        The radio model (physics, budget, terrain).
    signal : LayerCoverage
        The signal layer of the same sites.
    carriers : DataFrame or None
        The carrier table (None: :func:`geoplan.io.carriers.read_carriers`).
    settings : DownlinkSettings or None
        Load, noise figure, MIMO layers and frame (None: the model's settings,
        ``[sinr]`` of the settings file: :func:`~geoplan.models.interference.downlink_settings`).

    Returns
    -------
    LayerCoverage
        0/1 probability and coverage per cell, the best operator's median SINR (dB) and
        loaded-user mean rate (Mbit/s) per cell.
    """
    settings = settings if settings is not None else downlink_settings(model.config)
    table = carriers if carriers is not None else read_carriers()
    out = sinr_throughput(sites, cells, model, settings, table)
    n = len(cells)
    if len(out.operators) == 0:
        sinr, rate, holds = np.full(n, np.nan), np.zeros(n), np.zeros(n, bool)
    else:
        finite = np.isfinite(out.sinr_db).any(axis=0)
        sinr = np.where(finite, np.nanmax(np.where(np.isnan(out.sinr_db), -np.inf, out.sinr_db),
                                          axis=0), np.nan)  # fmt: skip
        rate = out.mean_mbps.max(axis=0)
        holds = np.asarray(out.qcvn_covered.any(axis=0))
    covered = holds & signal.covered
    return LayerCoverage(covered.astype(float), covered, describe_downlink(settings), sinr, rate)


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
    layers = {name: _combined_layer([r.layers[name] for r in results])
              for name in first.layers}  # fmt: skip
    n_sites = sum(r.n_sites for r in results)
    rsrp = first.best_rsrp_dbm
    if all(r.best_rsrp_dbm.size for r in results):  # the best server over every part
        rsrp = np.fmax.reduce([r.best_rsrp_dbm for r in results])  # NaN only where none reach
    run = Evaluation(sparse.csr_matrix((0, len(covered)), dtype=bool), probability, first.layer,
                     {}, first.indoor_people_share, rsrp)  # fmt: skip
    return _result(grid, first.cells, run, layers, first, n_sites, covered)


def _combined_layer(parts: list[LayerCoverage]) -> LayerCoverage:
    """One layer of disjoint site sets together: the best part per cell."""
    first = parts[0]
    sinr, rate = first.sinr_db, first.dl_mbps
    if first.sinr_db.size:
        sinr = np.fmax.reduce([p.sinr_db for p in parts])  # NaN only where no part reaches
        rate = np.maximum.reduce([p.dl_mbps for p in parts])
    return LayerCoverage(
        np.maximum.reduce([p.probability for p in parts]),
        np.logical_or.reduce([p.covered for p in parts]),
        first.description,
        sinr,
        rate,
    )


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
        best_rsrp_dbm=run.rsrp_dbm,
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
    own_qcvn = np.zeros(len(table))
    with_qcvn = "qcvn" in first.layers
    safe = np.where(people > 0, people, np.inf)
    for op, result in by_operator.items():
        weight = float(market_shares.get(op, 0.0))
        own += weight * result.communes["covered_population"].to_numpy(float)
        own_reliable += weight * result.communes["reliable_population"].to_numpy(float)
        table[f"share_{op}"] = result.communes["covered_share"].to_numpy(float)
        if with_qcvn:  # people where QCVN holds on this operator's own network
            qcvn_people = result.layer_people()["qcvn"]
            assert qcvn_people is not None
            own_qcvn += weight * qcvn_people[1]
            table[f"qcvn_share_{op}"] = qcvn_people[1] / safe
    table["own_share"] = own / safe
    table["own_reliable_share"] = own_reliable / safe
    if with_qcvn:
        table["qcvn_own_share"] = own_qcvn / safe
    return OperatorCoverage(by_operator, market_shares, table)
