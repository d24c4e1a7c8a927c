"""Maps, figures, tables and exports for meetings (Vietnamese by default, English)."""

from geoplan.outputs.maps import coverage_map, save_map
from geoplan.outputs.plan_dir import Plan, read_plan
from geoplan.outputs.tables import commune_table, write_table_csv

__all__ = ["Plan", "commune_table", "coverage_map", "read_plan", "save_map", "write_table_csv"]
