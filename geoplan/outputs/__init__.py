"""Maps, figures, tables and exports for meetings (Vietnamese by default, English).

They present results and compute none. Names load on first use (PEP 562), so
importing one light module of the package (the theme, the tables) does not load
folium or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geoplan.outputs.brief import write_brief
    from geoplan.outputs.figures import (
        figure_commune_bars,
        figure_commune_phases,
        figure_comparison,
        figure_coverage_map,
        figure_curve,
        save_figure,
    )
    from geoplan.outputs.headline import headline_lines
    from geoplan.outputs.maps import coverage_map, save_map
    from geoplan.outputs.national_report import write_national_outputs
    from geoplan.outputs.report import write_report, write_workbook
    from geoplan.outputs.tables import commune_table

_WHERE = {
    "headline_lines": "geoplan.outputs.headline",
    "write_brief": "geoplan.outputs.brief",
    "figure_commune_bars": "geoplan.outputs.figures",
    "figure_commune_phases": "geoplan.outputs.figures",
    "figure_comparison": "geoplan.outputs.figures",
    "figure_coverage_map": "geoplan.outputs.figures",
    "figure_curve": "geoplan.outputs.figures",
    "save_figure": "geoplan.outputs.figures",
    "coverage_map": "geoplan.outputs.maps",
    "save_map": "geoplan.outputs.maps",
    "write_report": "geoplan.outputs.report",
    "write_workbook": "geoplan.outputs.report",
    "commune_table": "geoplan.outputs.tables",
    "write_national_outputs": "geoplan.outputs.national_report",
}
__all__ = [
    "commune_table",
    "coverage_map",
    "figure_commune_bars",
    "figure_commune_phases",
    "figure_comparison",
    "figure_coverage_map",
    "figure_curve",
    "headline_lines",
    "save_figure",
    "save_map",
    "write_brief",
    "write_national_outputs",
    "write_report",
    "write_workbook",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
