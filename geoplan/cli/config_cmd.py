"""Command line for the settings: ``geoplan config show``, and the settings of every run.

The settings of a run are the :class:`~geoplan.config.PlanConfig` defaults, changed by
the settings file (``geoplan.toml`` in the current folder, ``--config FILE`` or
``$GEOPLAN_CONFIG``), changed by the command-line options (:data:`CLI_SETTINGS`).
:func:`resolve_settings` merges them for every subcommand; ``config show`` prints them
with their sources.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from geoplan.cli.parse import share
from geoplan.config import (
    SETTINGS_KEYS,
    PlanConfig,
    Setting,
    SettingsFile,
    effective_settings,
    load_settings,
)
from geoplan.scenario import MODEL_NAMES, run_config
from geoplan.schema import COVERAGE_LAYERS
from geoplan.units import format_money, format_share

#: Command-line options that set a :class:`PlanConfig` field: argparse ``dest`` -> field.
CLI_SETTINGS: dict[str, str] = {
    "model": "coverage_model",
    "cell_size_m": "cell_size_m",
    "dem": "dem_paths",
    "target": "plan_target_share",
    "min_commune_share": "plan_min_commune_share",
    "sites_per_phase": "sites_per_phase",
    "time_limit": "solver_time_limit_s",
    "coverage": "coverage_layer",
    "layers": "optional_layers",
}
_KINDS = dict(SETTINGS_KEYS.values())


def add_config_commands(commands: argparse._SubParsersAction) -> None:
    """``config show`` (issue 15): the settings in effect and where each comes from."""
    config = commands.add_parser("config", help="the settings in effect and where each is set")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    show = config_commands.add_parser(
        "show",
        help="every setting with its value and source (default, settings file, command line)",
        description="Settings come from the defaults, then the settings file (geoplan.toml "
        "here, --config FILE before the command, or $GEOPLAN_CONFIG), then these options.",
    )
    show.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    show.add_argument("--model", choices=MODEL_NAMES, default=None, help="coverage model")
    show.add_argument("--cell-size-m", type=float, metavar="M", help="work grid cell, metres")
    show.add_argument("--dem", type=Path, action="append", metavar="PATH", help="DEM file")
    show.add_argument("--target", type=share, metavar="SHARE", help="plan target, e.g. 80%%")
    show.add_argument("--min-commune-share", type=share, metavar="SHARE", help="floor, e.g. 50%%")
    show.add_argument("--sites-per-phase", type=int, metavar="N", help="sites per phase")
    show.add_argument("--time-limit", type=float, metavar="S", help="solver seconds")
    show.add_argument("--coverage", choices=COVERAGE_LAYERS, default=None, help="coverage layer")
    show.set_defaults(handler=run_config_show)


def cli_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`PlanConfig` fields set by options given on the command line.

    An option left out is None (or an empty ``--dem`` list) in ``args`` and is not
    included, so that the settings file's value holds.
    """
    values: dict[str, Any] = {}
    for dest, field in CLI_SETTINGS.items():
        value = getattr(args, dest, None)
        if value is None or value == []:
            continue
        values[field] = tuple(str(p) for p in value) if isinstance(value, list) else value
    return values


def resolve_settings(
    args: argparse.Namespace,
) -> tuple[PlanConfig, SettingsFile | None, dict[str, Any]]:
    """The settings of this run: defaults < settings file < command line.

    Returns
    -------
    tuple
        The :class:`PlanConfig`, the settings file read (or None) and the fields given
        on the command line, for :func:`geoplan.config.effective_settings`.

    Raises
    ------
    ConfigError
        One line for a settings file that is missing, malformed or out of range, or a
        command-line value out of range.
    """
    settings_file = load_settings(getattr(args, "config", None))
    given = cli_settings(args)
    values = {**(settings_file.values if settings_file else {}), **given}
    return run_config(None, **values), settings_file, given


def run_config_show(args: argparse.Namespace) -> int:
    config, settings_file, given = resolve_settings(args)
    settings = effective_settings(config, settings_file, given)
    if args.json:
        record = {
            "file": None if settings_file is None else str(settings_file.path),
            "found_by": None if settings_file is None else settings_file.found_by,
            "settings": [s.to_dict() for s in settings],
        }
        print(json.dumps(record, ensure_ascii=False))
        return 0
    if settings_file is None:
        print("Settings file: none (defaults; write geoplan.toml here, see docs/settings.md)")
    else:
        print(f"Settings file: {settings_file.path} (from {settings_file.found_by})")
    width = max(len(s.key) for s in settings)
    values = [show_value(s) for s in settings]
    value_width = max(len(v) for v in values)
    print(f"{'setting':<{width}}  {'value':<{value_width}}  source")
    for setting, value in zip(settings, values, strict=True):
        print(f"{setting.key:<{width}}  {value:<{value_width}}  {setting.source}")
    return 0


def show_value(setting: Setting) -> str:
    """The value of ``setting`` for people: ``15%``, ``2,000,000,000 VND (2 tỷ)``, ``100``.

    >>> show_value(Setting("capex_new_tower_vnd", 2e9, "default"))
    '2,000,000,000 VND (2 tỷ)'
    >>> show_value(Setting("state_support_share", 0.15, "default"))
    '15%'
    """
    kind, value = _KINDS.get(setting.name, "text"), setting.value
    if kind == "money":
        return f"{value:,.0f} VND ({format_money(value)})"
    if kind == "auto_share":
        return "auto" if value is None else format_share(value)
    if kind == "share":
        return format_share(value)
    if kind in ("paths", "names"):
        return ", ".join(value) if value else "none"
    return f"{value:g}" if isinstance(value, float) else str(value)
