"""Coverage models and their registry: a name on the command line -> a model object.

Every model turns :class:`~geoplan.sites.Sites` and :class:`~geoplan.grid.Cells` into a
boolean sites × cells matrix (:class:`CoverageModel`); today's coverage, the
candidates of a plan and the maps all use that one matrix.

>>> sorted(MODELS), DEFAULT_MODEL
(['38901', 'radius'], '38901')
>>> get_model("radius").name
'radius'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

import numpy as np
from scipy import sparse

from geoplan.config import PlanConfig
from geoplan.errors import InputError
from geoplan.grid import Cells, PopulationGrid
from geoplan.models.base import CoverageModel, covered_mask
from geoplan.models.radio import (
    DEM_MARGIN_M,
    BestServer,
    RadioModel,
    indoor_model,
    radio_model_for_grid,
    uplink_budget,
)
from geoplan.models.radius import RadiusModel, radius_coverage_matrix
from geoplan.radio.link_budget import LinkBudget
from geoplan.schema import MODEL_NAMES, ModelName
from geoplan.sites import Sites

#: Builds a model from the settings; the grid, when given, bounds what it reads once
#: (the DEM of the radio model).
ModelFactory = Callable[[PlanConfig, "PopulationGrid | None"], CoverageModel]
#: The model used when none is named: the TR 38.901 link budget on each operator's carrier
#: (the radius model is a simple, labelled option of assumed radii).
DEFAULT_MODEL: Final[ModelName] = "38901"


def _radius(config: PlanConfig, grid: PopulationGrid | None) -> CoverageModel:
    return RadiusModel(config)


def _radio(config: PlanConfig, grid: PopulationGrid | None) -> CoverageModel:
    budget = LinkBudget(
        cell_edge_reliability=config.cell_edge_reliability,
        rsrp_threshold_dbm=config.rsrp_threshold_dbm,
    )
    return radio_model_for_grid(config, grid, budget)


#: Coverage models by name; a new model registers its factory here.
MODELS: Final[dict[str, ModelFactory]] = {"radius": _radius, "38901": _radio}


class Evaluation(NamedTuple):
    """A model run on sites and cells, with every coverage layer it computes.

    Attributes
    ----------
    matrix : boolean sites × cells CSR matrix of the model's layer
    probability : per cell, P(covered) in the model's layer, 0..1
    layer : the model's layer (``"signal"`` for a model without a link budget)
    layers : by layer name: (P per cell, covered at the design reliability per cell,
        the layer's description); empty for a model without a link budget
    indoor_people_share : per cell, the share of its people indoors (empty without an
        indoor layer)
    rsrp_dbm : per cell, the downlink best server's planning RSRP (at the cell-edge
        reliability), dBm, NaN beyond every site's reach (:attr:`BestServer.rsrp_dbm`);
        empty for a model without a link budget
    """

    matrix: sparse.csr_matrix
    probability: np.ndarray
    layer: str
    layers: dict[str, tuple[np.ndarray, np.ndarray, str]]
    indoor_people_share: np.ndarray
    rsrp_dbm: np.ndarray


def evaluate_layers(model: CoverageModel, sites: Sites, cells: Cells) -> Evaluation:
    """The coverage matrix, the probability and every layer the model computes.

    Parameters
    ----------
    model : CoverageModel
        The coverage model.
    sites, cells : Sites, Cells
        Work-CRS arrays, metres.
    """
    if isinstance(model, RadioModel):
        best = model.best_server(sites, cells)
        layers = {name: (p, best.layer_covered[name], model.layer_description(name))
                  for name, p in best.layer_probability.items()}  # fmt: skip
        inside = model.indoor_people_share(cells) if "indoor" in layers else np.zeros(0)
        return Evaluation(best.matrix, best.probability, model.layer, layers, inside,
                          best.rsrp_dbm)  # fmt: skip
    matrix = model.coverage_matrix(sites, cells)
    return Evaluation(matrix, covered_mask(matrix).astype(float), "signal", {}, np.zeros(0),
                      np.zeros(0))  # fmt: skip


def pair_reach_m(model: CoverageModel, sites: Sites) -> np.ndarray:
    """Per site, the farthest distance (metres) at which :func:`evaluate_layers` lets it
    change a cell: cells farther from every site of a set are untouched by that set.

    What makes coverage computable by tiles of cells: a tile needs only the sites within
    this distance of it (the radio model's probability reach, else ``max_range_m``).

    Parameters
    ----------
    model : CoverageModel
        The coverage model.
    sites : Sites
        The sites, work CRS, metres.

    >>> from geoplan.models.radius import RadiusModel
    >>> sites = Sites(np.zeros(2), np.zeros(2), np.full(2, 30.0), np.array([0, 2]))
    >>> pair_reach_m(RadiusModel(), sites).tolist() == list(PlanConfig().radii_m[::2])
    True
    """
    if isinstance(model, RadioModel):
        return model.evaluated_reach_m(sites, with_probability=True)
    return np.asarray(model.max_range_m(sites), dtype=float)


def evaluate(
    model: CoverageModel, sites: Sites, cells: Cells
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The boolean coverage matrix and, per cell, the probability of being covered.

    The radio model computes both in one pass (:meth:`RadioModel.best_server`; the
    probability is the best server's, under log-normal shadow fading); any other model
    covers a cell or not, so its probability is the matrix's column OR as 0.0/1.0.

    Parameters
    ----------
    model : CoverageModel
        The coverage model.
    sites, cells : Sites, Cells
        Work-CRS arrays, metres.

    Returns
    -------
    (matrix, probability) : sites × cells CSR matrix, and one float 0..1 per cell
    """
    run = evaluate_layers(model, sites, cells)
    return run.matrix, run.probability


def get_model(
    name: str | None, config: PlanConfig | None = None, grid: PopulationGrid | None = None
) -> CoverageModel:
    """The coverage model called ``name``.

    Parameters
    ----------
    name : a key of :data:`MODELS` (``"radius"`` or ``"38901"``); None takes
        ``config.coverage_model``
    config : settings (radii, link budget inputs, DEM paths); the defaults if None
    grid : the population grid; the radio model reads its DEMs (the embedded ones
        unless ``config.dem_paths`` says otherwise) once over the grid (plus
        :data:`DEM_MARGIN_M`)

    Raises
    ------
    InputError
        for an unknown name, listing the known ones.
    """
    config = config or PlanConfig()
    name = config.coverage_model if name is None else name
    if name not in MODELS:
        raise InputError(f"unknown coverage model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name](config, grid)


__all__ = [
    "DEFAULT_MODEL",
    "DEM_MARGIN_M",
    "MODELS",
    "MODEL_NAMES",
    "BestServer",
    "CoverageModel",
    "Evaluation",
    "ModelName",
    "RadioModel",
    "RadiusModel",
    "covered_mask",
    "evaluate",
    "evaluate_layers",
    "get_model",
    "indoor_model",
    "pair_reach_m",
    "radius_coverage_matrix",
    "uplink_budget",
]
