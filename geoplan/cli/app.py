"""Command line: parse arguments, call the facade (:mod:`geoplan.scenario`,
:mod:`geoplan.comparison`, :mod:`geoplan.files`), print. No logic lives here."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from geoplan import files
from geoplan.cli.config_cmd import add_config_commands, resolve_settings
from geoplan.cli.files import add_data_commands, add_station_io_commands
from geoplan.cli.national import add_national_commands
from geoplan.cli.parse import money, share
from geoplan.comparison import COMPARE_FILES, compare, standard_variants
from geoplan.config import PlanConfig
from geoplan.errors import GeoplanError, Interrupted
from geoplan.national import describe_province
from geoplan.progress import note, set_quiet
from geoplan.results import CoverageResult, Plan
from geoplan.scenario import (
    DEFAULT_MODEL,
    MODEL_NAMES,
    Scenario,
    check_plan_layer,
    load_plan_scenario,
    load_scenario,
    sharing_summary,
    synthesize,
    synthesize_4g,
    with_config,
    write_best_server_rasters,
)
from geoplan.schema import (
    COVERAGE_LAYERS,
    CSV_DIALECTS,
    DEFAULT_LANG,
    LANGS,
    OPTIONAL_LAYERS,
    PLAN_OBJECTIVES,
    SITE_KINDS,
    SOLVERS,
)

log = logging.getLogger("geoplan")
#: The demo's solver budget: greedy with its LP bound, then this long to improve and prove.
DEMO_TIME_LIMIT_S = 240.0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the message and where to find help, no usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("inputs (default: the embedded Bắc Ninh data)")
    group.add_argument(
        "--stations", type=Path, help="station file: CSV, XLSX, KML/KMZ, GeoJSON, GPKG, OpenCellID"
    )
    group.add_argument("--population", type=Path, help="population raster (people per cell)")
    group.add_argument("--boundaries", type=Path, help="commune polygons with official population")
    group.add_argument(
        "--province",
        help="any of the 34 provinces by name or code ('Thái Nguyên', 'thai nguyen', 19): "
        "the national data, synthetic sites unless --stations; default Bắc Ninh",
    )
    group.add_argument(
        "--cell-size-m",
        type=float,
        default=None,
        help=f"work grid cell size in metres (default {PlanConfig.cell_size_m:g}, "
        "or the settings file's)",
    )
    group.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=None,
        help=f"coverage model: 38901 (TR 38.901 link budget on each operator's carrier) or "
        f"radius (assumed radii); default {PlanConfig.coverage_model}",
    )
    group.add_argument(
        "--coverage",
        choices=COVERAGE_LAYERS,
        default=None,
        help="what covered means for the headline share and the plan: signal (downlink "
        "SS-RSRP outdoors), usable (the uplink closes too, at the cell-edge rate), indoor "
        "(downlink behind the TR 38.901 building loss) or qcvn (the signal and QCVN 126 "
        "downlink throughput under load; not for plans); 38901 model only; default "
        f"{PlanConfig.coverage_layer}",
    )
    group.add_argument(
        "--drop-outside",
        action="store_true",
        help="leave out stations outside the province instead of stopping",
    )
    group.add_argument(
        "--dem",
        type=Path,
        action="append",
        metavar="PATH",
        help="DEM for terrain diffraction (SRTM .hgt or GeoTIFF, any CRS; repeat for several "
        'tiles; 38901 model only); default: the embedded SRTM 3" strip and ETOPO 2022 60" '
        "for the rest; 'flat' for flat earth",
    )


def _add_meeting_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", type=Path, help="plan folder written by `geoplan plan --out`")
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=DEFAULT_LANG,
        help="language of labels: vi (Vietnamese) or en (default %(default)s)",
    )


def _add_csv_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csv",
        choices=CSV_DIALECTS,
        default="plain",
        dest="csv_dialect",
        help="report CSV: plain (comma, decimal point) or vi-excel (';', decimal comma, "
        "for Excel in a Vietnamese locale); default %(default)s",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="geoplan", description="5G coverage and site planning for the merged Bắc Ninh province"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only results and errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file (TOML; default: ./geoplan.toml when present, or $GEOPLAN_CONFIG; "
        "see docs/settings.md)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    cov = commands.add_parser("coverage", help="covered share today, province and communes")
    _add_inputs(cov)
    _add_layers_option(cov)
    cov.add_argument(
        "--no-layers",
        action="store_true",
        help="skip the optional layers (qcvn) that coverage computes by default with the "
        "radio model (about 3x faster)",
    )
    cov.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    cov.add_argument(
        "--rasters",
        type=Path,
        metavar="DIR",
        help="write best-server RSRP, site index, covered-mask and per-layer coverage "
        "probability GeoTIFFs (38901 model)",
    )
    cov.add_argument("--overwrite", action="store_true", help="replace existing rasters")
    cov.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the summary (vi, en)"
    )
    cov.set_defaults(handler=run_coverage)

    demo = commands.add_parser(
        "demo",
        help="the main job: coverage today, the plan to the target, map, report, brief (out/)",
    )
    _add_inputs(demo)
    demo.add_argument(
        "--target",
        type=share,
        default=None,
        metavar="SHARE",
        help="covered share to reach: 0.8 or 80%% (default: the settings file's plan.target, "
        "else 80%%)",
    )
    demo.add_argument(
        "--solver", choices=SOLVERS, default="auto", help="as for `geoplan plan` (default auto)"
    )
    demo.add_argument(
        "--time-limit",
        type=float,
        default=DEMO_TIME_LIMIT_S,
        help="seconds the solver may spend improving and proving the plan (default %(default)g; "
        "the settings file's time limit is for `geoplan plan`)",
    )
    demo.add_argument("--out", type=Path, default=Path("out"), help="output folder")
    demo.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    _add_meeting_options(demo)
    _add_csv_option(demo)
    demo.set_defaults(handler=run_demo)

    _add_plan_parser(commands)
    _add_compare_parser(commands)

    fmap = commands.add_parser("map", help="offline bilingual HTML map for meetings")
    _add_inputs(fmap)
    _add_layers_option(fmap)
    _add_meeting_options(fmap)
    fmap.add_argument("--out", type=Path, required=True, help="HTML file to write")
    fmap.add_argument("--overwrite", action="store_true", help="replace an existing file")
    fmap.add_argument("--title", help="heading of the map (default: a standard one)")
    fmap.add_argument(
        "--no-osm",
        action="store_true",
        help="leave out the optional OpenStreetMap background layer",
    )
    fmap.set_defaults(handler=run_map)

    report = commands.add_parser(
        "report", help="figures (PNG, PDF) and tables (CSV, XLSX, GeoPackage, KML) for meetings"
    )
    _add_inputs(report)
    _add_meeting_options(report)
    _add_csv_option(report)
    report.add_argument("--out", type=Path, required=True, help="folder to write into")
    report.add_argument("--overwrite", action="store_true", help="replace existing files")
    report.set_defaults(handler=run_report)

    stations = commands.add_parser("stations", help="station files")
    station_commands = stations.add_subparsers(dest="stations_command", required=True)
    synth = station_commands.add_parser("synth", help="generate the synthetic default site set")
    synth.add_argument(
        "--layer",
        choices=("5g", "4g"),
        default="5g",
        help="5g: today's 5G sites (calibrated); 4g: the 4G sites holding them, the default "
        "upgrade candidates (default %(default)s)",
    )
    synth.add_argument("--n-sites", type=int, help="sites in total (default 290; 4g: 3957)")
    synth.add_argument("--stations", type=Path, help="4g: the 5G sites it holds (default: ours)")
    synth.add_argument("--target-share", type=float, default=0.50)
    synth.add_argument("--seed", type=int, default=PlanConfig.seed)
    synth.add_argument("--population", type=Path)
    synth.add_argument("--boundaries", type=Path)
    synth.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=DEFAULT_MODEL,
        help="model whose coverage is calibrated (default %(default)s)",
    )
    synth.add_argument("--out", type=Path, required=True, help="CSV to write")
    synth.add_argument("--overwrite", action="store_true")
    synth.set_defaults(handler=run_synth)
    add_station_io_commands(station_commands)
    add_data_commands(commands)
    add_config_commands(commands)
    add_national_commands(commands)
    return parser


def _add_plan_parser(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser(
        "plan", help="fewest new sites to reach a coverage target, with phases and cost"
    )
    _add_inputs(plan)
    plan.add_argument(
        "--target",
        type=share,
        default=None,
        metavar="SHARE",
        help="covered share to reach: 0.8 or 80%% (default: the settings file's plan.target, "
        "else 80%%; without it, "
        "--max-sites/--budget give the most coverage within them)",
    )
    plan.add_argument(
        "--solver",
        choices=SOLVERS,
        default="auto",
        help="auto: greedy, then an LP bound and reduced-cost fixing prove the gap (a few "
        "rounds); exact: the same until the gap closes or the time limit; greedy: lazy "
        "greedy with an LP bound (default %(default)s). Ctrl-C stops a solve with its "
        "best plan so far",
    )
    plan.add_argument(
        "--objective",
        choices=PLAN_OBJECTIVES,
        default="sites",
        help="with --target: fewest new sites, or least CAPEX (default %(default)s)",
    )
    plan.add_argument("--max-sites", type=int, help="at most this many new sites")
    plan.add_argument(
        "--budget",
        type=money,
        metavar="VND",
        help='at most this much CAPEX, VND: 200e9, "200 tỷ", "1,5 nghìn tỷ", "200 bn"',
    )
    plan.add_argument(
        "--min-commune-share",
        type=share,
        metavar="SHARE",
        help="every commune at least this covered share after the plan: 0.5 or 50%%",
    )
    plan.add_argument(
        "--candidates",
        type=Path,
        help="extra candidates CSV (candidate_id, lon, lat, kind, cost_vnd)",
    )
    plan.add_argument(
        "--sites-per-phase",
        type=int,
        default=None,
        help=f"sites per build phase (default {PlanConfig.sites_per_phase}, or the settings "
        "file's)",
    )
    plan.add_argument(
        "--budget-per-phase",
        type=money,
        metavar="VND",
        help='CAPEX per phase instead of a count, VND (e.g. "50 tỷ")',
    )
    plan.add_argument(
        "--prefer",
        action="append",
        choices=SITE_KINDS,
        default=[],
        help="candidate kind that wins ties (repeatable)",
    )
    plan.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=f"seconds for the exact solver (default {PlanConfig.solver_time_limit_s:g}, or "
        "the settings file's)",
    )
    plan.add_argument("--out", type=Path, default=Path("out/plan"), help="output folder")
    plan.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    plan.add_argument("--json", action="store_true", help="print plan.json on stdout")
    plan.add_argument(
        "--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the headline (vi, en)"
    )
    plan.add_argument(
        "--by-operator",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also plan each operator's own network to the target, and what full sharing "
        "saves (one plan more per operator; default: on when the stations hold several "
        "operators)",
    )
    plan.set_defaults(handler=run_plan)


def _add_compare_parser(commands: argparse._SubParsersAction) -> None:
    cmp = commands.add_parser(
        "compare", help="what-if variants side by side: targets, budgets, floors, models"
    )
    _add_inputs(cmp)
    shares = {"type": share, "nargs": "+", "default": [], "metavar": "SHARE"}
    cmp.add_argument("--targets", **shares, help="covered shares to reach, e.g. 70%% 80%% 90%%")
    cmp.add_argument(
        "--budgets",
        type=money,
        nargs="+",
        default=[],
        metavar="VND",
        help='CAPEX budgets, VND, e.g. 200e9 "300 tỷ"',
    )
    cmp.add_argument("--floors", **shares, help="every commune at least this share (with 80%%)")
    cmp.add_argument(
        "--models", nargs="+", default=[], choices=MODEL_NAMES, help="coverage today per model"
    )
    cmp.add_argument("--operators", nargs="+", default=[], help="each operator's sites alone")
    cmp.add_argument("--solver", choices=SOLVERS, default="greedy")
    cmp.add_argument(
        "--no-prove", action="store_true", help="skip the LP proof of greedy gaps (faster)"
    )
    cmp.add_argument("--out", type=Path, default=Path("out/compare"), help="output folder")
    cmp.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    cmp.add_argument("--json", action="store_true", help="print the table as JSON records")
    cmp.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    check_plan_layer(_config(args))  # before any work
    for name in COMPARE_FILES.values():
        files.check_writable(args.out / name, args.overwrite)
    variants = standard_variants(
        args.targets, args.budgets, args.floors, models=args.models, operators=args.operators
    )
    if len(variants) == 1:
        raise GeoplanError(
            "nothing to compare with today: give --targets, --budgets, --floors, --models "
            "or --operators (e.g. --targets 0.7 0.8 0.9)"
        )
    scenario = _load_scenario(args)
    result = compare(scenario, variants, solver=args.solver, prove=not args.no_prove)
    compare_files = result.write(args.out, args.overwrite)
    if args.json:
        print(result.table.reset_index().to_json(orient="records", force_ascii=False))
        return 0
    print(repr(result))
    _print_footer(scenario.stations_synthetic, compare_files)
    return 0


def run_plan(args: argparse.Namespace) -> int:
    check_plan_layer(_config(args))  # before any work
    for target in files.plan_paths(args.out).values():
        files.check_writable(target, args.overwrite)
    scenario = _load_scenario(args)
    options = dict(
        solver=args.solver, max_sites=args.max_sites, budget_vnd=args.budget,
        min_commune_share=args.min_commune_share, candidates=args.candidates, model=args.model,
        sites_per_phase=args.sites_per_phase, budget_per_phase_vnd=args.budget_per_phase,
        preferred_kinds=tuple(args.prefer), time_limit_s=args.time_limit,
        objective=args.objective,
    )  # fmt: skip
    result = scenario.plan(args.target, **options)
    if result.summary.status == "interrupted":
        print("geoplan: interrupted; writing the best plan found so far "
              f"(gap {result.summary.gap:.2%})", file=sys.stderr)  # fmt: skip
    plan_files = files.write_plan(result, args.out, args.overwrite)
    sharing = None
    if _by_operator(args, scenario):
        note("each operator's own network to the same target (--no-by-operator skips it)")
        sharing = sharing_summary(result, scenario.plan_by_operator(args.target, **options))
    if args.json:
        extra = {} if sharing is None else {"sharing": sharing}
        print(json.dumps(result.to_dict(plan_files) | extra, ensure_ascii=False))
        return 0
    print(repr(result))
    print("\n".join(scenario.headline(result, args.lang)))
    print(f"{files.label('model', args.lang)}: {result.summary.model_description}")
    if sharing is not None:
        print("\n".join(files.sharing_lines(sharing, args.lang)))
    _print_footer(result.summary.stations_synthetic, plan_files)
    return 0


def _by_operator(args: argparse.Namespace, scenario: Scenario) -> bool:
    """``--by-operator`` as given; by default when today's stations hold several operators."""
    if args.by_operator is not None:
        return bool(args.by_operator)
    return len(scenario.planning_operators()) > 1


def _print_footer(synthetic: bool, written: Mapping[str, str | Path]) -> None:
    """Say when today's sites are synthetic, then every file written."""
    if synthetic:
        print("Note: today's sites are the synthetic default set, not real operator sites")
    for name, path in written.items():
        print(f"wrote {name}: {path}")


def _load_scenario(args: argparse.Namespace, plan: Plan | None = None) -> Scenario:
    """The scenario named by the shared input options (or recorded by ``plan``)."""
    if plan is not None:
        return load_plan_scenario(  # without --drop-outside, as the plan read them
            plan, args.boundaries, args.population, args.stations, args.model,
            args.drop_outside or None, province=args.province,
        )  # fmt: skip
    return load_scenario(
        args.boundaries,
        args.population,
        args.stations,
        _config(args),
        drop_outside=args.drop_outside,
        province=args.province,
    )


def _config(args: argparse.Namespace) -> PlanConfig:
    """Defaults < settings file (``--config``, ``$GEOPLAN_CONFIG``, ./geoplan.toml) < options.

    :func:`geoplan.cli.config_cmd.resolve_settings` also gives the file and the options'
    values, for :func:`geoplan.config.effective_settings`.
    """
    return resolve_settings(args)[0]


def _extras_lines(summary: dict[str, Any], lang: str) -> list[str]:
    """The own-operator and per-operator shares, terrain, and the other models."""
    pct = files.fmt_pct
    lines = [
        files.label("cov_own", lang, expected=pct(summary["own_operator_share"], lang),
                    reliable=pct(summary["own_operator_reliable_share"], lang))
    ]  # fmt: skip
    for name, values in summary["by_operator"].items():
        lines.append(files.label("cov_operator_row", lang, name=name, n_sites=values["n_sites"],
                                 expected=pct(values["covered_share"], lang),
                                 reliable=pct(values["reliable_share"], lang)))  # fmt: skip
    terrain = summary.get("terrain", {})
    if summary["terrain_used"] and terrain.get("dems"):
        dems = ", ".join(
            f"{d['file']} ({d['resolution_arcsec']:g}″, {pct(d['share'], lang)})"
            for d in terrain["dems"]
        )
        method = terrain.get("diffraction", "")
        coarse = files.label("cov_terrain_coarse", lang) if terrain.get("lower_bound") else ""
        lines.append(files.label("cov_terrain_dems", lang, dems=dems, method=method) + coarse)
    else:
        key = "cov_terrain_yes" if summary["terrain_used"] else "cov_terrain_no"
        lines.append(files.label(key, lang))
    lines += _layer_lines(summary, lang)
    for name, values in summary["other_models"].items():
        share = pct(values["covered_share"], lang)
        lines.append(files.label("cov_other_model", lang, name=name, share=share))
    return lines


def _layer_lines(summary: dict[str, Any], lang: str) -> list[str]:
    """Each coverage layer the model computed, expected and reliable (issue 16)."""
    computed = {k: v for k, v in summary["layers"].items() if v["covered_share"] is not None}
    if set(computed) <= {"signal"}:
        return []
    pct = files.fmt_pct
    layer = files.label(f"layer_{summary['coverage_layer']}", lang)
    lines = [files.label("cov_layers", lang)]
    for name, values in computed.items():
        lines.append(files.label("cov_layer_row", lang, name=files.label(f"layer_{name}", lang),
                                 expected=pct(values["covered_share"], lang),
                                 reliable=pct(values["reliable_share"], lang)))  # fmt: skip
    return [files.label("cov_layer_headline", lang, layer=layer), *lines,
            _qcvn_line(summary["layers"]["qcvn"], lang)]  # fmt: skip


def _qcvn_line(qcvn: dict[str, Any], lang: str) -> str:
    """The QCVN layer's own-operator share and median SINR, or how to compute it."""
    if qcvn["covered_share"] is None:
        return files.label("cov_qcvn_not_computed", lang)
    sinr = qcvn["median_sinr_db"]
    own = qcvn.get("own_operator_share")
    return files.label(
        "cov_qcvn_row", lang, own="—" if own is None else files.fmt_pct(own, lang),
        sinr="—" if sinr is None else f"{sinr:.1f}".replace(".", "," if lang == "vi" else "."),
        operators=", ".join(f"{op} {files.fmt_pct(v['covered_share'], lang)}"
                            for op, v in (qcvn.get("by_operator") or {}).items()),
    )  # fmt: skip


def _summary_lines(
    result: CoverageResult, synthetic: bool, lang: str, worst: int = 10
) -> list[str]:
    pct, num = files.fmt_pct, files.fmt_int
    lines = [
        files.label("cov_province", lang, covered=num(result.covered_population, lang),
                    total=num(result.population_total, lang), share=pct(result.covered_share, lang),
                    n_sites=result.n_sites, reliable=pct(result.reliable_share, lang),
                    synthetic=f" ({files.label('synthetic', lang)})" if synthetic else ""),
        f"{files.label('model', lang)}: {result.model_description}",
        files.label("cov_least", lang, worst=worst, n=len(result.communes)),
    ]  # fmt: skip
    for row in files.commune_table(result).head(worst).itertuples(index=False):
        lines.append(files.label("cov_row", lang, code=row.code, name=row.name,
                                 share=pct(row.covered_share, lang),
                                 population=num(row.population, lang),
                                 uncovered=num(row.uncovered_population, lang)))  # fmt: skip
    return lines


def _add_layers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layers",
        nargs="+",
        choices=OPTIONAL_LAYERS,
        default=None,
        metavar="LAYER",
        help="also compute these layers: qcvn (SS-SINR, downlink throughput under load and "
        "QCVN 126; 3-6x the coverage's time; geoplan coverage computes it by default, maps "
        "when asked or with --coverage qcvn); 38901 model only",
    )


def run_coverage(args: argparse.Namespace) -> int:
    if args.rasters is not None:
        if _config(args).coverage_model != "38901":  # before any work
            raise GeoplanError("--rasters needs the radio model: add --model 38901")
        for path in files.raster_paths(args.rasters).values():
            files.check_writable(path, args.overwrite)
    scenario = _every_layer_by_default(args, _load_scenario(args))
    model = scenario.model(args.model)
    result, summary = scenario.coverage_summary(model)
    written = {}
    if args.rasters is not None:  # the SINR rasters from the result: no second SINR run
        written = write_best_server_rasters(scenario, args.rasters, model, args.overwrite,
                                            result)  # fmt: skip
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        if args.province:
            print(describe_province(args.province))
        lines = _summary_lines(result, scenario.stations_synthetic, args.lang)
        print("\n".join(lines + _extras_lines(summary, args.lang)))
        for kind, path in written.items():
            print(files.label("wrote_raster", args.lang, kind=kind, path=path))
    return 0


def _every_layer_by_default(args: argparse.Namespace, scenario: Scenario) -> Scenario:
    """``geoplan coverage`` reports every layer (qcvn too) with the radio model, unless the
    command line (``--layers``, ``--no-layers``) or the settings file says which."""
    settings_file = resolve_settings(args)[1]
    chosen = args.no_layers or args.layers is not None
    in_file = settings_file is not None and "optional_layers" in settings_file.values
    if chosen or in_file or scenario.config.coverage_model != "38901":
        return scenario
    return with_config(scenario, optional_layers=OPTIONAL_LAYERS)


def run_demo(args: argparse.Namespace) -> int:
    if args.plan is None:  # the demo plans: refuse a layer it cannot plan to, before any work
        check_plan_layer(_config(args))
    started = time.perf_counter()
    given = files.read_plan(args.plan) if args.plan else None
    written = _demo_paths(args.out)
    plan_dir, report_dir = args.out / "plan", args.out / "report"
    planned = {} if given is not None else files.plan_paths(plan_dir)
    for path in [
        *written.values(),
        *planned.values(),
        *files.report_paths(report_dir, True).values(),
    ]:
        files.check_writable(path, args.overwrite)
    scenario = _load_scenario(args, given)
    note("today's coverage")
    result, summary = scenario.coverage_summary(args.model)
    plan = given or scenario.plan(
        args.target, solver=args.solver, time_limit_s=args.time_limit, model=args.model
    )
    files_out: dict[str, str | Path] = {}
    if given is None:
        files_out.update(files.write_plan(plan, plan_dir, args.overwrite))
    note("map, report and brief")
    files.write_table_csv(files.commune_table(result), written["table"], args.overwrite)
    files.save_map(
        scenario.map(plan, result=result, lang=args.lang), written["map"], args.overwrite
    )
    files.write_text_atomic(
        written["summary"], json.dumps(summary, ensure_ascii=False, indent=1), args.overwrite
    )
    report_files = scenario.report(
        report_dir, plan, result=result, lang=args.lang, overwrite=args.overwrite,
        csv_dialect=args.csv_dialect,
    )  # fmt: skip
    files_out.update(report_files)
    scenario.brief(written["brief"], plan, lang=args.lang, overwrite=args.overwrite)
    print("\n".join(scenario.headline(plan, args.lang)))
    for name, where in [*written.items(), *files_out.items()]:
        print(f"{files.label('wrote', args.lang)} {name}: {where}")
    print(files.label("done_in", args.lang, seconds=f"{time.perf_counter() - started:.0f}"))
    return 0


def _demo_paths(out: Path) -> dict[str, Path]:
    return {
        "table": out / "coverage_communes.csv",
        "map": out / "coverage_map.html",
        "summary": out / "coverage_summary.json",
        "brief": out / "brief.pdf",
    }


def run_map(args: argparse.Namespace) -> int:
    files.check_writable(args.out, args.overwrite)
    plan = files.read_plan(args.plan) if args.plan else None
    scenario = _load_scenario(args, plan)
    fmap = scenario.map(
        plan, model=args.model, lang=args.lang, title=args.title, osm_layer=not args.no_osm
    )
    files.save_map(fmap, args.out, args.overwrite)
    print(f"wrote map: {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, opens offline)")
    return 0


def run_report(args: argparse.Namespace) -> int:
    plan = files.read_plan(args.plan) if args.plan else None
    with_phases = plan is None or plan.commune_phases is not None
    for path in files.report_paths(args.out, plan is not None, with_phases).values():
        files.check_writable(path, args.overwrite)
    scenario = _load_scenario(args, plan)
    written = scenario.report(args.out, plan, model=args.model, lang=args.lang,
                              overwrite=args.overwrite, csv_dialect=args.csv_dialect)  # fmt: skip
    for name, path in written.items():
        print(f"wrote {name}: {path}")
    return 0


def run_synth(args: argparse.Namespace) -> int:
    config = PlanConfig(seed=args.seed)
    if args.layer == "4g":
        return _run_synth_4g(args, config)
    n_sites = 290 if args.n_sites is None else args.n_sites
    frame, report = synthesize(
        args.out, n_sites, args.target_share, boundaries=args.boundaries,
        population=args.population, model=args.model, config=config, overwrite=args.overwrite,
    )  # fmt: skip
    print(
        f"wrote {len(frame)} synthetic sites to {args.out}: {report.covered_share:.2%} covered "
        f"(target {report.target_share:.0%}, {args.model} model), "
        f"spacing factor {report.spacing_factor:.4f}, "
        f"seed {report.seed}"
    )
    return 0


def _run_synth_4g(args: argparse.Namespace, config: PlanConfig) -> int:
    frame, report = synthesize_4g(
        args.out, args.n_sites, stations=args.stations, boundaries=args.boundaries,
        population=args.population, config=config, overwrite=args.overwrite,
    )  # fmt: skip
    split = ", ".join(f"{op} {n}" for op, n in report.counts.items())
    print(f"wrote {len(frame)} synthetic 4G sites to {args.out} ({split}; {report.n_with_5g} "
          f"hold today's 5G sites), seed {report.seed}")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``geoplan`` and ``python -m geoplan``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.quiet else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s")
    if args.quiet:
        set_quiet(True)
    with warnings.catch_warnings(), _stop_signals_as_interrupts():
        warnings.showwarning = _show_warning  # one line per warning, no source excerpt
        return _run(args)


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum, signal.Signals(signum).name)


@contextmanager
def _stop_signals_as_interrupts() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` (like Ctrl-C) while the CLI runs.

    ``timeout``, a closed SSH session and a CI cancel send these; raised as an
    exception, they unwind through every ``finally`` that removes temporary files.
    """
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    try:
        previous = {s: signal.signal(s, _raise_interrupted) for s in wanted}
    except ValueError:  # not the main thread: leave signals alone
        previous = {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _show_warning(message: Warning | str, *args: object, **kwargs: object) -> None:
    print(f"geoplan: warning: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.handler(args)
    except GeoplanError as exc:
        print(f"geoplan: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Interrupted as exc:
        print(f"geoplan: {exc}; no output was left half-written", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("geoplan: interrupted; no output was left half-written", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            "geoplan: error: out of memory; use a coarser grid (e.g. --cell-size-m 100) "
            "or close other programs",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        print(f"geoplan: error: {_os_error_line(exc)}", file=sys.stderr)
        return 2
    return code


def _os_error_line(exc: OSError) -> str:
    """One line for a failed file operation: the path, what went wrong, and the fix."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc).splitlines()[0]
    fixes = {
        errno.ENOSPC: "free some disk space or choose another --out",
        errno.EACCES: "choose a folder you may write to (--out)",
        errno.EPERM: "choose a folder you may write to (--out)",
        errno.EROFS: "the disk is read-only; choose another --out",
        errno.EISDIR: "give a file name, not a folder",
        errno.ENOTDIR: "a folder in the path is a file; choose another --out",
        errno.ENOENT: "check the path",
    }
    fix = fixes.get(exc.errno or 0, "check the path and retry")
    return f"{where}{reason.lower()}; {fix}"
