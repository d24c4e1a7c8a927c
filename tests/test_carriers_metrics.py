"""Issue 13: real carriers per operator, expected vs reliable coverage, own-operator shares."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoplan.cli import main
from geoplan.coverage import compute_coverage, coverage_by_operator
from geoplan.errors import FormatError
from geoplan.grid import Cells
from geoplan.io.carriers import read_carriers, read_market_shares
from geoplan.io.stations import check_station_table, read_stations
from geoplan.models import RadioModel, get_model
from geoplan.radio.link_budget import exceedance_probability
from geoplan.radio.pathloss import SHADOW_FADING_DB, los_probability, path_loss_db
from geoplan.scenario import load_scenario
from geoplan.sites import Sites
from geoplan.synthetic import operator_site_counts

LAT, LON = 21.18, 106.07


def _table(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"site_id": [f"S{i}" for i in range(n)], "lat": [LAT] * n,
                         "lon": [LON + 0.01 * i for i in range(n)], **columns})  # fmt: skip


def test_each_operator_gets_its_own_auctioned_carrier() -> None:
    report = check_station_table(
        _table(operator=["Viettel", "VinaPhone", "MobiFone", "viettel"], band=["", "", "", "n28"]),
        "sites.csv",
    )
    assert report.clean
    frame = report.stations
    # the names stay as written; the carrier follows the operator behind them
    assert frame["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone", "viettel"]
    assert frame["band"].tolist() == ["n41", "n78", "n77", "n28"]
    assert frame["frequency_ghz"].tolist() == pytest.approx([2.55, 3.75, 3.85, 0.763])
    assert frame["n_subcarriers"].tolist() == [3276, 3276, 3276, 624]


@pytest.mark.parametrize(
    ("operator", "band", "needle"),
    [
        ("Viettel", "n78", "row 2: band 'n78' is not a band Viettel holds (n41, n28)"),
        ("Vietnamobile", "", "row 2: operator 'Vietnamobile' holds no 5G carrier"),
    ],
)
def test_a_carrier_the_operator_does_not_hold_is_an_error_naming_the_row(
    operator: str, band: str, needle: str
) -> None:
    report = check_station_table(_table(operator=[operator], band=[band]), "sites.csv")
    assert next(str(p) for p in report.errors).startswith(needle)
    with pytest.raises(FormatError, match=r"sites\.csv row 2"):
        report.raise_for_errors()


def test_a_frequency_in_the_file_wins_over_the_table() -> None:
    report = check_station_table(_table(operator=["VNPT"], frequency_ghz=["3.6"]), "s.csv")
    assert report.stations["frequency_ghz"].tolist() == [3.6]


def test_a_viettel_site_is_computed_on_its_2_55_ghz_carrier() -> None:
    """Same place, same antenna: only the carrier differs, and so does the path loss."""
    stations = check_station_table(_table(operator=["Viettel", "VNPT"]), "s.csv").stations
    frame = pd.DataFrame(stations.drop(columns="geometry"))
    sites = Sites(np.zeros(2), np.zeros(2), np.full(2, 30.0), np.full(2, 2, np.int8), frame)
    cells = Cells(np.arange(1), np.array([1500.0]), np.zeros(1), np.ones(1), np.zeros(1, int),
                  np.full(1, 2, np.int8))  # fmt: skip
    model = RadioModel()
    rsrp = model.pair_rsrp_dbm(sites, cells, np.array([0, 1]), np.array([0, 0]))
    loss = [path_loss_db("RMa", np.array([1500.0]), f, 30.0, 1.5, los=False)[0]
            for f in (2.55, 3.75)]  # fmt: skip
    # EIRP and resource elements are the same, so the RSRP gap is the path-loss gap
    assert rsrp[0] - rsrp[1] == pytest.approx(loss[1] - loss[0], abs=0.05)
    assert loss[1] - loss[0] == pytest.approx(20 * np.log10(3.75 / 2.55), abs=0.01)


def test_expected_coverage_is_people_times_probability_by_hand() -> None:
    """Two cells, one site: the expected people are Σ people × P(RSRP >= threshold)."""
    model = RadioModel()
    b = model.budget
    d = np.array([800.0, 2500.0])
    cells = Cells(np.arange(2), d, np.zeros(2), np.array([100.0, 300.0]), np.zeros(2, int),
                  np.full(2, 2, np.int8))  # fmt: skip
    sites = Sites(np.zeros(1), np.zeros(1), np.full(1, 35.0), np.full(1, 2, np.int8),
                  pd.DataFrame({"azimuths_deg": ["0;90;180;270"]}))  # fmt: skip
    best = model.best_server(sites, cells)
    # by hand: boresight of the 90° sector, RMa, the budget's EIRP per RE and losses
    gain = 0.0 - 0.0  # on boresight the pattern adds nothing; the tilt is 0 and d >> h
    eirp_re = b.eirp_per_re_dbm + gain - b.fixed_losses_db
    los = eirp_re - path_loss_db("RMa", d, 3.5, 35.0, 1.5, los=True)
    nlos = eirp_re - path_loss_db("RMa", d, 3.5, 35.0, 1.5, los=False)
    p = exceedance_probability(b.rsrp_threshold_dbm, los, nlos, los_probability("RMa", d, 1.5),
                               *SHADOW_FADING_DB["RMa"])  # fmt: skip
    assert best.probability == pytest.approx(p, abs=0.02)  # the vertical pattern costs < 0.1 dB
    expected = float((cells.population * best.probability).sum())
    assert 0 < expected < cells.population.sum()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    operators=st.lists(st.sampled_from(["Viettel", "VNPT", "MobiFone"]), min_size=3, max_size=3),
    weights=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 0),
)
def test_own_operator_share_never_exceeds_any_operator_share(
    operators, weights, tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file,
                             tiny_config, drop_outside=True)  # fmt: skip
    stations = scenario.stations.assign(operator=operators)
    shares = pd.Series(np.array(weights) / sum(weights),
                       index=["Viettel", "VNPT", "MobiFone", "other"])  # fmt: skip
    model = RadioModel(tiny_config)
    sites = Sites.from_frame(stations, scenario.grid, tiny_config)
    any_operator = compute_coverage(scenario.grid, sites, model)
    own = coverage_by_operator(scenario.grid, stations, sites, model, shares)
    assert own.own_share <= any_operator.covered_share + 1e-9
    assert own.own_reliable_share <= any_operator.reliable_share + 1e-9
    for result in own.by_operator.values():
        assert result.covered_share <= any_operator.covered_share + 1e-9
    assert (own.communes["own_share"] <= any_operator.communes["covered_share"] + 1e-9).all()


def test_reliable_coverage_is_a_lower_bound_of_the_expectation(
    tiny_communes_file, tiny_raster_file, tiny_stations_file, tiny_config
) -> None:
    scenario = load_scenario(tiny_communes_file, tiny_raster_file, tiny_stations_file,
                             tiny_config, drop_outside=True)  # fmt: skip
    result = scenario.coverage(get_model("38901", tiny_config))
    # a covered cell has P >= 90%, so 0.9 × reliable people <= expected people
    assert 0.9 * result.reliable_population <= result.covered_population + 1e-6
    radius = scenario.coverage("radius")
    assert radius.reliable_population == pytest.approx(radius.covered_population)


def test_market_shares_read_off_by_100_are_caught(tmp_path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text("operator,subscriber_share,source\nViettel,48,x\nVNPT,52,x\n")
    with pytest.raises(FormatError, match=r"sum to 1 .* write 0\.48 for 48%"):
        read_market_shares(path)
    assert read_market_shares().sum() == pytest.approx(1.0)
    assert set(read_carriers()["operator"]) >= {"Viettel", "VNPT", "MobiFone"}


def test_the_synthetic_split_follows_the_published_station_counts() -> None:
    assert operator_site_counts(384) == {"Viettel": 300, "VNPT": 64, "MobiFone": 20}
    counts = operator_site_counts(290)
    assert sum(counts.values()) == 290 and counts["Viettel"] == 227


@pytest.mark.slow
def test_default_stations_carry_real_bands_and_the_calibrated_headline(capsys) -> None:
    stations = read_stations()
    bands = stations.groupby("operator")["band"].unique().map(list).to_dict()
    assert bands == {"MobiFone": ["n77"], "VNPT": ["n78"], "Viettel": ["n41"]}
    assert main(["coverage", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "38901"
    assert 0.49 <= out["covered_share"] <= 0.51  # the calibration point: 290 sites, ~50%
    assert out["reliable_share"] < out["covered_share"]
    assert out["own_operator_share"] < out["covered_share"]
    assert set(out["by_operator"]) == {"Viettel", "VNPT", "MobiFone"}
    first = out["communes"][0]
    assert {"covered_share", "reliable_share", "own_operator_share", "by_operator"} <= set(first)
