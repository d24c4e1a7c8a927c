"""Readers that validate at the edge, and atomic writers."""

from geoplan.io.atomic import atomic_path, write_text_atomic
from geoplan.io.boundaries import read_communes
from geoplan.io.exporters import write_stations
from geoplan.io.rasters import read_population_raster, read_raster
from geoplan.io.stations import read_stations, stations_from_table, validate_stations

__all__ = [
    "atomic_path",
    "read_communes",
    "read_population_raster",
    "read_raster",
    "read_stations",
    "stations_from_table",
    "validate_stations",
    "write_stations",
    "write_text_atomic",
]
