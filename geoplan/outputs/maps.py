"""Interactive coverage map (folium / Leaflet)."""

from __future__ import annotations

import html
import os
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

from geoplan.coverage import CoverageResult
from geoplan.io.atomic import atomic_path

#: Classes of covered share and their colours (ColorBrewer RdYlGn, 5 classes).
SHARE_BREAKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")


def share_colour(share: float) -> str:
    """Colour of the class that ``share`` (0..1) falls in."""
    index = int(np.searchsorted(SHARE_BREAKS, share, side="right")) - 1
    return SHARE_COLOURS[min(max(index, 0), len(SHARE_COLOURS) - 1)]


def coverage_map(
    communes: gpd.GeoDataFrame,
    result: CoverageResult,
    stations: gpd.GeoDataFrame | None = None,
    title: str = "5G coverage",
) -> folium.Map:
    """A folium map of communes coloured by covered share, with the sites on top."""
    shapes = communes[["code", "name", "geometry"]].merge(
        result.communes[["code", "population", "covered_share"]], on="code"
    )
    shapes["geometry"] = shapes.geometry.simplify(0.0005, preserve_topology=True)
    shapes["share_text"] = (100 * shapes["covered_share"]).map("{:.1f}%".format)
    shapes["population_text"] = shapes["population"].map("{:,.0f}".format)
    west, south, east, north = shapes.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.GeoJson(
        shapes.drop(columns=["population", "covered_share"]).assign(
            colour=[share_colour(s) for s in shapes["covered_share"]]
        ),
        name="Communes by covered share",
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#444444",
            "weight": 0.7,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "population_text", "share_text"],
            aliases=["Commune", "Population", "Covered"],
        ),
    ).add_to(fmap)
    if stations is not None and len(stations):
        _add_sites(fmap, stations)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(_legend_html(title, result)))  # type: ignore[attr-defined]
    return fmap


def _add_sites(fmap: folium.Map, stations: gpd.GeoDataFrame) -> None:
    synthetic = bool((stations["source"] == "synthetic").all())
    layer = folium.FeatureGroup(
        name="Existing sites (synthetic)" if synthetic else "Existing sites"
    )
    for row in stations.itertuples(index=False):
        folium.CircleMarker(
            location=[row.lat, row.lon],
            radius=3,
            color="#08306b",
            fill=True,
            fill_opacity=0.9,
            weight=1,
            tooltip=html.escape(f"{row.site_id} · {row.operator} · {row.band}"),
        ).add_to(layer)
    layer.add_to(fmap)


def _legend_html(title: str, result: CoverageResult) -> str:
    rows = "".join(
        f'<div><span style="background:{colour};width:14px;height:10px;'
        f'display:inline-block;margin-right:6px"></span>'
        f"{100 * low:.0f}–{min(100 * high, 100):.0f}%</div>"
        for colour, low, high in zip(
            SHARE_COLOURS, SHARE_BREAKS[:-1], SHARE_BREAKS[1:], strict=True
        )
    )
    summary = (
        f"{result.covered_share:.1%} of {result.population_total:,.0f} people covered "
        f"by {result.n_sites} sites ({html.escape(result.model)} model)"
    )
    return (
        '<div class="geoplan-legend" style="position:fixed;bottom:20px;left:20px;z-index:1000;'
        'background:white;padding:8px 10px;border:1px solid #888;font:12px sans-serif">'
        f"<b>{html.escape(title)}</b><br>{summary}<br>{rows}</div>"
    )


def save_map(fmap: folium.Map, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write the map as one HTML file, atomically."""
    with atomic_path(path, overwrite) as tmp:
        fmap.save(str(tmp))
    return Path(path)
