"""What the default 4G upgrade candidates cost in planning time, and what they change.

Peer: the same default plan without them (``upgrade_candidates=False``: grid and cluster
candidates only, as before the 4G layer). For each model, prints the candidates by source,
the candidate coverage matrix (time, pairs) with and without upgrades and the ratio; with
``--plan``, also the 80% plan of both (new towers, upgrades, CAPEX, solver time and gap)
under the ``sites`` and ``cost`` objectives.

Run:  python -m benchmarks.upgrades [--model radius|38901 ...] [--plan] [--time-limit S]
"""

from __future__ import annotations

import argparse
import time

from geoplan.planning import planning_arrays
from geoplan.scenario import load_scenario, with_config


def matrix_line(scenario, model_name: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    model = scenario.model(model_name)
    start = time.perf_counter()
    _, _, candidates, cover = planning_arrays(scenario, model)
    seconds = time.perf_counter() - start
    sources = candidates.frame["source"].value_counts().sort_index().to_dict()
    return seconds, f"{len(candidates):,} candidates {sources}, {cover.nnz:,} pairs"


def plan_line(scenario, model_name: str, objective: str, time_limit: float) -> str:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    plan = scenario.plan(0.8, model=model_name, objective=objective, time_limit_s=time_limit)
    s = plan.summary
    kinds = plan.new_sites["kind"].value_counts().to_dict()
    return (f"{objective:>5}: {s.n_new_sites} sites {kinds}, {s.total_cost_vnd / 1e9:,.1f} bn VND, "
            f"{s.achieved_share:.2%} reliable / {s.achieved_expected_share:.2%} expected, "
            f"gap {s.gap:.2%} ({s.status}), {time.perf_counter() - start:.0f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=("radius", "38901"))
    parser.add_argument("--plan", action="store_true", help="also solve the 80%% plans")
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args()
    with_upgrades = load_scenario()
    without = with_config(with_upgrades, upgrade_candidates=False)
    for model_name in args.model or ["radius", "38901"]:
        before, text_before = matrix_line(without, model_name)
        after, text_after = matrix_line(with_upgrades, model_name)
        print(f"[{model_name}] without upgrades: {before:.1f} s, {text_before}")
        print(f"[{model_name}] with upgrades:    {after:.1f} s, {text_after}")
        print(f"[{model_name}] candidates and their matrix: {after / before:.2f}× the time")
        if args.plan:
            for objective in ("sites", "cost"):
                for label, scenario in (("without", without), ("with", with_upgrades)):
                    line = plan_line(scenario, model_name, objective, args.time_limit)
                    print(f"[{model_name}] {label:>7} upgrades, {line}")


if __name__ == "__main__":
    main()
