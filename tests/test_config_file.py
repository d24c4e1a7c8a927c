"""The settings file, ``geoplan config show`` and the value parsers (issue 15 items 5 and 8).

Fast: PlanConfig, the argument parser and the config command; one test (marked slow)
makes two tiny plans to show that the floor setting reaches the planner.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.cli.app import build_parser
from geoplan.cli.config_cmd import resolve_settings
from geoplan.cli.parse import money, share
from geoplan.config import (
    FIELD_KEYS,
    SETTINGS_ENV,
    SETTINGS_KEYS,
    PlanConfig,
    SettingsFile,
    effective_settings,
    find_settings_file,
    load_settings,
    read_settings,
)
from geoplan.errors import ConfigError
from geoplan.models import get_model
from geoplan.radio.link_budget import LinkBudget
from geoplan.scenario import load_scenario
from geoplan.units import format_money, format_share, parse_money, parse_share

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "geoplan.example.toml"


@pytest.fixture(autouse=True)
def no_settings_file_from_outside(monkeypatch, tmp_path) -> None:
    """Each test starts in an empty folder with no $GEOPLAN_CONFIG."""
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- value parsers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.8", 0.8), ("80%", 0.8), ("80 %", 0.8), ("80,5%", 0.805), ("0,805", 0.805),
     ("1", 1.0), ("100%", 1.0), ("0", 0.0), ("15%", 0.15), (".5", 0.5), ("8e-1", 0.8)],
)  # fmt: skip
def test_shares_as_written(text: str, value: float) -> None:
    assert parse_share(text) == value
    assert share(text) == value


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("80", ["'80' is more than 1", "80%", "0.8"]),
        ("1.5", ["1.5%", "0.015"]),
        ("120%", ["more than 100%"]),
        ("-0.1", ["not a share", "80%"]),
        ("abc", ["not a share", "0.8"]),
        ("0.1.2", ["not a number"]),
    ],
)
def test_bad_shares_say_the_fix(text: str, needles: list[str]) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        share(text)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message


@pytest.mark.parametrize(
    ("text", "vnd"),
    [
        ("200e9", 200e9), ("200000000000", 200e9), ("200 tỷ", 200e9), ("200 ty", 200e9),
        ("200 TỶ", 200e9), ("200tỷ", 200e9), ("200 tỉ", 200e9), ("200 tỷ đồng", 200e9),
        ("200 tỷ VNĐ", 200e9), ("1,5 nghìn tỷ", 1.5e12), ("1,5 ngàn tỷ", 1.5e12),
        ("500 triệu", 500e6), ("500 trieu", 500e6), ("500tr", 500e6), ("500k", 500e3),
        ("200 bn", 200e9), ("200 billion", 200e9), ("2.5 trillion", 2.5e12),
        ("200.000.000.000", 200e9), ("200,000,000,000", 200e9), ("200 000 000 000", 200e9),
        ("1.234,5 triệu", 1234.5e6), ("1,234.5 million", 1234.5e6), ("0.805 tỷ", 805e6),
        ("2_000_000_000", 2e9), ("2,5e9", 2.5e9), ("0", 0.0),
    ],
)  # fmt: skip
def test_money_as_written(text: str, vnd: float) -> None:
    assert parse_money(text) == vnd
    assert money(text) == vnd


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("1.000 tỷ", ["ambiguous", "1000 tỷ", "1 tỷ"]),
        ("1,234 tỷ", ["ambiguous", "1234 tỷ", "1234 triệu"]),
        ("200,000", ["ambiguous", "200000", "200"]),
        ("200 t", ["tỷ (10^9) or trillion (10^12)"]),
        ("1 tỷ 500 triệu", ["unknown unit 'tỷ 500 triệu'", "1,5 nghìn tỷ"]),
        ("200 euro", ["unknown unit 'euro'"]),
        ("-5 tỷ", ["negative"]),
        ("1.2.3", ["groups of three digits"]),
        ("abc", ["not an amount of money", "200 tỷ"]),
        ("1e999", ["too large"]),
    ],
)
def test_bad_money_is_refused_in_one_line(text: str, needles: list[str]) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        money(text)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


@given(st.floats(min_value=0.0, max_value=1.0), st.sampled_from(["en", "vi"]))
def test_share_format_then_parse_is_the_same_float(value: float, lang: str) -> None:
    text = format_share(value, lang)
    assert text.endswith("%")
    assert parse_share(text) == value
    assert share(text) == value


@given(
    st.one_of(
        st.floats(min_value=0.0, max_value=1e18),
        st.integers(min_value=0, max_value=10**15).map(float),
        st.integers(min_value=0, max_value=10**6).map(lambda n: n * 1e6),  # round amounts
    ),
    st.sampled_from(["en", "vi"]),
)
def test_money_format_then_parse_is_the_same_float(vnd: float, lang: str) -> None:
    assert parse_money(format_money(vnd, lang)) == vnd
    assert money(format_money(vnd, lang)) == vnd


def test_money_is_written_in_the_largest_unit_that_reads_back() -> None:
    assert format_money(200e9) == "200 tỷ"
    assert format_money(1.5e12) == "1,5 nghìn tỷ"
    assert format_money(1.234e9) == "1234 triệu"  # "1,234 tỷ" would be ambiguous
    assert format_money(2.5e9, "en") == "2.5 bn"
    assert format_money(123.456) == "123.4560"


# --- the options that take them -------------------------------------------------------------


def test_options_read_shares_and_money() -> None:
    args = build_parser().parse_args(
        ["plan", "--target", "80%", "--budget", "200 tỷ", "--min-commune-share", "50 %",
         "--budget-per-phase", "1,5 nghìn tỷ"]
    )  # fmt: skip
    assert (args.target, args.budget, args.min_commune_share) == (0.8, 200e9, 0.5)
    assert args.budget_per_phase == 1.5e12
    cmp = build_parser().parse_args(
        ["compare", "--targets", "70%", "0,8", "0.9", "--budgets", "200 tỷ", "3e11",
         "--floors", "50%"]
    )  # fmt: skip
    assert cmp.targets == [0.7, 0.8, 0.9]
    assert cmp.budgets == [200e9, 300e9]
    assert cmp.floors == [0.5]


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["plan", "--target", "80"], ["argument --target:", "80%", "0.8"]),
        (["plan", "--budget", "1.000 tỷ"], ["argument --budget:", "ambiguous", "1000 tỷ"]),
        (["compare", "--targets", "0.7", "90"], ["argument --targets:", "90%", "0.9"]),
        (["compare", "--floors", "150%"], ["argument --floors:", "more than 100%"]),
    ],
)
def test_unreadable_values_are_one_line(argv, needles, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    for needle in needles:
        assert needle in err[0], err[0]


# --- the settings file --------------------------------------------------------------------


def test_the_example_file_holds_every_key_at_its_default() -> None:
    settings = read_settings(EXAMPLE)
    assert set(settings.values) == set(FIELD_KEYS)
    defaults = PlanConfig()
    for field, value in settings.values.items():
        assert value == getattr(defaults, field), field
    assert PlanConfig(**settings.values) == defaults


def test_the_docs_show_the_example_file_and_every_key() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    block = docs.split("```toml\n")[-1].split("```")[0]
    assert block == EXAMPLE.read_text(encoding="utf-8")
    for key, (field, _) in SETTINGS_KEYS.items():
        assert f"| `{key}` | `{field}` |" in docs


def test_every_field_but_the_crs_can_be_set() -> None:
    fixed = {f.name for f in fields(PlanConfig)} - set(FIELD_KEYS)
    assert fixed == {"storage_crs", "work_crs"}


def test_a_settings_file_sets_each_kind_of_value(tmp_path) -> None:
    path = write(
        tmp_path / "s.toml",
        'seed = 7\n[coverage]\nmodel = "radius"\ncell_size_m = 50\n'
        '[costs]\nnew_tower = "2,5 tỷ"\nupgrade = 900_000_000\nstate_support = "20%"\n'
        '[plan]\ntarget = 0.9\nmin_commune_share = "50%"\nsites_per_phase = 10\n'
        '[radio]\ncell_edge_reliability = "95%"\ndem = ["tiles/a.hgt"]\n',
    )
    values = read_settings(path).values
    assert values == {
        "seed": 7, "coverage_model": "radius", "cell_size_m": 50.0,
        "capex_new_tower_vnd": 2.5e9, "capex_upgrade_vnd": 9e8, "state_support_share": 0.2,
        "plan_target_share": 0.9, "plan_min_commune_share": 0.5, "sites_per_phase": 10,
        "cell_edge_reliability": 0.95, "dem_paths": (str(tmp_path / "tiles" / "a.hgt"),),
    }  # fmt: skip
    assert isinstance(values["seed"], int) and isinstance(values["cell_size_m"], float)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[costs]\nnew_towr = 1\n", ["unknown setting costs.new_towr", "mean costs.new_tower?"]),
        ("[cost]\nupgrade = 1\n", ["unknown setting cost.upgrade", "did you mean costs.upgrade?"]),
        ("[plan]\nnew_tower = 1\n", ["unknown setting plan.new_tower", "mean costs.new_tower?"]),
        ("capex_upgrade_vnd = 1e9\n", ["did you mean costs.upgrade", "capex_upgrade_vnd"]),
        ("[zzz]\nqqq = 1\n", ["unknown setting zzz.qqq", "[costs]", "[plan]"]),
        ("[costs]\nstate_support = 1.5\n", ["costs.state_support = 1.5", "0.015", '"1.5%"']),
        ("[costs]\nstate_support = 15\n", ["0.15", '"15%"']),
        ("[costs]\nnew_tower = -5\n", ["costs.new_tower = -5 is negative", ">= 0"]),
        ('[costs]\nnew_tower = "1.000 tỷ"\n', ["costs.new_tower", "ambiguous", "1000 tỷ"]),
        ('[costs]\nnew_tower = "cheap"\n', ["costs.new_tower", "not an amount of money"]),
        ('[plan]\ntarget = "80"\n', ["plan.target", "write 80% or 0.8"]),
        ("[plan]\ntarget = 0\n", ["plan.target = 0", "(0, 1]"]),
        ("[plan]\nsites_per_phase = 2.5\n", ["plan.sites_per_phase must be a whole number"]),
        ("[plan]\nsites_per_phase = 0\n", ["plan.sites_per_phase = 0", ">= 1"]),
        ('[plan]\nsites_per_phase = "25"\n', ["plan.sites_per_phase must be a whole number"]),
        ("[radio]\ncell_edge_reliability = 0.3\n", ["radio.cell_edge_reliability", "[0.5, 1)"]),
        ("[radio]\nrsrp_threshold_dbm = 110\n", ["radio.rsrp_threshold_dbm", "-156..-31"]),
        ("[radio]\ndem = [1, 2]\n", ["radio.dem must be a list of paths"]),
        ('[coverage]\nmodel = "radios"\n', ["coverage.model", "38901, radius"]),
        ("[coverage]\ncell_size_m = true\n", ["coverage.cell_size_m must be a number"]),
        ("[population]\nurban_density_per_km2 = 100\n",
         ["population.urban_density_per_km2 = 100", ">= suburban_density_per_km2 (300)"]),
        ("[population]\nsuburban_density_per_km2 = 2000\n",
         ["population.urban_density_per_km2 (default 1500.0)", "set population.urban"]),
        ("[costs.new_tower]\nx = 1\n", ["costs.new_tower is one value, not a table"]),
        ("[costs]\nnew_tower = 2e9\nnew_tower = 3e9\n", ["line 3, column", "TOML syntax"]),
    ],
)  # fmt: skip
def test_bad_settings_files_are_one_line_naming_the_file_and_key(tmp_path, text, needles) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as caught:
        read_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    for needle in needles:
        assert needle in message, message


def test_a_toml_syntax_error_names_its_line_and_column(tmp_path) -> None:
    path = write(tmp_path / "s.toml", "[costs]\nupgrade = 1e9\nnew_tower = 2 tỷ\n")
    with pytest.raises(ConfigError, match=r"s\.toml: line 3, column 15: .*TOML syntax"):
        read_settings(path)  # the value needs quotes: column 15 is the space after "2"


def test_a_file_in_another_encoding_or_with_a_bom(tmp_path) -> None:
    bom = tmp_path / "bom.toml"
    bom.write_bytes('\ufeff[costs]\nnew_tower = "2 tỷ"\n'.encode())
    assert read_settings(bom).values == {"capex_new_tower_vnd": 2e9}  # Windows Notepad
    latin = tmp_path / "latin.toml"
    latin.write_bytes("# chú thích\n[costs]\nnew_tower = 2e9\n".encode("cp1258"))
    with pytest.raises(ConfigError, match=r"latin\.toml: byte \d+ is not UTF-8; save the file"):
        read_settings(latin)


# --- which file, and precedence ---------------------------------------------------------------


def test_geoplan_toml_in_the_current_folder_is_read(tmp_path) -> None:
    write(tmp_path / "geoplan.toml", "[coverage]\ncell_size_m = 50\n[plan]\nsites_per_phase = 10\n")
    config, settings_file, given = resolve_settings(build_parser().parse_args(["plan"]))
    assert settings_file is not None and settings_file.found_by == "current folder"
    assert (config.cell_size_m, config.sites_per_phase, given) == (50.0, 10, {})
    assert config.capex_new_tower_vnd == PlanConfig().capex_new_tower_vnd  # the rest: defaults


def test_command_line_beats_the_file_beats_the_defaults(tmp_path) -> None:
    write(tmp_path / "geoplan.toml", '[coverage]\ncell_size_m = 50\nmodel = "radius"\n'
                                     "[solver]\ntime_limit_s = 60\n")  # fmt: skip
    argv = ["plan", "--cell-size-m", "200", "--time-limit", "5", "--target", "70%"]
    config, settings_file, given = resolve_settings(build_parser().parse_args(argv))
    assert (config.cell_size_m, config.solver_time_limit_s) == (200.0, 5.0)  # command line
    assert config.coverage_model == "radius"  # the file
    assert config.plan_target_share == 0.7
    assert config.seed == PlanConfig().seed  # the default
    rows = {s.key: s for s in effective_settings(config, settings_file, given)}
    assert rows["coverage.cell_size_m"].source == "command line"
    assert rows["coverage.model"].source == "geoplan.toml"
    assert rows["seed"].source == "default"
    assert rows["plan.target"].source == "command line"


def test_config_option_then_env_then_current_folder(tmp_path, monkeypatch) -> None:
    write(tmp_path / "geoplan.toml", "seed = 1\n")
    write(tmp_path / "env.toml", "seed = 2\n")
    write(tmp_path / "option.toml", "seed = 3\n")
    assert load_settings().values == {"seed": 1}
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "env.toml"))
    assert load_settings().values == {"seed": 2}
    assert load_settings().found_by == SETTINGS_ENV
    assert load_settings(tmp_path / "option.toml").values == {"seed": 3}
    args = build_parser().parse_args(["--config", str(tmp_path / "option.toml"), "config", "show"])
    assert resolve_settings(args)[0].seed == 3
    monkeypatch.setenv(SETTINGS_ENV, "")  # set but empty: no file, not even ./geoplan.toml
    assert find_settings_file() is None
    assert resolve_settings(build_parser().parse_args(["plan"]))[0] == PlanConfig()


@pytest.mark.parametrize("named", ["missing.toml", "."])
def test_a_named_file_that_is_not_there_is_one_line(named, capsys) -> None:
    assert main(["--config", named, "config", "show"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"geoplan: error: --config {named}: "), err


def test_no_file_no_options_is_the_defaults() -> None:
    assert load_settings() is None
    config, settings_file, given = resolve_settings(build_parser().parse_args(["coverage"]))
    assert (config, settings_file, given) == (PlanConfig(), None, {})
    assert {s.source for s in effective_settings(config)} == {"default"}


def test_a_value_set_by_the_program_is_not_called_default() -> None:
    rows = effective_settings(PlanConfig(seed=5), SettingsFile(Path("f.toml"), {}), {})
    assert {s.name: s.source for s in rows}["seed"] == "set by the program"


# --- geoplan config show -------------------------------------------------------------------


def test_config_show_prints_each_value_and_its_source(tmp_path, capsys) -> None:
    write(tmp_path / "geoplan.toml", '[costs]\nnew_tower = "2,5 tỷ"\nstate_support = "20%"\n')
    assert main(["config", "show", "--model", "radius"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Settings file: geoplan.toml (from current folder)"
    rows = {line.split()[0]: line for line in out[2:]}
    assert set(rows) == set(SETTINGS_KEYS)
    assert re.fullmatch(r"costs\.new_tower +2,500,000,000 VND \(2,5 tỷ\) +geoplan\.toml",
                        rows["costs.new_tower"])  # fmt: skip
    assert re.fullmatch(r"costs\.state_support +20% +geoplan\.toml", rows["costs.state_support"])
    assert re.fullmatch(r"coverage\.model +radius +command line", rows["coverage.model"])
    assert re.fullmatch(r"plan\.target +80% +default", rows["plan.target"])


def test_config_show_json(tmp_path, capsys) -> None:
    write(tmp_path / "mine.toml", "[radio]\ndem = ['a.hgt']\n[plan]\nsites_per_phase = 9\n")
    assert main(["--config", str(tmp_path / "mine.toml"), "config", "show", "--json",
                 "--time-limit", "30"]) == 0  # fmt: skip
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == str(tmp_path / "mine.toml") and record["found_by"] == "--config"
    rows = {row["key"]: row for row in record["settings"]}
    assert rows["plan.sites_per_phase"] == {"key": "plan.sites_per_phase",
        "name": "sites_per_phase", "value": 9, "source": str(tmp_path / "mine.toml")}  # fmt: skip
    assert rows["radio.dem"]["value"] == [str(tmp_path / "a.hgt")]
    assert rows["solver.time_limit_s"]["source"] == "command line"
    assert rows["solver.time_limit_s"]["value"] == 30.0
    assert rows["seed"] == {"key": "seed", "name": "seed", "value": PlanConfig().seed,
                            "source": "default"}  # fmt: skip


def test_a_bad_settings_file_stops_every_command_in_one_line(tmp_path, capsys) -> None:
    write(tmp_path / "geoplan.toml", "[costs]\nnew_towr = 1\n")
    assert main(["coverage"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["geoplan: error: geoplan.toml: unknown setting costs.new_towr; did you mean "
                   "costs.new_tower? (see docs/settings.md)"]  # fmt: skip


# --- the new settings reach the stages -------------------------------------------------------


def test_the_radio_criterion_reaches_the_link_budget() -> None:
    assert PlanConfig().cell_edge_reliability == LinkBudget().cell_edge_reliability
    assert PlanConfig().rsrp_threshold_dbm == LinkBudget().rsrp_threshold_dbm
    model = get_model("38901", PlanConfig(cell_edge_reliability=0.95, rsrp_threshold_dbm=-105))
    budget = model.budget  # type: ignore[attr-defined]
    assert (budget.cell_edge_reliability, budget.rsrp_threshold_dbm) == (0.95, -105.0)
    assert "95% cell-edge reliability" in model.describe()


def test_shares_in_the_file_and_on_the_command_line_agree(tmp_path) -> None:
    write(tmp_path / "geoplan.toml", '[plan]\nmin_commune_share = "80,5%"\n')
    from_file = resolve_settings(build_parser().parse_args(["plan"]))[0]
    from_cli = resolve_settings(
        build_parser().parse_args(["plan", "--min-commune-share", "80,5%"])
    )[0]
    assert from_file.plan_min_commune_share == from_cli.plan_min_commune_share == 0.805


@pytest.mark.slow  # about 1 s in the suite; 9 s alone (the first plan imports the solver stack)
def test_the_floor_setting_is_the_plans_default_floor(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    """One tiny plan on the radius model (3 communes, 100 cells): the floor of the settings
    gives the plan that ``min_commune_share`` gives, and lifts every commune."""
    base = replace(tiny_config, candidate_clusters=8, candidate_min_population=1.0)
    floored = replace(base, plan_min_commune_share=0.8)
    by_setting = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file,
                               floored).plan(0.6, solver="greedy")  # fmt: skip
    by_option = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file,
                              base).plan(0.6, solver="greedy", min_commune_share=0.8)  # fmt: skip
    assert (by_setting.communes["covered_share_after"] >= 0.8 - 1e-6).all()
    assert by_setting.new_sites["site_id"].tolist() == by_option.new_sites["site_id"].tolist()
