"""The meeting map: an offline, bilingual folium (Leaflet) map of coverage and plans.

:func:`coverage_map` returns a :class:`folium.Map` (it shows inline in Jupyter);
:func:`save_map` writes it as one self-contained HTML file. Layers, each in the
layer switcher: communes by covered share (today, and after the plan when there is
one), population density, existing sites, the coverage footprint, proposed new
sites by phase, and hotspots of uncovered people (the footprint and the hotspots
today, and after the plan when there is one). Every user string (site ids, names,
file names) is HTML-escaped before it reaches the page.

Layers sit in Leaflet panes (:data:`PANES`): areas (communes, density) lowest, then
the footprint and the hotspots, commune names, existing sites and the new sites on
top, so ticking a layer never draws polygons over the sites. The page's script
(``static/geoplan-map.js``) turns the title, the legend and the sources into Leaflet
controls, fits the province beside them, shows in the legend only the classes of
the visible layers and names the communes from zoom :data:`LABEL_MIN_ZOOM` on.

Examples
--------
>>> import geoplan
>>> from geoplan.outputs import coverage_map
>>> fmap = geoplan.load_scenario().map(lang="en")  # doctest: +SKIP
>>> fmap                                                      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure, MacroElement
from jinja2 import Template

from geoplan.config import STORAGE_CRS
from geoplan.grid import PopulationGrid
from geoplan.inputs import Inputs
from geoplan.io.atomic import atomic_path
from geoplan.io.plan_folder import check_plan_communes
from geoplan.outputs import layers
from geoplan.outputs.headline import equity_lines
from geoplan.outputs.i18n import (
    check_lang,
    fmt_date,
    fmt_int,
    fmt_pct,
    fmt_vnd,
    label,
    model_label,
)
from geoplan.outputs.offline import RawHTML, escape_text, make_offline, map_script, stable_ids
from geoplan.outputs.theme import (
    FOOTPRINT_AFTER_COLOUR,
    FOOTPRINT_COLOUR,
    HOTSPOT_AFTER_COLOUR,
    HOTSPOT_COLOUR,
    NEW_SITE_OUTLINE,
    SHARE_BREAKS,
    SHARE_COLOURS,
    SITE_COLOUR,
    UPGRADE_FILL,
    classify,
    phase_colour,
)
from geoplan.results import CoverageResult, Plan
from geoplan.schema import DEFAULT_LANG, Lang

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

StyleFunction = Callable[[dict[str, dict[str, object]]], dict[str, object]]
#: Legend key -> the map layers whose symbols that legend entry explains.
LegendGroups = dict[str, list[folium.map.Layer]]

AREA_PANE = "geoplan-areas"
OVERLAY_PANE = "geoplan-overlays"
LABEL_PANE = "geoplan-labels"
SITE_PANE = "geoplan-sites"
NEW_SITE_PANE = "geoplan-new-sites"
#: Leaflet panes of the map and their z-index: above the tiles (200) and Leaflet's
#: overlay pane (400), below its markers (600) and tooltips (650).
PANES = {AREA_PANE: 410, OVERLAY_PANE: 420, LABEL_PANE: 430, SITE_PANE: 440, NEW_SITE_PANE: 450}
#: Commune names show from this zoom level on (the whole province fits at about 9.5).
LABEL_MIN_ZOOM = 11
#: Sites up to this far outside the communes' box still fit in the first view, metres.
VIEW_SITE_MARGIN_M = 5000.0
#: Gap between the province and the map's edge or its controls, pixels.
FIT_MARGIN_PX = 10

log = logging.getLogger(__name__)
_L = TypeVar("_L", bound=folium.map.Layer)


def table_html(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column HTML table; every key and value is escaped.

    Parameters
    ----------
    rows : sequence of (str, str)
        Label and value of each row (with units in the text, e.g. ``"2,5 km"``).

    >>> table_html([("Site", "<b>")])
    '<table class="geoplan-tip"><tr><th>Site</th><td>&lt;b&gt;</td></tr></table>'
    """
    body = "".join(
        f"<tr><th>{escape_text(str(key))}</th><td>{escape_text(str(value))}</td></tr>"
        for key, value in rows
    )
    return f'<table class="geoplan-tip">{body}</table>'


# --------------------------------------------------------------------------- the map
def coverage_map(
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None = None,
    after: CoverageResult | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    title: str | None = None,
    created: dt.date | None = None,
    osm_layer: bool = True,
    n_hotspots: int = 15,
) -> folium.Map:
    """The meeting map of today's coverage (and ``plan``), offline and in ``lang``.

    It presents results and computes none: the facade
    (:meth:`geoplan.Scenario.map`) supplies today's coverage and the coverage after
    the plan.

    Parameters
    ----------
    inputs : the communes, population grid and existing sites
    result : coverage today
    plan : a plan (``inputs.plan(...)`` or :func:`geoplan.read_plan`); adds its
        new sites by phase and the communes after the plan
    after : coverage once the plan is built (:meth:`geoplan.Scenario.coverage_after`);
        adds the footprint and the uncovered hotspots after the plan, off at start
    lang : ``"vi"`` (default) or ``"en"``
    title : heading of the map (default: a standard one in ``lang``)
    created : date printed on the map (default: today, UTC)
    osm_layer : offer OpenStreetMap tiles as an optional layer, off by default; it
        loads only when a person ticks it, with internet
    n_hotspots : number of 1 km blocks with the most uncovered people to mark

    Examples
    --------
    >>> fmap = geoplan.load_scenario().map(lang="en")  # doctest: +SKIP
    >>> save_map(fmap, "out/map.html")                 # doctest: +SKIP
    """
    check_lang(lang)
    if plan is not None:
        check_plan_communes(plan, inputs.communes["code"])
    created = created or dt.datetime.now(dt.UTC).date()
    heading = title or label("title_plan" if plan is not None else "title", lang)
    fmap = _base_map(inputs.communes, heading)
    for pane, z_index in PANES.items():
        # the pane lets pointer events through; its interactive shapes still take them
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=False).add_to(fmap)
    if osm_layer:
        folium.TileLayer(
            OSM_TILES,
            attr=OSM_ATTRIBUTION,
            name=_name(label("layer_osm", lang)),
            overlay=True,
            control=True,
            show=False,
            max_zoom=19,
        ).add_to(fmap)
    shapes = _commune_frame(inputs, result, plan)
    groups: LegendGroups = {}
    _group(groups, "density", _add_density(fmap, inputs, lang))
    _group(groups, "rsrp", _add_rsrp_overlay(fmap, inputs.grid, result, lang))
    for key, overlay in _add_qcvn_overlays(fmap, inputs.grid, result, lang).items():
        _group(groups, key, overlay)
    _group(groups, "footprint", _add_footprint(fmap, inputs.grid, result, lang, TODAY))
    if after is not None:
        _group(
            groups, "footprint_after", _add_footprint(fmap, inputs.grid, after, lang, AFTER_PLAN)
        )
    today = _add_communes(fmap, shapes, "covered_share", "layer_communes", lang, plan, True)
    _group(groups, "share", today)
    if plan is not None:
        later = _add_communes(
            fmap, shapes, "covered_share_after", "layer_communes_after", lang, plan, False
        )
        _group(groups, "share", later)
    _group(groups, "hotspots", _add_hotspots(fmap, inputs.grid, result, lang, n_hotspots, TODAY))
    if after is not None:
        spots = _add_hotspots(fmap, inputs.grid, after, lang, n_hotspots, AFTER_PLAN)
        _group(groups, "hotspots_after", spots)
    _group(groups, "sites", _add_sites(fmap, inputs.stations, lang))
    upgrades: list[str] = []
    if plan is not None:
        for phase, (layer, has_upgrades) in _add_new_sites(fmap, plan, lang).items():
            _group(groups, f"phase-{phase}", layer)
            if has_upgrades:
                upgrades.append(f"phase-{phase}")
    folium.LayerControl(collapsed=True).add_to(fmap)
    _MapSetup(groups, _view_bounds(inputs, plan), _commune_labels(inputs)).add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(RawHTML(_panel_css()), name="geoplan_css")
    root.html.add_child(
        RawHTML(_title_html(heading, inputs, result, plan, lang, created)), name="geoplan_title"
    )
    legend = _legend_html(lang, groups, upgrades, inputs.config.cell_edge_reliability)
    root.html.add_child(RawHTML(legend), name="geoplan_legend")
    root.html.add_child(RawHTML(_sources_html(inputs, lang)), name="geoplan_sources")
    make_offline(fmap)
    stable_ids(root)
    return fmap


def save_map(fmap: folium.Map, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write the map as one HTML file, atomically; refuses to replace without ``overwrite``.

    Parameters
    ----------
    fmap : folium.Map
        The map (from :func:`coverage_map`).
    path : str or path
        The HTML file to write.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path, overwrite) as tmp:
        fmap.save(str(tmp))
    return Path(path)


def _name(text: str) -> str:
    # Leaflet's layer switcher writes layer names as HTML
    return escape_text(text)


def _base_map(communes: gpd.GeoDataFrame, heading: str) -> folium.Map:
    figure = Figure(title=escape_text(heading))
    west, south, east, north = communes.total_bounds
    # the page's script fits the province beside the controls; this is the view before it
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=False,  # the script adds a metric-only scale
        zoom_snap=0.1,  # fine steps, so the fit uses the room beside the controls
    )
    fmap.add_to(figure)
    return fmap


def _added(fmap: folium.Map, layer: _L) -> _L:
    layer.add_to(fmap)
    return layer


def _group(groups: LegendGroups, key: str, layer: folium.map.Layer | None) -> None:
    if layer is not None:
        groups.setdefault(key, []).append(layer)


def _view_bounds(inputs: Inputs, plan: Plan | None) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the communes and the sites near them, degrees.

    Sites more than :data:`VIEW_SITE_MARGIN_M` outside the communes' box (say, from
    a national station file) do not widen the view.
    """
    work = inputs.config.work_crs
    region = shapely.box(*inputs.communes.to_crs(work).total_bounds).buffer(VIEW_SITE_MARGIN_M)
    shown = [inputs.communes.geometry.to_crs(STORAGE_CRS)]
    for frame in (inputs.stations, plan.new_sites if plan is not None else None):
        if frame is not None and len(frame):
            points = frame.geometry.to_crs(work)
            shown.append(points[points.within(region)].to_crs(STORAGE_CRS))
    boxes = np.array([s.total_bounds for s in shown if len(s)])
    west, south = boxes[:, :2].min(axis=0)
    east, north = boxes[:, 2:].max(axis=0)
    return [
        [round(float(south), 5), round(float(west), 5)],
        [round(float(north), 5), round(float(east), 5)],
    ]


def _commune_labels(inputs: Inputs) -> list[list[float | str]]:
    """``[lat, lon, escaped name]`` of a point inside each commune."""
    points = inputs.communes.to_crs(inputs.config.work_crs).representative_point()
    points = points.to_crs(STORAGE_CRS)
    return [
        [round(float(p.y), 5), round(float(p.x), 5), escape_text(name)]
        for p, name in zip(points, inputs.communes["name"], strict=True)
    ]


class _MapSetup(MacroElement):
    """Runs ``geoplanSetup`` (``static/geoplan-map.js``) once every layer exists.

    Add it to the map after the layers and the layer control; the layers' JavaScript
    names are read when the page is rendered (after :func:`stable_ids`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        geoplanSetup({{ this._parent.get_name() }}, {
        {%- for key, layers in this.groups %}
            {{ key|tojson }}: [{% for layer in layers %}{{ layer.get_name() }}, {% endfor %}],
        {%- endfor %}
        }, {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self, groups: LegendGroups, bounds: list[list[float]], labels: list[list[float | str]]
    ) -> None:
        """Keep the legend groups, the view's bounds and the commune labels."""
        super().__init__()
        self._name = "GeoplanSetup"
        self.groups = list(groups.items())
        self.library = map_script()
        options = {
            "bounds": bounds,
            "labels": labels,
            "labelMinZoom": LABEL_MIN_ZOOM,
            "labelPane": LABEL_PANE,
            "margin": FIT_MARGIN_PX,
        }
        self.options_json = _script_json(options)


def _script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` block (no ``<``, ``>`` or ``&`` left as such)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _commune_frame(inputs: Inputs, result: CoverageResult, plan: Plan | None) -> gpd.GeoDataFrame:
    shapes = layers.display_communes(inputs.communes, inputs.config.work_crs)
    shapes = shapes[["code", "name", "geometry"]].merge(
        result.communes[["code", "population", "covered_population", "covered_share"]],
        on="code",
        how="left",
    )
    if plan is not None:
        after = plan.communes[["code", "covered_share_after", "covered_population_after"]]
        shapes = shapes.merge(after, on="code", how="left")
    return shapes


def _commune_tip(row: pd.Series, lang: str, plan: Plan | None) -> str:
    rows = [
        (label("commune", lang), f"{row['name']} ({row['code']})"),
        (label("population", lang), f"{fmt_int(row['population'], lang)} {label('people', lang)}"),
        (label("covered_share_before", lang), fmt_pct(row["covered_share"], lang)),
        (
            label("uncovered_population", lang),
            fmt_int(row["population"] - row["covered_population"], lang),
        ),
    ]
    if plan is not None and pd.notna(row.get("covered_share_after")):
        rows.append((label("covered_share_after", lang), fmt_pct(row["covered_share_after"], lang)))
    return table_html(rows)


def _add_communes(
    fmap: folium.Map,
    shapes: gpd.GeoDataFrame,
    share_column: str,
    name_key: str,
    lang: str,
    plan: Plan | None,
    show: bool,
) -> folium.GeoJson:
    shares = shapes[share_column].fillna(0.0).to_numpy(float)
    classes = classify(shares, SHARE_BREAKS)
    data = gpd.GeoDataFrame(
        {
            "tip": [_commune_tip(row, lang, plan) for _, row in shapes.iterrows()],
            "fill": [SHARE_COLOURS[i] for i in classes],
        },
        geometry=shapes.geometry.values,
        crs=shapes.crs,
    )
    css_class = "geoplan-commune" if share_column == "covered_share" else "geoplan-commune-after"

    def style(feature: dict[str, dict[str, object]]) -> dict[str, object]:
        return {
            "fillColor": feature["properties"]["fill"],
            "color": "#444444",
            "weight": 0.8,
            "fillOpacity": 0.7,
            "className": css_class,
        }

    layer = folium.GeoJson(
        data,
        name=_name(label(name_key, lang)),
        style_function=style,
        highlight_function=lambda _: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        show=show,
        pane=AREA_PANE,
    )
    return _added(fmap, layer)


def _add_density(fmap: folium.Map, inputs: Inputs, lang: str) -> folium.GeoJson:
    frame = layers.density_classes(inputs.grid)
    unit = label("people_per_km2", lang)
    names = _class_names(layers.DENSITY_BREAKS, lang)
    data = gpd.GeoDataFrame(
        {
            "tip": [
                table_html([(label("density", lang), f"{names[c]} {unit}")])
                for c in frame["density_class"]
            ],
            "fill": [layers.DENSITY_COLOURS[c] for c in frame["density_class"]],
        },
        geometry=frame.geometry.values,
        crs=frame.crs,
    )
    layer = folium.GeoJson(
        data,
        name=_name(label("layer_density", lang)),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "weight": 0,
            "fillOpacity": 0.75,
            "className": "geoplan-density",
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        show=False,
        pane=AREA_PANE,
    )
    return _added(fmap, layer)


def _add_rsrp_overlay(
    fmap: folium.Map, grid: PopulationGrid, result: CoverageResult, lang: str
) -> folium.raster_layers.ImageOverlay | None:
    """The best server's planning SS-RSRP in classes, as an image overlay off at start.

    The classes are :data:`~geoplan.outputs.layers.RSRP_BREAKS_DBM`; the RSRP is the
    coverage run's own (``result.best_rsrp_dbm``), and cells beyond every site's reach
    (NaN) stay transparent. None for a model without a link budget.
    """
    if not result.best_rsrp_dbm.size:
        return None
    image, bounds = layers.class_overlay(grid, result.cells.flat_index, result.best_rsrp_dbm,
                                         layers.RSRP_BREAKS_DBM, layers.RSRP_COLOURS)  # fmt: skip
    overlay = folium.raster_layers.ImageOverlay(
        image, bounds, name=_name(label("layer_rsrp", lang)), opacity=1.0, show=False,
        pixelated=True, pane=OVERLAY_PANE,
    )  # fmt: skip
    return _added(fmap, overlay)


def _add_qcvn_overlays(
    fmap: folium.Map, grid: PopulationGrid, result: CoverageResult, lang: str
) -> dict[str, folium.raster_layers.ImageOverlay]:
    """The QCVN layer's best-server SINR and downlink-rate classes, as image overlays.

    Only when ``result`` holds the QCVN layer; the SINR shows at start when QCVN is the
    headline layer (``--coverage qcvn``), else both are off until ticked.
    """
    qcvn = result.layers.get("qcvn")
    if qcvn is None or not qcvn.sinr_db.size:
        return {}
    added = {}
    for key, values, breaks, colours in (
        ("sinr", qcvn.sinr_db, layers.SINR_BREAKS_DB, layers.SINR_COLOURS),
        ("throughput", np.where(qcvn.dl_mbps > 0, qcvn.dl_mbps, np.nan),
         layers.RATE_BREAKS_MBPS, layers.RATE_COLOURS),
    ):  # fmt: skip
        image, bounds = layers.class_overlay(grid, result.cells.flat_index, values, breaks,
                                             colours)  # fmt: skip
        overlay = folium.raster_layers.ImageOverlay(
            image, bounds, name=_name(label(f"layer_{key}", lang)), opacity=1.0,
            show=key == "sinr" and result.layer == "qcvn", pixelated=True, pane=OVERLAY_PANE,
        )  # fmt: skip
        added[key] = _added(fmap, overlay)
    return added


def _range_names(breaks: Sequence[float], lang: str) -> list[str]:
    """Class names of ``breaks`` whose first may be −inf: "< 0", "0–5" … "≥ 20".

    Negative bounds take a minus sign and a spaced dash: "< −110", "−110 – −100".

    >>> _range_names((-np.inf, -110.0, -100.0, np.inf), "en")
    ['< −110', '−110 – −100', '≥ −100']
    """

    def text(value: float) -> str:
        return fmt_int(value, lang).replace("-", "\u2212")

    names = []
    for low, high in itertools.pairwise(breaks):
        if not np.isfinite(low):
            names.append(f"< {text(high)}")
        elif not np.isfinite(high):
            names.append(f"≥ {text(low)}")
        else:
            dash = " – " if min(low, high) < 0 else "–"
            names.append(f"{text(low)}{dash}{text(high)}")
    return names


@dataclass(frozen=True)
class _When:
    """How the footprint and hotspot layers of one moment (today, after the plan) look."""

    footprint_key: str
    footprint_class: str
    footprint_colour: str
    hotspots_key: str
    hotspot_text_key: str
    hotspot_class: str
    hotspot_colour: str
    hotspot_dashes: str
    show_hotspots: bool


TODAY = _When(
    footprint_key="layer_footprint",
    footprint_class="geoplan-footprint",
    footprint_colour=FOOTPRINT_COLOUR,
    hotspots_key="layer_hotspots",
    hotspot_text_key="hotspot_text",
    hotspot_class="geoplan-hotspot",
    hotspot_colour=HOTSPOT_COLOUR,
    hotspot_dashes="4 3",
    show_hotspots=True,
)
AFTER_PLAN = _When(
    footprint_key="layer_footprint_after",
    footprint_class="geoplan-footprint-after",
    footprint_colour=FOOTPRINT_AFTER_COLOUR,
    hotspots_key="layer_hotspots_after",
    hotspot_text_key="hotspot_after_text",
    hotspot_class="geoplan-hotspot-after",
    hotspot_colour=HOTSPOT_AFTER_COLOUR,
    hotspot_dashes="1 4",
    show_hotspots=False,  # like the communes after the plan: today's view comes first
)


def _add_footprint(
    fmap: folium.Map, grid: PopulationGrid, result: CoverageResult, lang: str, when: _When
) -> folium.GeoJson | None:
    frame = layers.coverage_footprint(grid, result)
    if frame.empty:
        return None
    frame["tip"] = table_html([(label(when.footprint_key, lang), label("footprint_text", lang))])
    layer = folium.GeoJson(
        frame,
        name=_name(label(when.footprint_key, lang)),
        style_function=lambda _: {
            "fillColor": when.footprint_colour,
            "color": when.footprint_colour,
            "weight": 0.5,
            "fillOpacity": 0.35,
            "className": when.footprint_class,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        show=False,
        pane=OVERLAY_PANE,
    )
    return _added(fmap, layer)


def _add_hotspots(
    fmap: folium.Map, grid: PopulationGrid, result: CoverageResult, lang: str, n: int, when: _When
) -> folium.GeoJson | None:
    frame = layers.uncovered_hotspots(grid, result, n=n)
    if frame.empty:
        return None
    frame["tip"] = [
        table_html(
            [
                (
                    f"{label('hotspot', lang)} {rank}",
                    label(when.hotspot_text_key, lang, people=fmt_int(people, lang)),
                )
            ]
        )
        for rank, people in enumerate(frame["uncovered_population"], start=1)
    ]
    layer = folium.GeoJson(
        frame[["tip", "geometry"]],
        name=_name(label(when.hotspots_key, lang)),
        style_function=lambda _: {
            "color": when.hotspot_colour,
            "weight": 2,
            "dashArray": when.hotspot_dashes,
            "fillColor": when.hotspot_colour,
            "fillOpacity": 0.15,
            "className": when.hotspot_class,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        show=when.show_hotspots,
        pane=OVERLAY_PANE,
    )
    return _added(fmap, layer)


def _site_tip(row: pd.Series, lang: str) -> str:
    synthetic = row.get("source") == "synthetic"
    source = label("synthetic", lang) if synthetic else str(row.get("source", ""))
    return table_html(
        [
            (label("site", lang), str(row["site_id"])),
            (label("operator", lang), str(row.get("operator", ""))),
            (label("band", lang), str(row.get("band", ""))),
            (label("antenna_height_m", lang), f"{float(row.get('antenna_height_m', 0.0)):g}"),
            (label("source", lang), source),
        ]
    )


def _points_layer(
    points: gpd.GeoDataFrame,
    properties: dict[str, list[str]],
    name: str,
    style: StyleFunction,
    radius: float,
    pane: str,
) -> folium.GeoJson:
    data = gpd.GeoDataFrame(properties, geometry=points.geometry.values, crs=points.crs)
    data = layers.round_geometries(data)

    def in_pane(feature: dict[str, dict[str, object]]) -> dict[str, object]:
        # folium builds each marker from its style, so the pane goes there
        return {**style(feature), "pane": pane}

    return folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(radius=radius),
        style_function=in_pane,
        pane=pane,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["tip"], labels=False),
    )


def _add_sites(fmap: folium.Map, stations: gpd.GeoDataFrame, lang: str) -> folium.GeoJson | None:
    if stations is None or not len(stations):
        return None
    synthetic = bool((stations["source"] == "synthetic").all())
    name = label("layer_sites", lang) + (f" ({label('synthetic', lang)})" if synthetic else "")
    tips = [_site_tip(row, lang) for _, row in stations.iterrows()]
    style: StyleFunction = lambda _: {  # noqa: E731
        "color": "#ffffff",
        "weight": 0.8,
        "fill": True,
        "fillColor": SITE_COLOUR,
        "fillOpacity": 0.9,
        "className": "geoplan-site",
    }
    return _added(fmap, _points_layer(stations, {"tip": tips}, _name(name), style, 3.5, SITE_PANE))


def _new_site_tip(row: pd.Series, lang: str) -> str:
    return table_html(
        [
            (label("site", lang), str(row["site_id"])),
            (label("kind", lang), label(str(row["kind"]), lang)),
            (label("phase", lang), f"{int(row['phase'])}"),
            (label("order", lang), f"{row['order']:g}"),
            (label("commune", lang), f"{row['commune_name']} ({row['commune_code']})"),
            (label("cost_vnd", lang), fmt_vnd(row["cost_vnd"], lang)),
            (label("added_population", lang), fmt_int(row["added_population"], lang)),
        ]
    )


def _add_new_sites(
    fmap: folium.Map, plan: Plan, lang: str
) -> dict[int, tuple[folium.GeoJson, bool]]:
    """Phase -> its layer and whether it holds upgrades of existing sites."""
    added = {}
    n_phases = int(plan.new_sites["phase"].max()) if len(plan.new_sites) else 0
    for phase, group in plan.new_sites.groupby("phase", sort=True):
        colour = phase_colour(int(phase), n_phases)
        tips = [_new_site_tip(row, lang) for _, row in group.iterrows()]
        name = f"{label('layer_phase', lang, phase=int(phase))} ({len(group)})"

        def style(feature: dict[str, dict[str, object]], colour: str = colour) -> dict[str, object]:
            upgrade = feature["properties"]["kind"] == "upgrade"
            return {
                "color": colour if upgrade else NEW_SITE_OUTLINE,
                "weight": 3 if upgrade else 1.5,
                "fill": True,
                "fillColor": UPGRADE_FILL if upgrade else colour,
                "fillOpacity": 0.95,
                "className": "geoplan-new-site",
            }

        properties = {"tip": tips, "kind": group["kind"].tolist()}
        layer = _points_layer(group, properties, _name(name), style, 6, NEW_SITE_PANE)
        added[int(phase)] = (_added(fmap, layer), bool((group["kind"] == "upgrade").any()))
    return added


# --------------------------------------------------------------------------- panels
def _class_names(breaks: Sequence[float], lang: str, percent: bool = False) -> list[str]:
    def text(value: float) -> str:
        return fmt_pct(min(value, 1.0), lang, digits=0) if percent else fmt_int(value, lang)

    names = []
    for low, high in itertools.pairwise(breaks):
        names.append(f"≥ {text(low)}" if not np.isfinite(high) else f"{text(low)}–{text(high)}")
    return names


def _panel_css() -> str:
    left_column = "width:min(290px,34vw)"  # the title and the legend: one column on the left
    return (
        "<style>"
        ".geoplan-panel{background:rgba(255,255,255,.93);padding:6px 10px;border:1px solid #888;"
        "border-radius:4px;font:12px/1.35 sans-serif;color:#222;box-sizing:border-box}"
        f".geoplan-title{{{left_column}}}.geoplan-title h1{{font-size:15px;margin:0 0 3px}}"
        f".geoplan-legend{{{left_column};overflow-y:auto}}"
        ".geoplan-legend b{display:block;margin-top:3px}"
        ".geoplan-sources{max-width:min(380px,40vw);font-size:11px}"
        ".geoplan-sources summary{cursor:pointer;font-weight:600}"
        ".leaflet-control-layers{font:13px/1.4 sans-serif}"
        ".geoplan-legend .sw{display:inline-block;width:16px;height:11px;margin-right:6px;"
        "border:1px solid #777;vertical-align:middle}"
        ".geoplan-legend .dot{display:inline-block;width:10px;height:10px;border-radius:50%;"
        "margin:0 6px 0 3px;vertical-align:middle;border:1px solid #222;box-sizing:border-box}"
        ".geoplan-legend .chip{display:inline-block;min-width:3.2em;white-space:nowrap}"
        ".geoplan-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
        "font:600 11px/1.1 sans-serif;color:#222;text-shadow:0 0 2px #fff,0 0 3px #fff}"
        ".geoplan-tip{font:12px/1.35 sans-serif;border-collapse:collapse}"
        ".geoplan-tip th{text-align:left;padding:1px 8px 1px 0;font-weight:600}"
        ".geoplan-tip td{padding:1px 0}"
        "</style>"
    )


def _title_html(
    heading: str,
    inputs: Inputs,
    result: CoverageResult,
    plan: Plan | None,
    lang: str,
    created: dt.date,
) -> str:
    synthetic = label("synthetic_suffix", lang) if inputs.stations_synthetic else ""
    today = label(
        "scenario_today",
        lang,
        n_sites=fmt_int(result.n_sites, lang),
        synthetic=synthetic,
        model=model_label(result.model, lang),
        covered=fmt_int(result.covered_population, lang),
        total=fmt_int(result.population_total, lang),
        share=fmt_pct(result.covered_share, lang),
    )
    lines = [
        f"<h1>{escape_text(heading)}</h1>",
        f"<div>{escape_text(label('created', lang))}: {fmt_date(created, lang)}</div>",
        f"<div>{escape_text(label('scenario', lang))}: {escape_text(today)}</div>",
    ]
    if plan is not None:
        planned = label(
            "scenario_plan",
            lang,
            n_new=fmt_int(len(plan.new_sites), lang),
            n_phases=plan.n_phases,
            cost=fmt_vnd(plan.total_cost_vnd, lang),
            share=fmt_pct(plan.summary.achieved_expected_share, lang),  # expected, as today's
        )
        lines.append(f"<div>{escape_text(planned)}</div>")
        for line in equity_lines(plan, lang):
            lines.append(f'<div class="geoplan-equity">{escape_text(line)}</div>')
    return f'<div class="geoplan-panel geoplan-title">{"".join(lines)}</div>'


def _row(keys: Sequence[str], inner: str, css: str = "") -> str:
    """A legend row (``inner`` is HTML, escaped), shown while a layer of ``keys`` is on."""
    extra = f' class="{css}"' if css else ""
    return f'<div data-geoplan-legend="{" ".join(keys)}"{extra}>{inner}</div>'


def _entry(keys: Sequence[str], symbol: str, text: str, css: str = "") -> str:
    """A legend row of a symbol and its (escaped) text."""
    return _row(keys, symbol + escape_text(text), css)


def _swatch(style: str) -> str:
    return f'<span class="sw" style="{style}"></span>'


def _dot(style: str) -> str:
    return f'<span class="dot" style="{style}"></span>'


def _legend_html(
    lang: str, groups: LegendGroups, upgrades: Sequence[str], reliability: float = 0.9
) -> str:
    """The legend: one block per legend group present, each shown while its layers are.

    ``reliability`` (0..1) is the cell-edge reliability the RSRP classes are reached at.
    """
    reached = fmt_pct(reliability, lang, digits=0)
    parts = []
    for key, heading, colours, names in (
        ("share", "legend_share", SHARE_COLOURS, _class_names(SHARE_BREAKS, lang, percent=True)),
        ("density", "legend_density", layers.DENSITY_COLOURS,
         _class_names(layers.DENSITY_BREAKS, lang)),
        ("rsrp", "legend_rsrp", layers.RSRP_COLOURS, _range_names(layers.RSRP_BREAKS_DBM, lang)),
        ("sinr", "legend_sinr", layers.SINR_COLOURS, _range_names(layers.SINR_BREAKS_DB, lang)),
        ("throughput", "legend_throughput", layers.RATE_COLOURS,
         _range_names(layers.RATE_BREAKS_MBPS, lang)),
    ):  # fmt: skip
        if key in groups:
            heading_text = label(heading, lang, reliability=reached)
            parts.append(_row([key], f"<b>{escape_text(heading_text)}</b>"))
            css = "geoplan-legend-class" if key == "share" else ""
            parts += [
                _entry([key], _swatch(f"background:{c}"), n, css)
                for c, n in zip(colours, names, strict=True)
            ]
    footprints = [
        ("footprint", FOOTPRINT_COLOUR, "layer_footprint"),
        ("footprint_after", FOOTPRINT_AFTER_COLOUR, "layer_footprint_after"),
    ]
    parts += [
        _entry([key], _swatch(f"background:{colour};opacity:.6"), label(text, lang))
        for key, colour, text in footprints
        if key in groups
    ]
    if "sites" in groups:
        parts.append(_entry(["sites"], _dot(f"background:{SITE_COLOUR};border-color:#fff"),
                            label("layer_sites", lang)))  # fmt: skip
    phases = sorted(int(k.removeprefix("phase-")) for k in groups if k.startswith("phase-"))
    if phases:
        keys = [f"phase-{p}" for p in phases]
        chips = "".join(
            f'<span class="chip" data-geoplan-legend="phase-{p}">'
            f"{_dot(f'background:{phase_colour(p, phases[-1])}')}{p}</span>"
            for p in phases
        )
        parts.append(_row(keys, f"<b>{escape_text(label('legend_phases', lang))}</b>{chips}"))
    if upgrades:
        parts.append(_entry(upgrades, _dot("background:#fff;border:2px solid #555"),
                            label("upgrade", lang)))  # fmt: skip
    hotspots = [
        ("hotspots", f"border:2px dashed {HOTSPOT_COLOUR}", "layer_hotspots"),
        ("hotspots_after", f"border:2px dotted {HOTSPOT_AFTER_COLOUR}", "layer_hotspots_after"),
    ]
    parts += [
        _entry([key], _swatch(style), label(text, lang))
        for key, style, text in hotspots
        if key in groups
    ]
    return f'<div class="geoplan-panel geoplan-legend">{"".join(parts)}</div>'


def _sources_html(inputs: Inputs, lang: str) -> str:
    stations = inputs.sources.get("stations")
    site_source = Path(stations).name if stations is not None else "—"
    if inputs.stations_synthetic:
        site_source += f" ({label('synthetic', lang)})"
    lines = [
        label("source_population", lang),
        label("source_boundaries", lang),
        label("source_sites", lang, name=site_source),
        label("source_leaflet", lang),
    ]
    items = "".join(f"<div>{escape_text(line)}</div>" for line in lines)
    return (
        '<div class="geoplan-panel geoplan-sources"><details>'
        f"<summary>{escape_text(label('sources', lang))}</summary>{items}</details></div>"
    )
