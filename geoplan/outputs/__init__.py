"""Maps, figures, tables and exports for meetings (Vietnamese by default, English)."""

from geoplan.outputs.figures import (
    figure_commune_bars,
    figure_commune_phases,
    figure_coverage_map,
    figure_curve,
)
from geoplan.outputs.maps import coverage_map, save_map
from geoplan.outputs.plan_dir import Plan, as_plan, read_plan
from geoplan.outputs.report import write_report
from geoplan.outputs.tables import commune_table, write_table_csv

__all__ = [
    "Plan",
    "as_plan",
    "commune_table",
    "coverage_map",
    "figure_commune_bars",
    "figure_commune_phases",
    "figure_coverage_map",
    "figure_curve",
    "read_plan",
    "save_map",
    "write_report",
    "write_table_csv",
]
