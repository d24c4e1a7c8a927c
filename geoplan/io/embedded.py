"""Where the embedded default data lives: inside the package, found by ``importlib.resources``.

The files ship in the wheel (``[tool.setuptools.package-data]``), so an installed
geoplan finds them wherever it is installed, editable or not.

>>> DEFAULT_COMMUNES.name, DEFAULT_COMMUNES.is_file()
('communes_2025.geojson', True)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Folder of the embedded default data (boundaries, population, stations). A wheel
#: installs it as a real folder, so the traversable is a path on disk.
DATA_DIR = Path(str(resources.files("geoplan").joinpath("data")))
DEFAULT_COMMUNES = DATA_DIR / "boundaries" / "communes_2025.geojson"
DEFAULT_POPULATION = DATA_DIR / "population" / "worldpop_2020_1km_bacninh.tif"
DEFAULT_STATIONS = DATA_DIR / "stations" / "bacninh_5g_sites_synthetic.csv"
#: The synthetic 4G layer (3,957 sites holding today's 5G ones): the default upgrade candidates.
DEFAULT_SITES_4G = DATA_DIR / "stations" / "bacninh_4g_sites_synthetic.csv"
#: The 313 communes before 1 July 2025, with district and province, and the unit each became.
DEFAULT_OLD_TO_NEW = DATA_DIR / "boundaries" / "old_to_new_2025.csv"
#: The embedded DEMs (SRTM 3″ strip + ETOPO 2022 60″, see its PROVENANCE.md): the radio
#: model's default terrain, listed by ``geoplan data info``.
DEFAULT_DEM_DIR = DATA_DIR / "dem"
#: 5G carriers per operator (band, frequency, EIRP), one source per row.
DEFAULT_CARRIERS = DATA_DIR / "carriers" / "carriers.csv"
#: Subscriber share per operator, with its source (the own-operator metric's weights).
DEFAULT_MARKET_SHARES = DATA_DIR / "carriers" / "market_shares.csv"
