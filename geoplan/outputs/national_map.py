"""The national map: an offline folium page of the provinces, drilling into communes.

:func:`national_map` shows the 34 provinces coloured by covered share (the classes
and colours of the province map); a click on a province opens its figures (people,
official and WorldPop, share, sites) and draws its communes, each with its own
figures. With a national plan's columns in the tables (its share after, named by
:data:`geoplan.schema.NATIONAL_PLAN`), the first pair of layers shows the reliable share
today and a second pair the share after the plan (off at start): the same measure, the
one the plan maximises; the popups add the new sites, the shares and the net cost.

The page is the province map's (:mod:`geoplan.outputs.maps`): Leaflet inlined (no
network needed to open it), the same title, legend and sources panels and script. The
outlines are the cleaned units simplified as one coverage
(:func:`~geoplan.outputs.national_shapes.simplified_outlines`), each province the union
of its units, and they travel as delta-coded integers in one JSON block, read by
``static/geoplan-national.js``; every commune of every province in the tables is in the
page (about 4 MB for the 3,321), unless ``drill`` names fewer.

>>> fmap = national_map(result.provinces, result.units, lang="en")  # doctest: +SKIP
>>> save_map(fmap, "out/national/national_map.html")                # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure, MacroElement
from jinja2 import Template

from geoplan.outputs.i18n import (
    check_lang,
    fmt_date,
    fmt_int,
    fmt_pct,
    fmt_vnd,
    label,
    model_label,
)
from geoplan.outputs.maps import (
    AREA_PANE,
    FIT_MARGIN_PX,
    LABEL_PANE,
    _base_map,
    _legend_html,
    _panel_css,
    _script_json,
    save_map,
)
from geoplan.outputs.national_shapes import (
    COORD_STEP_DEG,
    UNIT_SIMPLIFY_M,
    encode_polygons,
    read_unit_shapes,
    simplified_outlines,
)
from geoplan.outputs.national_tables import has_plan, national_line, plan_shares, with_shares
from geoplan.outputs.offline import (
    RawHTML,
    escape_text,
    make_offline,
    map_script,
    stable_ids,
    static_script,
)
from geoplan.outputs.theme import SHARE_BREAKS, SHARE_COLOURS, classify
from geoplan.schema import DEFAULT_LANG, NATIONAL_PLAN, Lang

#: The pane of the drilled communes: above the provinces (410), below the labels (430).
UNIT_PANE = "geoplan-units"
#: Province names show from this zoom level on (the country fits at about 5.5).
PROVINCE_LABEL_MIN_ZOOM = 7
#: The id of the page's JSON block of outlines and figures.
DATA_ID = "geoplan-national-data"


def national_script() -> str:
    """The national map's script (``static/geoplan-national.js``)."""
    return static_script("geoplan-national.js")


def national_map(
    provinces: pd.DataFrame,
    units: pd.DataFrame,
    unit_shapes: gpd.GeoDataFrame | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    model: str | None = None,
    title: str | None = None,
    created: dt.date | None = None,
    drill: Sequence[str] | None = None,
    tolerance_m: float = UNIT_SIMPLIFY_M,
) -> folium.Map:
    """The national map of covered shares by province, drilling into communes.

    It presents the national run's tables and computes nothing new.

    Parameters
    ----------
    provinces : DataFrame
        One row per province: ``code``, ``name``, ``population`` (official, people),
        ``covered_population`` (people), and when there ``worldpop_population``,
        ``n_units``, ``n_sites``, ``reliable_population``, ``covered_worldpop``,
        ``stations_synthetic`` and a plan's columns (``sites_new``,
        ``reliable_share_after`` …, see :data:`~geoplan.outputs.national_tables.AFTER_COLUMNS`).
    units : DataFrame
        One row per unit: ``province_code``, ``code``, ``name``, ``population``,
        ``covered_population`` and the same optional columns.
    unit_shapes : GeoDataFrame, optional
        Unit polygons with ``code`` and ``province_code`` (default: the shipped
        national units of the provinces in ``provinces``).
    lang : ``"vi"`` (default) or ``"en"``
    model : the coverage model's name, for the title panel
    title : heading (default: a standard one in ``lang``)
    created : date printed on the map (default: today, UTC)
    drill : province codes whose communes the page carries (default all in ``provinces``)
    tolerance_m : simplification of the outlines, metres

    Returns
    -------
    folium.Map
        Self-contained; write it with :func:`save_map`.
    """
    check_lang(lang)
    provinces = with_shares(provinces.assign(code=provinces["code"].astype(str)))
    units = with_shares(units.assign(code=units["code"].astype(str)))
    units["province_code"] = units["province_code"].astype(str)
    if unit_shapes is None:
        unit_shapes = read_unit_shapes(sorted(provinces["code"]))
    shapes, outlines = simplified_outlines(unit_shapes, tolerance_m)
    plan = has_plan(provinces)
    created = created or dt.datetime.now(dt.UTC).date()
    heading = title or label("nat_title_plan" if plan else "nat_title", lang)
    fmap = _base_map(outlines, heading)
    for pane, z_index in ((AREA_PANE, 410), (UNIT_PANE, 415), (LABEL_PANE, 430)):
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=False).add_to(fmap)
    today = "nat_layer_provinces_before" if plan else "nat_layer_provinces"
    groups = {
        "provinces": _group(fmap, label(today, lang), True),
        "provincesAfter": _group(fmap, label("nat_layer_provinces_reliable_after", lang), False)
        if plan
        else None,
        "units": _group(fmap, label("nat_layer_units", lang), True),
        "unitsAfter": _group(fmap, label("nat_layer_units_after", lang), False)
        if has_plan(units)
        else None,
    }
    folium.LayerControl(collapsed=True).add_to(fmap)
    data = _page_data(provinces, units, shapes, outlines, lang, drill)
    legend: dict[str, list[Any]] = {"share": [g for g in groups.values() if g is not None]}
    _NationalSetup(groups, legend, data["bounds"], _province_labels(outlines, provinces)).add_to(
        fmap
    )
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(RawHTML(_panel_css() + _extra_css()), name="geoplan_css")
    root.html.add_child(
        RawHTML(_title_html(heading, provinces, lang, created, model)), name="geoplan_title"
    )
    root.html.add_child(RawHTML(_legend_html(lang, legend, [])), name="geoplan_legend")
    root.html.add_child(RawHTML(_sources_html(lang)), name="geoplan_sources")
    root.html.add_child(
        RawHTML(f'<script type="application/json" id="{DATA_ID}">{_script_json(data)}</script>'),
        name="geoplan_national_data",
    )
    make_offline(fmap)
    stable_ids(root)
    return fmap


def _group(fmap: folium.Map, name: str, show: bool) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=escape_text(name), show=show)
    group.add_to(fmap)
    return group


class _NationalSetup(MacroElement):
    """Runs ``geoplanSetup`` (panels, fit, legend, labels) then ``geoplanNational``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        geoplanSetup({{ this._parent.get_name() }}, {
        {%- for key, layers in this.legend %}
            {{ key|tojson }}: [{% for layer in layers %}{{ layer.get_name() }}, {% endfor %}],
        {%- endfor %}
        }, {{ this.options_json }});
        geoplanNational({{ this._parent.get_name() }}, {
        {%- for key, layer in this.groups %}
            {{ key|tojson }}: {{ layer.get_name() if layer else "null" }},
        {%- endfor %}
        }, JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));
        {% endmacro %}
        """
    )

    def __init__(
        self,
        groups: dict[str, folium.FeatureGroup | None],
        legend: dict[str, list[Any]],
        bounds: list[list[float]],
        labels: list[list[float | str]],
    ) -> None:
        """Keep the layers, the legend groups, the view's bounds and the province labels."""
        super().__init__()
        self._name = "GeoplanNational"
        self.groups = list(groups.items())
        self.legend = list(legend.items())
        self.library = map_script() + "\n" + national_script()
        self.data_id = DATA_ID
        self.options_json = _script_json(
            {
                "bounds": bounds,
                "labels": labels,
                "labelMinZoom": PROVINCE_LABEL_MIN_ZOOM,
                "labelPane": LABEL_PANE,
                "margin": FIT_MARGIN_PX,
            }
        )


def _classes(table: pd.DataFrame, column: str | None) -> list[int]:
    if column is None or column not in table:
        return [0] * len(table)
    return classify(table[column].fillna(0.0).to_numpy(float), SHARE_BREAKS).tolist()


def _page_data(
    provinces: pd.DataFrame,
    units: pd.DataFrame,
    shapes: gpd.GeoDataFrame,
    outlines: gpd.GeoDataFrame,
    lang: str,
    drill: Sequence[str] | None,
) -> dict[str, Any]:
    """The JSON block: outlines, classes and popup values of provinces and units."""
    table = outlines.merge(provinces, on="code", how="left")
    province_rows, province_labels = _tips(table, lang, "province")
    drilled = set(provinces["code"] if drill is None else [str(c).zfill(2) for c in drill])
    chosen = units[units["province_code"].isin(drilled)]
    unit_table = chosen.merge(shapes[["code", "geometry"]], on="code", how="inner")
    unit_rows, unit_labels = _tips(unit_table, lang, "unit")
    unit_shapes = encode_polygons(unit_table["geometry"].to_numpy())
    by_province: dict[str, list[dict[str, Any]]] = {}
    before_column, after_column = plan_shares(provinces)
    classes, after = (
        _classes(unit_table, before_column),
        _classes(unit_table, after_column),
    )
    for i, row in enumerate(unit_table.itertuples(index=False)):
        by_province.setdefault(str(row.province_code), []).append(
            {"name": escape_text(row.name), "cls": classes[i], "clsAfter": after[i],
             "tip": unit_rows[i], "shape": unit_shapes[i]}
        )  # fmt: skip
    province_shapes = encode_polygons(table.geometry.to_numpy())
    classes, after = _classes(table, before_column), _classes(table, after_column)
    views = _view_bounds(shapes, units)
    west, south, east, north = (float(v) for v in outlines.total_bounds)
    return {
        "step": COORD_STEP_DEG,
        "colours": list(SHARE_COLOURS),
        "pane": AREA_PANE,
        "unitPane": UNIT_PANE,
        "bounds": [[round(south, 4), round(west, 4)], [round(north, 4), round(east, 4)]],
        "hint": escape_text(label("nat_drill_hint", lang)),
        "back": label("nat_back", lang),  # set as text, not HTML
        "labels": {"province": province_labels, "unit": unit_labels},
        "provinces": [
            {
                "code": code,
                "name": escape_text(name),
                "cls": classes[i],
                "clsAfter": after[i],
                "tip": province_rows[i],
                "shape": province_shapes[i],
                "view": views.get(code),
            }
            for i, (code, name) in enumerate(
                zip(table["code"], table["name"].fillna(table["code"]), strict=True)
            )
        ],
        "units": by_province,
    }


def _view_bounds(shapes: gpd.GeoDataFrame, units: pd.DataFrame) -> dict[str, list[list[float]]]:
    """``[[south, west], [north, east]]`` per province of its units on the population grid.

    A drilled province fits its mainland: the offshore special zones (Hoàng Sa, Trường
    Sa; ``on_grid`` False) are drawn but would shrink the view to a few pixels.
    """
    offshore = (
        set(units.loc[~units["on_grid"].astype(bool), "code"]) if "on_grid" in units else set()
    )
    shown = shapes[~shapes["code"].isin(offshore)]
    views = {}
    for code, group in shown.groupby("province_code"):
        west, south, east, north = (round(float(v), 4) for v in group.total_bounds)
        views[str(code)] = [[south, west], [north, east]]
    return views


def _tips(table: pd.DataFrame, lang: str, kind: str) -> tuple[list[list[str | None]], list[str]]:
    """Popup rows: the escaped labels once, and per row its escaped values (None: no row)."""
    people = label("people", lang)

    def count(column: str) -> list[str | None]:
        if column not in table:
            return [None] * len(table)
        return [None if pd.isna(v) else fmt_int(v, lang) for v in table[column]]

    def share(column: str) -> list[str | None]:
        if column not in table:
            return [None] * len(table)
        return [None if pd.isna(v) else fmt_pct(v, lang) for v in table[column]]

    def money(column: str) -> list[str | None]:
        if column not in table:
            return [None] * len(table)
        return [None if pd.isna(v) else fmt_vnd(v, lang) for v in table[column]]

    names: list[str | None] = [
        f"{n} ({c})" for n, c in zip(table["name"].fillna(""), table["code"], strict=True)
    ]
    columns: list[tuple[str, list[str | None]]] = [
        (label("province" if kind == "province" else "commune", lang), names),
        (label("nat_col_population", lang), [None if v is None else f"{v} {people}"
                                             for v in count("population")]),
        (label("nat_col_worldpop_population", lang), count("worldpop_population")),
        (label("nat_col_covered_share", lang), share("covered_share")),
        (label("nat_col_reliable_share", lang), share("reliable_share")),
        (label("nat_col_uncovered_population", lang), count("uncovered_population")),
    ]  # fmt: skip
    if kind == "province":
        columns += [
            (label("nat_col_n_sites", lang), count("n_sites")),
            (label("nat_col_n_units", lang), count("n_units")),
        ]
    plan = NATIONAL_PLAN
    columns += [
        (label("nat_col_sites_new", lang), count(plan.sites_new)),
        (label(plan.share_before, lang), share(plan.share_before)),
        (label(plan.share_after, lang), share(plan.share_after)),
        (label("nat_col_covered_share_after", lang), share(plan.expected_share_after)),
        (label("nat_col_uncovered_population_after", lang), count("uncovered_population_after")),
        (label(plan.net_cost, lang), money(plan.net_cost)),
    ]
    present = [(head, values) for head, values in columns if any(v is not None for v in values)]
    labels = [escape_text(head) for head, _ in present]
    rows = [
        [None if values[i] is None else escape_text(values[i]) for _, values in present]
        for i in range(len(table))
    ]
    return rows, labels


def _province_labels(
    outlines: gpd.GeoDataFrame, provinces: pd.DataFrame
) -> list[list[float | str]]:
    """``[lat, lon, escaped name]`` of a point inside each province."""
    names = provinces.set_index("code")["name"]
    points = outlines.to_crs("EPSG:32648").representative_point().to_crs(outlines.crs)
    return [
        [round(float(p.y), 4), round(float(p.x), 4), escape_text(names.get(code, code))]
        for p, code in zip(points, outlines["code"], strict=True)
    ]


def _extra_css() -> str:
    return (
        "<style>.geoplan-hint{margin-top:4px;font:italic 11px sans-serif;color:#555}"
        ".geoplan-back{cursor:pointer;font:600 12px sans-serif}</style>"
    )


def _title_html(
    heading: str, provinces: pd.DataFrame, lang: str, created: dt.date, model: str | None
) -> str:
    line = national_line(provinces)
    synthetic = (
        label("synthetic_suffix", lang)
        if "stations_synthetic" not in provinces or bool(provinces["stations_synthetic"].any())
        else ""
    )
    today = label(
        "nat_scenario",
        lang,
        covered=fmt_int(line["covered_population"], lang),
        total=fmt_int(line["population"], lang),
        share=fmt_pct(line["covered_share"], lang),
        n_sites=fmt_int(line.get("n_sites", 0), lang),
        synthetic=synthetic,
        model=model_label(model, lang) if model else "",
    ).rstrip(", ")
    lines = [
        f"<h1>{escape_text(heading)}</h1>",
        f"<div>{escape_text(label('created', lang))}: {fmt_date(created, lang)}</div>",
        f"<div>{escape_text(label('scenario', lang))}: {escape_text(today)}</div>",
    ]
    if "worldpop_covered_share" in line:
        worldpop = label(
            "nat_worldpop_line",
            lang,
            total=fmt_int(line["worldpop_population"], lang),
            share=fmt_pct(line["worldpop_covered_share"], lang),
        )
        lines.append(f"<div>{escape_text(worldpop)}</div>")
    if NATIONAL_PLAN.share_after in line:
        planned = label(
            "nat_plan_line_reliable",
            lang,
            n_new=fmt_int(line.get(NATIONAL_PLAN.sites_new, 0), lang),
            before=fmt_pct(line[NATIONAL_PLAN.share_before], lang),
            after=fmt_pct(line[NATIONAL_PLAN.share_after], lang),
            net=fmt_vnd(line.get(NATIONAL_PLAN.net_cost, 0.0), lang),
            support=fmt_vnd(line.get(NATIONAL_PLAN.support, 0.0), lang),
        )
        lines.append(f"<div>{escape_text(planned)}</div>")
    lines.append(f'<div class="geoplan-hint">{escape_text(label("nat_drill_hint", lang))}</div>')
    return f'<div class="geoplan-panel geoplan-title">{"".join(lines)}</div>'


def _sources_html(lang: str) -> str:
    keys = ["source_population", "source_boundaries", "nat_source_sites", "source_leaflet"]
    items = "".join(f"<div>{escape_text(label(key, lang))}</div>" for key in keys)
    return (
        '<div class="geoplan-panel geoplan-sources"><details>'
        f"<summary>{escape_text(label('sources', lang))}</summary>{items}</details></div>"
    )


def national_features(html: str) -> dict[str, Any]:
    """The JSON block of a saved national map (for checks and tests).

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    dict
        ``provinces`` (one entry per province) and ``units`` (per province code).
    """
    start = html.index(f'id="{DATA_ID}">') + len(f'id="{DATA_ID}">')
    end = html.index("</script>", start)
    return dict(json.loads(html[start:end]))


__all__ = ["national_features", "national_map", "save_map"]
