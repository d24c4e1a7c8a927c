"""Radio physics on arrays: TR 38.901 path loss, sector antennas, link budget and terrain.

A pure core: the coverage model built on it is :class:`geoplan.models.RadioModel`.
"""

from geoplan.radio.antenna import element_pattern_db, parse_azimuths, sector_gain_db
from geoplan.radio.link_budget import LinkBudget, edge_rsrp_dbm, shadow_fading_margin_db
from geoplan.radio.pathloss import los_probability, path_loss_db
from geoplan.radio.terrain import Terrain, diffraction_loss_db, knife_edge_loss_db, read_dem

__all__ = [
    "LinkBudget",
    "Terrain",
    "diffraction_loss_db",
    "edge_rsrp_dbm",
    "element_pattern_db",
    "knife_edge_loss_db",
    "los_probability",
    "parse_azimuths",
    "path_loss_db",
    "read_dem",
    "sector_gain_db",
    "shadow_fading_margin_db",
]
