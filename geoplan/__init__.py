"""geoplan: 5G coverage and new-site planning from open data.

The public API, for notebooks and scripts::

    import geoplan
    scenario = geoplan.load_scenario()
    result = scenario.coverage()
    result.communes            # per-commune table (pandas)
    scenario.map()             # the map, inline in Jupyter
    plan = scenario.plan(target=0.8, solver="greedy")
    geoplan.compare(scenario, {"70%": {"target": 0.7}, "90%": {"target": 0.9}})

Names load on first use (PEP 562): ``import geoplan`` loads neither the solver
(HiGHS), scikit-learn, folium nor matplotlib (tests/test_architecture.py checks it in
a fresh interpreter).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geoplan.comparison import Comparison, compare, standard_variants
    from geoplan.config import PlanConfig
    from geoplan.coverage import compute_coverage
    from geoplan.errors import ConfigError, GeoplanError, InputError
    from geoplan.grid import PopulationGrid
    from geoplan.io.plan_folder import read_plan, write_plan
    from geoplan.models import MODELS, RadioModel, RadiusModel, get_model
    from geoplan.outputs.figures import (
        figure_commune_bars,
        figure_commune_phases,
        figure_coverage_map,
        figure_curve,
    )
    from geoplan.outputs.maps import coverage_map, save_map
    from geoplan.planning import plan_sites as plan
    from geoplan.population import build_population_grid
    from geoplan.radio.link_budget import LinkBudget
    from geoplan.results import CoverageResult, Plan, PlanSummary
    from geoplan.scenario import Scenario, load_scenario, synthesize, write_report
    from geoplan.sites import Sites

#: Public name -> (module, name in that module).
_WHERE: dict[str, tuple[str, str]] = {
    "Comparison": ("geoplan.comparison", "Comparison"),
    "compare": ("geoplan.comparison", "compare"),
    "standard_variants": ("geoplan.comparison", "standard_variants"),
    "PlanConfig": ("geoplan.config", "PlanConfig"),
    "compute_coverage": ("geoplan.coverage", "compute_coverage"),
    "ConfigError": ("geoplan.errors", "ConfigError"),
    "GeoplanError": ("geoplan.errors", "GeoplanError"),
    "InputError": ("geoplan.errors", "InputError"),
    "PopulationGrid": ("geoplan.grid", "PopulationGrid"),
    "read_plan": ("geoplan.io.plan_folder", "read_plan"),
    "write_plan": ("geoplan.io.plan_folder", "write_plan"),
    "MODELS": ("geoplan.models", "MODELS"),
    "RadioModel": ("geoplan.models", "RadioModel"),
    "RadiusModel": ("geoplan.models", "RadiusModel"),
    "get_model": ("geoplan.models", "get_model"),
    "figure_commune_bars": ("geoplan.outputs.figures", "figure_commune_bars"),
    "figure_commune_phases": ("geoplan.outputs.figures", "figure_commune_phases"),
    "figure_coverage_map": ("geoplan.outputs.figures", "figure_coverage_map"),
    "figure_curve": ("geoplan.outputs.figures", "figure_curve"),
    "coverage_map": ("geoplan.outputs.maps", "coverage_map"),
    "save_map": ("geoplan.outputs.maps", "save_map"),
    "plan": ("geoplan.planning", "plan_sites"),
    "build_population_grid": ("geoplan.population", "build_population_grid"),
    "LinkBudget": ("geoplan.radio.link_budget", "LinkBudget"),
    "CoverageResult": ("geoplan.results", "CoverageResult"),
    "Plan": ("geoplan.results", "Plan"),
    "PlanSummary": ("geoplan.results", "PlanSummary"),
    "Scenario": ("geoplan.scenario", "Scenario"),
    "load_scenario": ("geoplan.scenario", "load_scenario"),
    "synthesize": ("geoplan.scenario", "synthesize"),
    "write_report": ("geoplan.scenario", "write_report"),
    "Sites": ("geoplan.sites", "Sites"),
}
__all__ = [
    "MODELS",
    "Comparison",
    "ConfigError",
    "CoverageResult",
    "GeoplanError",
    "InputError",
    "LinkBudget",
    "Plan",
    "PlanConfig",
    "PlanSummary",
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
    "standard_variants",
    "synthesize",
    "write_plan",
    "write_report",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _WHERE[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
