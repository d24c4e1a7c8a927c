"""Command line for station files and open data: thin, like :mod:`geoplan.cli.app`.

``geoplan stations validate|convert`` and ``geoplan data fetch|info``; the parsers
are added to the main parser by :func:`geoplan.cli.build_parser`.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

from geoplan import files
from geoplan.errors import InputError

log = logging.getLogger("geoplan")


def add_station_io_commands(station_commands: argparse._SubParsersAction) -> None:
    """``stations validate`` and ``stations convert`` (issue 8)."""
    validate = station_commands.add_parser("validate", help="check a station file, row by row")
    convert = station_commands.add_parser(
        "convert", help="import a station file into the standard CSV (or another format)"
    )
    for sub in (validate, convert):
        sub.add_argument("file", type=Path, help="CSV, XLSX, GeoJSON, GPKG, KML, KMZ, OpenCellID")
        sub.add_argument("--format", choices=files.FORMATS, help="override format detection")
        sub.add_argument("--encoding", help="text encoding when not UTF-8 (e.g. cp1258)")
        sub.add_argument("--crs", help="CRS of the coordinates when not degrees (EPSG:32648)")
        sub.add_argument("--boundaries", type=Path, help="commune polygons (the province)")
        sub.add_argument(
            "--drop-outside", action="store_true", help="leave out stations outside the province"
        )
    validate.set_defaults(handler=run_stations_validate)
    convert.add_argument("out", type=Path, help="file to write; the suffix picks the format")
    convert.add_argument(
        "--headers",
        choices=("en", "vi"),
        default="en",
        help="column names in English or Vietnamese (CSV, XLSX)",
    )
    convert.add_argument("--overwrite", action="store_true")
    convert.set_defaults(handler=run_stations_convert)


def add_data_commands(commands: argparse._SubParsersAction) -> None:
    """``data fetch`` and ``data info`` (issue 8)."""
    data = commands.add_parser("data", help="download open data; show the data in use")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    fetch_cmd = data_commands.add_parser("fetch", help="download WorldPop, boundaries or SRTM")
    fetch_cmd.add_argument("source", choices=("worldpop", "boundaries", "srtm"))
    fetch_cmd.add_argument("--iso3", default="VNM", help="country code (default %(default)s)")
    fetch_cmd.add_argument("--year", type=int, default=2020, help="WorldPop year 2000..2020")
    fetch_cmd.add_argument("--resolution", choices=("1km", "100m"), default="1km")
    fetch_cmd.add_argument("--level", type=int, default=2, help="admin level 0..3 (boundaries)")
    fetch_cmd.add_argument("--bbox", help="west,south,east,north in degrees (srtm)")
    fetch_cmd.add_argument("--cache", type=Path, help="cache folder ($GEOPLAN_CACHE)")
    fetch_cmd.add_argument("--base-url", help="mirror to download from (see docs/importers.md)")
    fetch_cmd.add_argument("--sha256", help="expected SHA-256 of the file")
    fetch_cmd.add_argument("--out", type=Path, help="also copy the file here")
    fetch_cmd.add_argument("--overwrite", action="store_true")
    fetch_cmd.set_defaults(handler=run_data_fetch)
    info = data_commands.add_parser("info", help="list the data in use with its provenance")
    info.add_argument("--boundaries", type=Path)
    info.add_argument("--population", type=Path)
    info.add_argument("--stations", type=Path)
    info.add_argument("--dem", type=Path, action="append", default=[], help="repeatable")
    info.add_argument("--province", help="a province by name or code: the files its runs read")
    info.set_defaults(handler=run_data_info)


def _station_report(args: argparse.Namespace) -> files.StationReport:
    return files.validate_station_file(
        args.file,
        format=args.format,
        encoding=args.encoding,
        crs=args.crs,
        boundaries=args.boundaries,
        drop_outside=args.drop_outside,
    )


def run_stations_validate(args: argparse.Namespace) -> int:
    report = _station_report(args)
    print("\n".join(files.report_lines(report)))
    return 0 if report.clean else 2


def run_stations_convert(args: argparse.Namespace) -> int:
    files.check_writable(args.out, args.overwrite)
    report = _station_report(args)
    for problem in report.problems:
        if problem.severity == "warning":
            log.warning("%s %s", report.src, problem)
    report.raise_for_errors()
    files.write_stations(report.stations, args.out, headers=args.headers, overwrite=args.overwrite)
    print(f"wrote {report.rows_kept} sites ({report.rows_read} rows read) to {args.out}")
    return 0


def run_data_fetch(args: argparse.Namespace) -> int:
    if args.out is not None:
        files.check_writable(args.out, args.overwrite)  # fail before a long download
    bbox = _parse_bbox(args.bbox) if args.bbox else None
    results = files.fetch(
        args.source,
        iso3=args.iso3,
        year=args.year,
        resolution=args.resolution,
        level=args.level,
        bbox=bbox,
        cache=args.cache,
        base=args.base_url,
        sha256=args.sha256,
        quiet=args.quiet,
    )
    if args.out is not None:
        if len(results) != 1:
            raise InputError(f"--out takes one file; {len(results)} were fetched (see the cache)")
        with files.atomic_path(args.out, args.overwrite) as tmp:
            shutil.copyfile(results[0].path, tmp)
    for item in results:
        state = "cached" if item.from_cache else "downloaded"
        print(f"{state} {item.path} ({item.size_bytes:,} bytes, sha256 {item.sha256})")
    if args.out is not None:
        print(f"wrote {args.out}")
    return 0


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise InputError(f"--bbox {text!r}: give west,south,east,north in degrees") from exc
    return west, south, east, north


def run_data_info(args: argparse.Namespace) -> int:
    for entry in files.data_inventory(
        args.boundaries, args.population, args.stations, args.dem, args.province
    ):
        print("\n".join(entry.lines()))
    return 0
