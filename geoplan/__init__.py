"""geoplan: 5G coverage and new-site planning from open data.

The public API, for notebooks and scripts::

    import geoplan
    scenario = geoplan.load_scenario()
    result = scenario.coverage()
    result.communes            # per-commune table (pandas)
"""

from geoplan.config import PlanConfig
from geoplan.coverage import CoverageResult, RadiusModel, Sites, compute_coverage
from geoplan.errors import GeoplanError
from geoplan.optimize.adapter import PlanResult
from geoplan.optimize.adapter import plan_sites as plan
from geoplan.outputs import coverage_map
from geoplan.population import PopulationGrid, build_population_grid
from geoplan.radio import LinkBudget, RadioModel
from geoplan.scenario import Scenario, get_model, load_scenario

__all__ = [
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
    "compute_coverage",
    "coverage_map",
    "get_model",
    "load_scenario",
    "plan",
]
__version__ = "0.1.0"
