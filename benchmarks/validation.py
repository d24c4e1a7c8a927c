"""Validation against the province's published 5G figures: a comparison, not a tuning.

Run: ``.venv/bin/python benchmarks/validation.py [--out docs/validation.md]``

Each row: a published figure, what geoplan gives on the same question, the difference,
and why they may differ. Only one number was fitted: the synthetic set's spacing factor,
so that 290 sites give the province's ~50% (the calibration point). Everything else is
measured with the defaults and reported as it comes out.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import geoplan
from geoplan.io.atomic import write_text_atomic
from geoplan.io.embedded import DATA_DIR
from geoplan.io.stations import stations_from_table
from geoplan.synthetic import synthesize_stations

OLD_TO_NEW = DATA_DIR / "boundaries" / "old_to_new_2025.csv"


def _grown_network(scenario: geoplan.Scenario, n_sites: int, factor: float) -> geoplan.Scenario:
    """The default networks grown to ``n_sites`` the way they were built (same factor)."""
    frame, _ = synthesize_stations(
        scenario.grid, n_sites, spacing_factor=factor, config=scenario.config,
        model=scenario.model(),
    )  # fmt: skip
    table = pd.DataFrame(frame.drop(columns="geometry"))
    return scenario.with_stations(stations_from_table(table, "synthetic-384"))


def _share_in(result: geoplan.CoverageResult, codes: set[str]) -> float:
    part = result.communes[result.communes["code"].astype(str).isin(codes)]
    return float(part["covered_population"].sum() / part["population"].sum())


def _markdown(table: pd.DataFrame) -> str:
    """A GitHub table (pandas' own needs the optional tabulate package)."""
    cells = [list(table.columns), *table.astype(str).to_numpy().tolist()]
    lines = ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in cells]
    lines.insert(1, "|" + "---|" * len(table.columns))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/validation.md"))
    args = parser.parse_args()
    started = time.perf_counter()
    scenario = geoplan.load_scenario()
    today, summary = scenario.coverage_summary()
    _, calibration = synthesize_stations(scenario.grid, 290, config=scenario.config,
                                         model=scenario.model())  # fmt: skip
    factor = calibration.spacing_factor
    grown = _grown_network(scenario, 384, factor)
    grown_today = grown.coverage()
    viettel = grown.for_operator("Viettel")
    viettel_today = viettel.coverage()
    mapping = pd.read_csv(OLD_TO_NEW, dtype=str)
    centre = set(mapping.loc[mapping["old_province"] == "Tỉnh Bắc Ninh", "new_code"])
    plan = scenario.plan(target=0.8, solver="greedy")
    viettel_plan = viettel.plan(target=0.76, solver="greedy")
    s, v = plan.summary, viettel_plan.summary
    n_viettel = int((grown.stations["operator"] == "Viettel").sum())
    rows = [
        ("~290 5G stations reach ~50% of people (province, 2025)",
         f"290 synthetic sites: {today.covered_share:.1%} expected, "
         f"{today.reliable_share:.1%} at 90% reliability; "
         f"own operator {summary['own_operator_share']:.1%}",
         f"{today.covered_share - 0.50:+.1%}",
         f"the calibration point: the spacing factor ({factor:.3f}) was fitted to it"),
        ("384 stations ≈ 54% of people (autumn 2025)",
         f"the same networks grown to 384 sites (300 : 64 : 20): "
         f"{grown_today.covered_share:.1%} expected, {grown_today.reliable_share:.1%} reliable",
         f"{grown_today.covered_share - 0.54:+.1%}",
         "measured, not fitted: 94 more sites placed by the same rule"),
        ("Viettel's 300 stations cover 14% of the province's people (Viettel)",
         f"Viettel's {n_viettel} sites alone: {viettel_today.covered_share:.1%} expected, "
         f"{viettel_today.reliable_share:.1%} reliable",
         f"{viettel_today.covered_share - 0.14:+.1%}",
         "Viettel's own definition is not published; 14% of people beside 78% of the centre "
         "reads like a share of subscribers on 5G or of indoor coverage, not outdoor reach"),
        ("... and 78% of the central area (Viettel)",
         f"former Bắc Ninh's 41 communes (our reading of 'the centre'): "
         f"{_share_in(viettel_today, centre):.1%} expected",
         f"{_share_in(viettel_today, centre) - 0.78:+.1%}",
         "'central area' is not defined in the report; former Bắc Ninh is our proxy"),
        ("809 stations in operation by the end of 2025 (province plan)",
         f"plan to 80% of people at 90% reliability: 290 + {s.n_new_sites} = "
         f"{290 + s.n_new_sites} sites ({s.achieved_expected_share:.1%} expected after)",
         f"{290 + s.n_new_sites - 809:+d} sites",
         "809 is a rollout count, not tied to a coverage target; geoplan's target is stricter "
         "(reliable coverage); the plan is greedy (its own LP bound), on a grid of new towers "
         "and the synthetic 4G sites as upgrades"),
        ("Viettel plans 844 stations for > 76% (Viettel)",
         f"Viettel alone from its {n_viettel} sites to 76% reliable: {n_viettel} + "
         f"{v.n_new_sites} = {n_viettel + v.n_new_sites} sites "
         f"({v.achieved_expected_share:.1%} expected after)",
         f"{n_viettel + v.n_new_sites - 844:+d} sites",
         "same physics, one operator's carrier (n41, 2.55 GHz); > 76% on Viettel's own metric"),
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=["published figure", "geoplan", "difference", "why"])
    text = (
        "# Validation against published figures\n\n"
        "Produced by `benchmarks/validation.py` (defaults: TR 38.901 radio model, each "
        "operator's carrier, synthetic networks). Only the calibration point was fitted; "
        "every other row is measured and left as it comes out. Shares are of the province's "
        "3,619,443 people; 'expected' is Σ people × P(covered), 'reliable' the people covered "
        "with at least 90% probability.\n\n" + _markdown(table) +
        f"\n\nRun time {time.perf_counter() - started:.0f} s on the 2-core reference machine.\n"
    )  # fmt: skip
    write_text_atomic(args.out, text, overwrite=True)
    print(text)
    assert np.isfinite(today.covered_share)


if __name__ == "__main__":
    main()
