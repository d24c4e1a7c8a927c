"""The meeting map: an offline, bilingual folium (Leaflet) map of coverage and plans.

:func:`coverage_map` returns a :class:`folium.Map` (it shows inline in Jupyter);
:func:`save_map` writes it as one self-contained HTML file. Layers, each in the
layer switcher: communes by covered share (today, and after the plan when there is
one), population density, existing sites, the coverage footprint, proposed new
sites by phase, and hotspots of uncovered people (the footprint and the hotspots
today, and after the plan when there is one). Every user string (site ids, names,
file names) is HTML-escaped before it reaches the page.

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
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure

from geoplan.grid import PopulationGrid
from geoplan.inputs import Inputs
from geoplan.io.atomic import atomic_path
from geoplan.io.plan_folder import check_plan_communes
from geoplan.outputs import layers
from geoplan.outputs.i18n import check_lang, fmt_int, fmt_pct, fmt_vnd, label
from geoplan.outputs.offline import RawHTML, escape_text, make_offline, stable_ids
from geoplan.outputs.theme import (
    FOOTPRINT_AFTER_COLOUR,
    FOOTPRINT_COLOUR,
    HOTSPOT_AFTER_COLOUR,
    HOTSPOT_COLOUR,
    SHARE_BREAKS,
    SHARE_COLOURS,
    SITE_COLOUR,
    classify,
    phase_colour,
)
from geoplan.results import CoverageResult, Plan
from geoplan.schema import DEFAULT_LANG, Lang

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

StyleFunction = Callable[[dict[str, dict[str, object]]], dict[str, object]]

log = logging.getLogger(__name__)


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
    _add_density(fmap, inputs, lang)
    _add_footprint(fmap, inputs.grid, result, lang, TODAY)
    if after is not None:
        _add_footprint(fmap, inputs.grid, after, lang, AFTER_PLAN)
    _add_communes(fmap, shapes, "covered_share", "layer_communes", lang, plan, show=True)
    if plan is not None:
        _add_communes(
            fmap, shapes, "covered_share_after", "layer_communes_after", lang, plan, show=False
        )
    _add_hotspots(fmap, inputs.grid, result, lang, n_hotspots, TODAY)
    if after is not None:
        _add_hotspots(fmap, inputs.grid, after, lang, n_hotspots, AFTER_PLAN)
    _add_sites(fmap, inputs.stations, lang)
    if plan is not None:
        _add_new_sites(fmap, plan, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(RawHTML(_panel_css()), name="geoplan_css")
    root.html.add_child(
        RawHTML(_title_html(heading, inputs, result, plan, lang, created)), name="geoplan_title"
    )
    root.html.add_child(RawHTML(_legend_html(lang, plan)), name="geoplan_legend")
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
    fmap = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    fmap.add_to(figure)
    # keep the province clear of the title (top) and the legend (left)
    fmap.fit_bounds(
        [[south, west], [north, east]], padding_top_left=(230, 90), padding_bottom_right=(10, 10)
    )
    return fmap


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
) -> None:
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

    folium.GeoJson(
        data,
        name=_name(label(name_key, lang)),
        style_function=style,
        highlight_function=lambda _: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        show=show,
    ).add_to(fmap)


def _add_density(fmap: folium.Map, inputs: Inputs, lang: str) -> None:
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
    folium.GeoJson(
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
    ).add_to(fmap)


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
) -> None:
    frame = layers.coverage_footprint(grid, result)
    if frame.empty:
        return
    frame["tip"] = table_html([(label(when.footprint_key, lang), label("footprint_text", lang))])
    folium.GeoJson(
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
    ).add_to(fmap)


def _add_hotspots(
    fmap: folium.Map, grid: PopulationGrid, result: CoverageResult, lang: str, n: int, when: _When
) -> None:
    frame = layers.uncovered_hotspots(grid, result, n=n)
    if frame.empty:
        return
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
    folium.GeoJson(
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
    ).add_to(fmap)


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
) -> folium.GeoJson:
    data = gpd.GeoDataFrame(properties, geometry=points.geometry.values, crs=points.crs)
    data = layers.round_geometries(data)
    return folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(radius=radius),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["tip"], labels=False),
    )


def _add_sites(fmap: folium.Map, stations: gpd.GeoDataFrame, lang: str) -> None:
    if stations is None or not len(stations):
        return
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
    _points_layer(stations, {"tip": tips}, _name(name), style, radius=3.5).add_to(fmap)


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


def _add_new_sites(fmap: folium.Map, plan: Plan, lang: str) -> None:
    for phase, group in plan.new_sites.groupby("phase", sort=True):
        colour = phase_colour(int(phase))
        tips = [_new_site_tip(row, lang) for _, row in group.iterrows()]
        name = f"{label('layer_phase', lang, phase=int(phase))} ({len(group)})"

        def style(feature: dict[str, dict[str, object]], colour: str = colour) -> dict[str, object]:
            upgrade = feature["properties"]["kind"] == "upgrade"
            return {
                "color": colour if upgrade else "#222222",
                "weight": 3 if upgrade else 1.5,
                "fill": True,
                "fillColor": "#ffffff" if upgrade else colour,
                "fillOpacity": 0.95,
                "className": "geoplan-new-site",
            }

        properties = {"tip": tips, "kind": group["kind"].tolist()}
        _points_layer(group, properties, _name(name), style, radius=6).add_to(fmap)


# --------------------------------------------------------------------------- panels
def _class_names(breaks: Sequence[float], lang: str, percent: bool = False) -> list[str]:
    def text(value: float) -> str:
        return fmt_pct(min(value, 1.0), lang, digits=0) if percent else fmt_int(value, lang)

    names = []
    for low, high in itertools.pairwise(breaks):
        names.append(f"≥ {text(low)}" if not np.isfinite(high) else f"{text(low)}–{text(high)}")
    return names


def _panel_css() -> str:
    return (
        "<style>"
        ".geoplan-panel{position:fixed;z-index:1000;background:rgba(255,255,255,.93);"
        "padding:6px 10px;border:1px solid #888;border-radius:4px;font:12px/1.35 sans-serif;"
        "color:#222;max-width:46vw}"
        ".geoplan-title{top:10px;left:56px}.geoplan-title h1{font-size:16px;margin:0 0 3px}"
        ".geoplan-legend{bottom:58px;left:10px}"
        ".leaflet-control-layers{font:13px/1.4 sans-serif}.geoplan-sources{bottom:24px;right:10px;"
        "font-size:11px;max-width:34vw}"
        ".geoplan-legend .sw{display:inline-block;width:16px;height:11px;margin-right:6px;"
        "border:1px solid #777;vertical-align:middle}"
        ".geoplan-legend .dot{display:inline-block;width:10px;height:10px;border-radius:50%;"
        "margin:0 8px 0 3px;vertical-align:middle}"
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
        model=result.model,
        covered=fmt_int(result.covered_population, lang),
        total=fmt_int(result.population_total, lang),
        share=fmt_pct(result.covered_share, lang),
    )
    lines = [
        f"<h1>{escape_text(heading)}</h1>",
        f"<div>{escape_text(label('created', lang))}: {created.isoformat()}</div>",
        f"<div>{escape_text(label('scenario', lang))}: {escape_text(today)}</div>",
    ]
    if plan is not None:
        planned = label(
            "scenario_plan",
            lang,
            n_new=fmt_int(len(plan.new_sites), lang),
            n_phases=plan.n_phases,
            cost=fmt_vnd(plan.total_cost_vnd, lang),
            share=fmt_pct(plan.covered_share_after, lang),
        )
        lines.append(f"<div>{escape_text(planned)}</div>")
    return f'<div class="geoplan-panel geoplan-title">{"".join(lines)}</div>'


def _legend_html(lang: str, plan: Plan | None) -> str:
    shares = _class_names(SHARE_BREAKS, lang, percent=True)
    densities = _class_names(layers.DENSITY_BREAKS, lang)
    parts = [f"<b>{escape_text(label('legend_share', lang))}</b>"]
    parts += [
        f'<div class="geoplan-legend-class"><span class="sw" style="background:{colour}">'
        f"</span>{escape_text(name)}</div>"
        for colour, name in zip(SHARE_COLOURS, shares, strict=True)
    ]
    parts.append(f"<b>{escape_text(label('legend_density', lang))}</b>")
    parts += [
        f'<div><span class="sw" style="background:{colour}"></span>{escape_text(name)}</div>'
        for colour, name in zip(layers.DENSITY_COLOURS, densities, strict=True)
    ]
    symbols = [(SITE_COLOUR, label("layer_sites", lang))]
    if plan is not None:
        symbols += [
            (phase_colour(p), label("layer_phase", lang, phase=p))
            for p in sorted(plan.new_sites["phase"].unique())
        ]
    parts += [
        f'<div><span class="dot" style="background:{colour}"></span>{escape_text(text)}</div>'
        for colour, text in symbols
    ]
    if plan is not None and (plan.new_sites["kind"] == "upgrade").any():
        parts.append(
            '<div><span class="dot" style="background:#fff;border:2px solid #555"></span>'
            f"{escape_text(label('upgrade', lang))}</div>"
        )
    parts.append(
        f'<div><span class="sw" style="border:2px dashed {HOTSPOT_COLOUR}"></span>'
        f"{escape_text(label('layer_hotspots', lang))}</div>"
    )
    if plan is not None:
        parts.append(
            f'<div><span class="sw" style="border:2px dotted {HOTSPOT_AFTER_COLOUR}"></span>'
            f"{escape_text(label('layer_hotspots_after', lang))}</div>"
        )
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
        f'<div class="geoplan-panel geoplan-sources"><b>{escape_text(label("sources", lang))}'
        f"</b>{items}</div>"
    )
