"""Command line for the national run: ``geoplan national coverage|provinces``.

Thin like :mod:`geoplan.cli.app`: parse, call :mod:`geoplan.national`, print.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geoplan import national
from geoplan.scenario import MODEL_NAMES
from geoplan.schema import CSV_DIALECTS, DEFAULT_LANG, LANGS


def add_national_commands(commands: argparse._SubParsersAction) -> None:
    """``national coverage`` and ``national provinces`` (issue 17)."""
    parser = commands.add_parser("national", help="all 34 provinces of Vietnam, one task each")
    sub = parser.add_subparsers(dest="national_command", required=True)
    cov = sub.add_parser("coverage", help="coverage today per province and nationally")
    cov.add_argument(
        "--provinces", nargs="+", metavar="PROVINCE", help="codes or names (default: all 34)"
    )
    cov.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=national.NATIONAL_MODEL,
        help="coverage model (default %(default)s; see docs/national.md)",
    )
    cov.add_argument("--cell-size-m", type=float, default=100.0, help="grid cell, metres")
    cov.add_argument(
        "--engine",
        choices=national.ENGINES,
        default="auto",
        help="auto: Dask distributed when installed, else a local process pool",
    )
    cov.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="a running Dask scheduler (default $DASK_SCHEDULER_ADDRESS, else a LocalCluster)",
    )
    cov.add_argument("--workers", type=int, help="local workers (default: sized to the machine)")
    cov.add_argument("--memory-limit-gb", type=float, help="memory per local worker, GB")
    cov.add_argument(
        "--out",
        type=Path,
        default=Path("out/national"),
        help="folder of the CSVs, the map, the ranking and the brief (default %(default)s)",
    )
    cov.add_argument("--overwrite", action="store_true", help="replace existing files")
    cov.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the map, ranking, brief"
    )
    cov.add_argument(
        "--csv",
        choices=CSV_DIALECTS,
        default="plain",
        dest="csv_dialect",
        help="ranking CSVs: plain, or vi-excel (';', decimal comma, translated headers)",
    )
    cov.add_argument(
        "--no-outputs",
        action="store_true",
        help="write only the two result CSVs (no map, ranking or brief)",
    )
    cov.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    cov.set_defaults(handler=run_national_coverage)
    listing = sub.add_parser("provinces", help="the 34 provinces: code, name, people, UTM zone")
    listing.set_defaults(handler=run_national_provinces)


def run_national_coverage(args: argparse.Namespace) -> int:
    targets = list(national.csv_paths(args.out).values())
    if not args.no_outputs:
        targets += list(national.output_paths(args.out).values())
    for path in targets:
        national.check_writable(path, args.overwrite)
    limit = args.memory_limit_gb * 2**30 if args.memory_limit_gb else None
    result = national.national_coverage(
        args.provinces,
        model=args.model,
        cell_size_m=args.cell_size_m,
        engine=args.engine,
        scheduler=args.scheduler,
        n_workers=args.workers,
        memory_limit_bytes=limit,
    )
    written = result.write_csv(args.out, args.overwrite)
    if not args.no_outputs:
        written |= result.write_outputs(
            args.out,
            lang=args.lang,
            cell_size_m=args.cell_size_m,
            overwrite=args.overwrite,
            csv_dialect=args.csv_dialect,
        )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print("\n".join(result.table_lines()))
    print(
        f"{len(result.provinces)} provinces on {result.engine} ({result.workers} worker(s)) "
        f"in {result.seconds:.0f} s; {args.model} model"
    )
    for note in result.notes:
        print(f"Note: {note}")
    print("Note: today's sites are synthetic (Bắc Ninh's rules), not real operator sites")
    for kind, path in written.items():
        size = f" ({path.stat().st_size / 1e6:.2f} MB, opens offline)" if kind == "map" else ""
        print(f"wrote {kind}: {path}{size}")
    return 0


def run_national_provinces(args: argparse.Namespace) -> int:
    for p in national.provinces():
        print(
            f"{p.code}  {p.name:<18} {p.population:>11,.0f} people  {p.n_units:>4} units  "
            f"{p.work_crs}"
        )
    return 0
