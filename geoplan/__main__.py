"""``python -m geoplan``."""

import sys

from geoplan.cli import main

sys.exit(main())
