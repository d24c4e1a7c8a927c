"""``python -m geoplan``."""

import sys

from geoplan.cli import main

if __name__ == "__main__":
    sys.exit(main())
