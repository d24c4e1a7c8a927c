"""geoplan: 5G coverage and new-site planning from open data.

The public API, for notebooks and scripts::

    import geoplan
    scenario = geoplan.load_scenario()
    result = scenario.coverage()
    result.communes            # per-commune table (pandas)
    geoplan.coverage_map(scenario, result)          # the map, inline in Jupyter
    plan = scenario.plan(target=0.8, solver="greedy")
    geoplan.compare(scenario, {"70%": {"target": 0.7}, "90%": {"target": 0.9}})
"""

from geoplan.compare import Comparison, compare
from geoplan.config import PlanConfig
from geoplan.coverage import CoverageResult, RadiusModel, Sites, compute_coverage
from geoplan.errors import GeoplanError
from geoplan.optimize.adapter import PlanResult
from geoplan.optimize.adapter import plan_sites as plan
from geoplan.outputs import (
    coverage_map,
    figure_commune_bars,
    figure_commune_phases,
    figure_coverage_map,
    figure_curve,
    read_plan,
    save_map,
    write_report,
)
from geoplan.population import PopulationGrid, build_population_grid
from geoplan.radio import LinkBudget, RadioModel
from geoplan.scenario import Scenario, get_model, load_scenario

__all__ = [
    "Comparison",
    "CoverageResult",
    "GeoplanError",
    "LinkBudget",
    "PlanConfig",
    "PlanResult",
    "PopulationGrid",
    "RadioModel",
    "RadiusModel",
    "Scenario",
    "Sites",
    "build_population_grid",
    "compare",
    "compute_coverage",
    "coverage_map",
    "figure_commune_bars",
    "figure_commune_phases",
    "figure_coverage_map",
    "figure_curve",
    "get_model",
    "load_scenario",
    "plan",
    "read_plan",
    "save_map",
    "write_report",
]
__version__ = "0.1.0"
