"""Command line for the national run: ``geoplan national coverage|provinces``.

Thin like :mod:`geoplan.cli.app`: parse, call :mod:`geoplan.national`, print.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from geoplan import national
from geoplan.scenario import MODEL_NAMES
from geoplan.schema import CSV_DIALECTS, DEFAULT_LANG, LANGS


def add_national_commands(commands: argparse._SubParsersAction) -> None:
    """``national coverage``, ``national plan`` and ``national provinces`` (issue 17)."""
    parser = commands.add_parser(
        "national", help="all 34 provinces of Vietnam, one task each, tiles for the largest"
    )
    sub = parser.add_subparsers(dest="national_command", required=True)
    cov = sub.add_parser("coverage", help="coverage today per province and nationally")
    _shared_options(cov, cell_size_m=100.0)
    _output_options(cov, "write only the two result CSVs (no map, ranking or brief)")
    cov.add_argument(
        "--sites",
        type=int,
        default=national.NATIONAL_SITES,
        help="sites of today's national synthetic network (default %(default)s, October 2025)",
    )
    cov.add_argument(
        "--tile-population",
        type=float,
        default=national.TILE_POPULATION,
        help="a province of more people runs as ceil(people / this) tile tasks "
        "(default %(default)s: TP. Hồ Chí Minh 3, Hà Nội 2; 0: one task per province)",
    )
    cov.set_defaults(handler=run_national_coverage)
    plan = sub.add_parser("plan", help="share the programme's new sites among the provinces")
    _shared_options(plan, cell_size_m=national.PLAN_CELL_SIZE_M)
    _output_options(
        plan,
        "write only the three result CSVs (no map, ranking, brief or province plan folders, "
        "and no coverage pass after the plan)",
    )
    goal = plan.add_mutually_exclusive_group()
    goal.add_argument("--sites", type=int, help=f"new sites (default {national.PROGRAMME_SITES})")
    goal.add_argument("--budget", type=float, metavar="VND", help="CAPEX before support, VND")
    goal.add_argument("--target", type=float, metavar="SHARE", help="national share to reach, 0..1")
    plan.add_argument(
        "--min-province-share",
        type=float,
        metavar="SHARE",
        help="every province at least this share first (0..1), then by marginal gain",
    )
    plan.add_argument(
        "--network-sites",
        type=int,
        default=national.NATIONAL_SITES,
        help="today's national synthetic network (default %(default)s)",
    )
    plan.add_argument(
        "--curve-sites",
        type=int,
        help="each province's curve stops here (default: the sites to share out)",
    )
    plan.set_defaults(handler=run_national_plan)
    listing = sub.add_parser("provinces", help="the 34 provinces: code, name, people, UTM zone")
    listing.set_defaults(handler=run_national_provinces)


def _output_options(parser: argparse.ArgumentParser, no_outputs: str) -> None:
    parser.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the map, ranking, brief"
    )
    parser.add_argument(
        "--csv",
        choices=CSV_DIALECTS,
        default="plain",
        dest="csv_dialect",
        help="ranking CSVs: plain, or vi-excel (';', decimal comma, translated headers)",
    )
    parser.add_argument("--no-outputs", action="store_true", help=no_outputs)


def _shared_options(parser: argparse.ArgumentParser, cell_size_m: float) -> None:
    parser.add_argument(
        "--provinces", nargs="+", metavar="PROVINCE", help="codes or names (default: all 34)"
    )
    parser.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=national.NATIONAL_MODEL,
        help="coverage model (default %(default)s; see docs/national.md)",
    )
    parser.add_argument(
        "--cell-size-m", type=float, default=cell_size_m, help="grid cell, metres (%(default)s)"
    )
    parser.add_argument(
        "--engine",
        choices=national.ENGINES,
        default="auto",
        help="auto: Dask distributed when installed, else a local process pool",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="a running Dask scheduler (default $DASK_SCHEDULER_ADDRESS, else a LocalCluster)",
    )
    parser.add_argument("--workers", type=int, help="local workers (default: sized to the machine)")
    parser.add_argument("--memory-limit-gb", type=float, help="memory per local worker, GB")
    parser.add_argument(
        "--out", type=Path, default=Path("out/national"), help="output folder (%(default)s)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _engine_options(args: argparse.Namespace) -> dict[str, Any]:
    limit = args.memory_limit_gb * 2**30 if args.memory_limit_gb else None
    return {
        "model": args.model,
        "cell_size_m": args.cell_size_m,
        "engine": args.engine,
        "scheduler": args.scheduler,
        "n_workers": args.workers,
        "memory_limit_bytes": limit,
    }


def run_national_plan(args: argparse.Namespace) -> int:
    outputs = not args.no_outputs
    if outputs:  # the plan folders of every province asked for (unknown names fail here)
        targets = national.plan_output_paths(args.out, args.provinces)
    else:
        targets = list(national.plan_csv_paths(args.out).values())
    for path in targets:
        national.check_writable(path, args.overwrite)
    result = national.national_plan(
        args.provinces,
        n_sites=args.sites,
        budget_vnd=args.budget,
        target=args.target,
        min_province_share=args.min_province_share,
        network_sites=args.network_sites,
        curve_sites=args.curve_sites,
        expected_after=outputs,
        **_engine_options(args),
    )
    written = result.write_csv(args.out, args.overwrite)
    folders: dict[str, Path] = {}
    if outputs:
        written |= result.write_outputs(
            args.out, lang=args.lang, overwrite=args.overwrite, csv_dialect=args.csv_dialect
        )
        folders = result.write_province_folders(args.out, args.overwrite)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print("\n".join(result.table_lines()))
    print(
        f"{len(result.provinces)} provinces on {result.engine} ({result.workers} worker(s)) "
        f"in {result.seconds:.0f} s; {args.model} model, {args.cell_size_m:g} m grid; "
        f"allocation: {result.allocation.method}"
    )
    for note in [*result.notes, national.SITES_NOTE]:
        print(f"Note: {note}")
    _print_written(written)
    if folders:
        example = next(iter(folders.items()))
        print(
            f"wrote {len(folders)} province plan folder(s) in {example[1].parent}; map one with "
            f"`geoplan map --province {example[0]} --plan {example[1]}`"
        )
    return 0


def _print_written(written: dict[str, Path]) -> None:
    for kind, path in written.items():
        size = f" ({path.stat().st_size / 1e6:.2f} MB, opens offline)" if kind == "map" else ""
        print(f"wrote {kind}: {path}{size}")


def run_national_coverage(args: argparse.Namespace) -> int:
    targets = list(national.csv_paths(args.out).values())
    if not args.no_outputs:
        targets += list(national.output_paths(args.out).values())
    for path in targets:
        national.check_writable(path, args.overwrite)
    result = national.national_coverage(
        args.provinces,
        n_sites=args.sites,
        tile_population=args.tile_population,
        **_engine_options(args),
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
    print(f"Note: {national.SITES_NOTE}")
    _print_written(written)
    return 0


def run_national_provinces(args: argparse.Namespace) -> int:
    for p in national.provinces():
        print(
            f"{p.code}  {p.name:<18} {p.population:>11,.0f} people  {p.n_units:>4} units  "
            f"{p.work_crs}"
        )
    return 0
