"""Maps, figures, tables and exports."""

from geoplan.outputs.maps import coverage_map, save_map
from geoplan.outputs.tables import commune_table, write_table_csv

__all__ = ["commune_table", "coverage_map", "save_map", "write_table_csv"]
