"""Build the shipped national files from the staged raw data, and print the checks.

Run: ``.venv/bin/python benchmarks/national_data.py SRC [--out geoplan/data/national]``
where ``SRC`` is the staged folder (``wards_2025/``, ``population/``). It writes
``units_2025.zip`` (one GeoJSON per province + ``provinces.geojson``) and
``worldpop_2020_1km_vnm.tif`` (the national WorldPop grid, re-encoded with DEFLATE,
values unchanged), then prints the checks recorded in the folder's PROVENANCE.md.
Deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import time
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.transform
import shapely
from rasterio import features
from rasterio.enums import MergeAlg

from geoplan.io import national
from geoplan.io.boundaries import read_communes
from geoplan.io.embedded import DEFAULT_COMMUNES

#: Outlines of the provinces are for display: simplified more than the units.
PROVINCE_SIMPLIFY_M = 100.0
#: A fixed timestamp for every zip member, so that the archive is reproducible.
ZIP_DATE = (2025, 7, 1, 0, 0, 0)
CHECK_CELL_M = 100.0


def ascii_name(text: str) -> str:
    """``text`` without diacritics, case kept (``"Bắc Giang"`` -> ``"Bac Giang"``)."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c))


def unit_table(cleaned: gpd.GeoDataFrame, geoms_m: np.ndarray) -> gpd.GeoDataFrame:
    """The shipped columns, geometry back in EPSG:4326."""
    frame = gpd.GeoDataFrame(
        cleaned.drop(columns="geometry"), geometry=geoms_m, crs=national.CLEAN_CRS
    ).to_crs("EPSG:4326")
    area = np.zeros(len(frame))
    for crs in ("EPSG:32648", "EPSG:32649"):
        zone = frame["province_code"].map(_province_crs(frame)) == crs
        area[zone.to_numpy()] = frame[zone].to_crs(crs).area.to_numpy() / 1e6
    return frame.assign(
        name_ascii=frame["name"].map(ascii_name),
        type=frame["type_vi"].map(national.UNIT_TYPES),
        population=frame["population"].astype("int64"),
        geometry_area_km2=np.round(area, 3),
    )[[*national.UNIT_COLUMNS, "geometry"]]


def _province_crs(frame: gpd.GeoDataFrame) -> dict[str, str]:
    """UTM zone of each province by the centroid of its units (in EPSG:32648)."""
    work = frame.to_crs(national.CLEAN_CRS)
    outline = work.dissolve("province_code").centroid.to_crs("EPSG:4326")
    return {code: national.utm_crs(point.x) for code, point in outline.items()}


def province_table(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 34 outlines (union of their units, simplified for display) with official totals."""
    work = units.to_crs(national.CLEAN_CRS)
    codes = sorted(work["province_code"].unique())
    outlines = np.asarray(
        [
            shapely.coverage_union_all(work.geometry.values[work["province_code"] == c])
            for c in codes
        ],
        dtype=object,
    )
    centroids = gpd.GeoSeries(shapely.centroid(outlines), crs=national.CLEAN_CRS).to_crs(4326)
    shown = national.simplify_units(outlines, PROVINCE_SIMPLIFY_M)
    sums = (
        units.groupby("province_code")
        .agg(
            name=("province_name", "first"),
            population=("population", "sum"),
            area_km2=("area_km2", "sum"),
            n_units=("code", "size"),
        )
        .loc[codes]
    )
    table = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": sums["name"].to_numpy(),
            "name_ascii": sums["name"].map(ascii_name).to_numpy(),
            "population": sums["population"].astype("int64").to_numpy(),
            "area_km2": sums["area_km2"].round(2).to_numpy(),
            "lon": np.round(centroids.x.to_numpy(), 5),
            "lat": np.round(centroids.y.to_numpy(), 5),
            "n_units": sums["n_units"].to_numpy(),
        },
        geometry=shown,
        crs=national.CLEAN_CRS,
    ).to_crs("EPSG:4326")
    return table


def geojson_bytes(frame: gpd.GeoDataFrame, name: str) -> bytes:
    """``frame`` as GeoJSON with 6 decimals (0.1 m), as Bắc Ninh's file."""
    buffer = io.BytesIO()
    frame.to_file(
        buffer,
        driver="GeoJSON",
        layer=name,
        COORDINATE_PRECISION=6,
        WRITE_NAME="NO",
        engine="pyogrio",
    )
    return buffer.getvalue()


def write_units_zip(units: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, out: Path) -> None:
    members = {"provinces.geojson": geojson_bytes(provinces, "provinces")}
    for code in sorted(units["province_code"].unique()):
        part = units[units["province_code"] == code].sort_values("code")
        members[f"{code}.geojson"] = geojson_bytes(part, code)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED, 9)


def write_population(src: Path, out: Path) -> None:
    """The national raster re-encoded with DEFLATE (values and grid unchanged)."""
    with rasterio.open(src) as raster:
        profile = raster.profile | {
            "compress": "deflate",
            "predictor": 3,
            "zlevel": 9,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
        }
        values = raster.read(1)
    with rasterio.open(out, "w", **profile) as dst:
        dst.write(values, 1)
    with rasterio.open(out) as check:
        assert np.array_equal(check.read(1), values, equal_nan=True)


def check_cells(units: gpd.GeoDataFrame, cell_m: float) -> tuple[int, int]:
    """(cells inside a unit, cells inside more than one) on a ``cell_m`` grid per province,
    each province in its own UTM zone: every unit is burnt into a count raster (a cell
    counts when its centre lies in the unit, as the work grid does)."""
    tested = multiple = 0
    zones = _province_crs(units)
    for code, part in units.groupby("province_code"):
        work = part.to_crs(zones[code])
        left, bottom, right, top = work.total_bounds
        width, height = int(np.ceil((right - left) / cell_m)), int(np.ceil((top - bottom) / cell_m))
        transform = rasterio.transform.from_origin(left, top, cell_m, cell_m)
        counts = features.rasterize(
            ((geom, 1) for geom in work.geometry.values), out_shape=(height, width),
            transform=transform, fill=0, dtype="int32", merge_alg=MergeAlg.add,
        )  # fmt: skip
        tested += int((counts > 0).sum())
        multiple += int((counts > 1).sum())
    return tested, multiple


def worldpop_by_province(units: gpd.GeoDataFrame, raster_path: Path) -> pd.Series:
    """WorldPop people whose 1 km cell centre lies in each province."""
    with rasterio.open(raster_path) as src:
        values = src.read(1, masked=True).filled(0).astype(float)
        transform = src.transform
    rows, cols = np.nonzero(values > 0)
    x, y = transform @ (cols + 0.5, rows + 0.5)
    points = shapely.points(np.asarray(x), np.asarray(y))
    hit, unit = shapely.STRtree(units.geometry.values).query(points, predicate="within")
    province = units["province_code"].to_numpy()[unit]
    return pd.Series(values[rows[hit], cols[hit]]).groupby(province).sum()


def bac_ninh_agreement(units: gpd.GeoDataFrame) -> dict[str, float]:
    shipped = read_communes(DEFAULT_COMMUNES).set_index("code")
    ours = units[units["province_code"] == national.BAC_NINH_CODE].set_index("code")
    same_codes = sorted(shipped.index) == sorted(ours.index)
    area_s = shipped.to_crs("EPSG:32648").area / 1e6
    area_o = ours.to_crs("EPSG:32648").area.reindex(area_s.index) / 1e6
    rel = (area_o - area_s).abs() / area_s
    return {
        "same_codes": float(same_codes),
        "population_equal": float(
            (ours["population"].reindex(shipped.index) == shipped["population"]).all()
        ),
        "median_rel_area_diff": float(rel.median()),
        "max_rel_area_diff": float(rel.max()),
        "total_area_shipped_km2": float(area_s.sum()),
        "total_area_national_km2": float(area_o.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="staged folder with wards_2025/ and population/")
    parser.add_argument("--out", type=Path, default=national.NATIONAL_DIR)
    parser.add_argument("--skip-cells", action="store_true", help="skip the 100 m cell check")
    parser.add_argument(
        "--check-only", action="store_true", help="check the files in --out, do not rebuild"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    zip_path = args.out / national.NATIONAL_UNITS.name
    tif_path = args.out / national.NATIONAL_POPULATION.name
    if not args.check_only:
        build(args.src, args.out)
    check(zip_path, tif_path, cells=not args.skip_cells)
    print(f"done in {time.perf_counter() - started:.0f} s")


def build(src: Path, out: Path) -> None:
    """Clean, simplify and write the two files into ``out``."""
    started = time.perf_counter()
    raw = national.read_raw_units(src / "wards_2025")
    print(f"read {len(raw)} units in {time.perf_counter() - started:.0f} s")
    cleaned, report = national.clean_topology(raw)
    print(f"cleaned in {time.perf_counter() - started:.0f} s: {report}")
    vertices_before = int(shapely.get_num_coordinates(cleaned.geometry.values).sum())
    simplified = national.simplify_units(cleaned.geometry.values)
    units = unit_table(cleaned, simplified)
    provinces = province_table(units)
    out.mkdir(parents=True, exist_ok=True)
    zip_path = out / national.NATIONAL_UNITS.name
    write_units_zip(units, provinces, zip_path)
    tif_path = out / national.NATIONAL_POPULATION.name
    write_population(src / "population" / "vnm_ppp_2020_1km_Aggregated.tif", tif_path)
    print(
        f"vertices {vertices_before:,} -> {shapely.get_num_coordinates(simplified).sum():,} "
        f"(simplified {national.SIMPLIFY_M:g} m)"
    )
    print(
        f"{zip_path}: {zip_path.stat().st_size:,} bytes; {tif_path}: "
        f"{tif_path.stat().st_size:,} bytes"
    )


def check(zip_path: Path, tif_path: Path, cells: bool = True) -> None:
    """The checks of PROVENANCE.md, on the written files."""
    shipped = pd.concat(
        [national.read_units(p.code, zip_path) for p in national.read_provinces(zip_path)],
        ignore_index=True,
    )
    shipped = gpd.GeoDataFrame(shipped, geometry="geometry", crs="EPSG:4326")
    geoms_m = shipped.to_crs(national.CLEAN_CRS).geometry.values
    pairs, after = national.overlap_area_m2(geoms_m)
    kinds = shipped.geom_type.value_counts().to_dict()
    print(
        f"shipped: {len(shipped)} units, {kinds}, valid {shapely.is_valid(geoms_m).all()}, "
        f"overlap after rounding {after:.1f} m² in {pairs} pairs, "
        f"coverage valid {shapely.coverage_is_valid(geoms_m)}"
    )
    union = shapely.coverage_union_all(geoms_m)
    holes = sum(len(p.interiors) for p in national.polygonal_parts([union]))
    print(f"national union: {len(national.polygonal_parts([union]))} parts, {holes} holes")
    worldpop = worldpop_by_province(shipped, tif_path)
    provinces = gpd.read_file(f"/vsizip/{zip_path.resolve()}/provinces.geojson")
    table = provinces.drop(columns="geometry").set_index("code")
    table["worldpop_2020"] = worldpop.reindex(table.index).round()
    table["official_over_worldpop"] = (table["population"] / table["worldpop_2020"]).round(3)
    table["utm"] = [national.utm_crs(lon) for lon in table["lon"]]
    print(
        table[
            [
                "name",
                "n_units",
                "population",
                "area_km2",
                "worldpop_2020",
                "official_over_worldpop",
                "utm",
            ]
        ].to_string()
    )
    print(f"official {table['population'].sum():,}; WorldPop inside {worldpop.sum():,.0f}")
    print(f"Bắc Ninh agreement: {bac_ninh_agreement(shipped)}")
    if cells:
        tested, multiple = check_cells(shipped, CHECK_CELL_M)
        print(
            f"{CHECK_CELL_M:g} m cells inside a unit: {tested:,}; inside more than one: "
            f"{multiple:,}"
        )


if __name__ == "__main__":
    main()
