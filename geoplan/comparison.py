"""Compare what-if variants of one scenario side by side.

A *variant* is a name and a few settings: which coverage model, which operator's
sites, and what to plan (a target, a site or money budget, an equity floor). Each
variant gives one row of a table: coverage today, the plan, its cost and how fair
it is across communes::

    >>> import geoplan
    >>> scenario = geoplan.load_scenario()
    >>> table = geoplan.compare(scenario, {                       # doctest: +SKIP
    ...     "80%": {"target": 0.8},
    ...     "80%, every commune >= 50%": {"target": 0.8, "min_commune_share": 0.5},
    ...     "radio model today": {"model": "38901"},
    ... })
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoplan import outputs  # lazy (PEP 562): matplotlib loads with the first figure
from geoplan.errors import GeoplanError, InputError
from geoplan.io.atomic import check_writable, write_table_csv
from geoplan.progress import progress
from geoplan.results import CoverageResult, Plan
from geoplan.scenario import Scenario
from geoplan.schema import Lang, SolverName

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: Settings that choose the sites and the model of a variant.
SCENARIO_KEYS = frozenset({"model", "operator", "stations"})
#: Settings passed on to :meth:`Scenario.plan`; any of the first three makes a plan.
PLAN_TRIGGERS = frozenset({"target", "max_sites", "budget_vnd"})
PLAN_KEYS = PLAN_TRIGGERS | {
    "min_commune_share",
    "candidates",
    "sites_per_phase",
    "budget_per_phase_vnd",
    "preferred_kinds",
    "time_limit_s",
    "solver",
}
#: What :meth:`Comparison.write` writes, by kind.
COMPARE_FILES = {"table": "compare.csv", "figure": "compare.png"}
#: Share below which a commune counts as poorly served in the table.
POOR_SHARE = 0.5

COLUMNS = [
    "model",
    "existing_sites",
    "covered_share_today",
    "target",
    "new_sites",
    "covered_share",
    "reliable_share",
    "lowest_commune_share",
    "communes_below_50pct",
    "cost_vnd",
    "solver",
    "gap",
    "seconds",
]


@dataclass(frozen=True)
class Comparison:
    """One row per variant, plus every variant's full result.

    Attributes
    ----------
    table : DataFrame indexed by variant name, columns :data:`COLUMNS`. Shares are
        0..1; ``covered_share_today`` and ``covered_share`` are the expected shares
        (the headline) today and after the plan (today's when the variant plans
        nothing); ``reliable_share`` and the commune columns count people covered at
        the design reliability, what targets and floors count; ``gap`` is the distance
        to the solver's proven bound (NaN without a plan); ``cost_vnd`` is CAPEX in VND.
    results : variant name -> :class:`Plan` or, without a plan,
        :class:`CoverageResult`
    """

    table: pd.DataFrame
    results: dict[str, CoverageResult | Plan]

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        columns = ["model", "new_sites", "covered_share", "lowest_commune_share", "cost_vnd", "gap"]
        text = self.table[columns].to_string(
            na_rep="-",
            formatters={
                "covered_share": "{:.1%}".format,
                "lowest_commune_share": "{:.1%}".format,
                "cost_vnd": lambda v: f"{v / 1e9:,.0f} bn",
                "gap": lambda v: "-" if pd.isna(v) else f"{v:.1%}",
            },
        )
        return f"Comparison of {len(self)} variants (CAPEX in VND)\n{text}"

    def _repr_html_(self) -> str:
        # variant names and other strings are user text: escape them like every HTML output
        styled = self.table.style.format_index(escape="html").format(
            {
                "covered_share_today": "{:.1%}",
                "target": lambda v: "—" if pd.isna(v) else f"{v:.0%}",
                "covered_share": "{:.1%}",
                "lowest_commune_share": "{:.1%}",
                "cost_vnd": lambda v: f"{v / 1e9:,.0f} bn",
                "gap": lambda v: "—" if pd.isna(v) else f"{v:.1%}",
                "seconds": "{:.1f}",
            },
            escape="html",
        )
        caption = f"Comparison of {len(self)} variants (shares of people; CAPEX in VND)"
        if self.table["gap"].notna().any():
            caption += "; gap: how far each plan can at most be from the best among the candidates"
        return f"<p><b>{html.escape(caption)}</b></p>{styled.to_html()}"

    def write(
        self, out_dir: str | os.PathLike[str], overwrite: bool = False, lang: Lang = "en"
    ) -> dict[str, Path]:
        """Write ``compare.csv`` (the table) and ``compare.png`` (:meth:`plot`) into ``out_dir``.

        Both targets are checked before anything is written.

        Parameters
        ----------
        out_dir : str or path
            The folder, created if missing.
        overwrite : bool
            Replace existing files; when False an existing target stops the write.
        lang : str
            Language of the figure's labels, ``"en"`` (default) or ``"vi"``.

        Returns
        -------
        dict
            The written paths by kind: ``table`` (CSV) and ``figure`` (PNG).
        """
        folder = Path(out_dir)
        paths = {kind: folder / name for kind, name in COMPARE_FILES.items()}
        for path in paths.values():
            check_writable(path, overwrite)
        folder.mkdir(parents=True, exist_ok=True)
        write_table_csv(self.table.reset_index(), paths["table"], overwrite)
        outputs.save_figure(self.plot(lang), paths["figure"], overwrite)
        return paths

    def plot(self, lang: Lang = "en") -> Figure:
        """Covered share today and after each variant's plan, as horizontal bars;
        see :func:`geoplan.outputs.figures.figure_comparison`.

        Parameters
        ----------
        lang : str
            Label language, ``"en"`` (default) or ``"vi"``.

        Returns
        -------
        matplotlib.figure.Figure
            Shares shown in percent of people.
        """
        return outputs.figure_comparison(self.table, lang)


def standard_variants(
    targets: Sequence[float] = (),
    budgets_vnd: Sequence[float] = (),
    floors: Sequence[float] = (),
    floor_target: float = 0.8,
    models: Sequence[str] = (),
    operators: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The usual what-if variants by name, starting with ``"today"``.

    Parameters
    ----------
    targets : sequence of float
        Covered shares of people to plan for, 0..1; one variant each.
    budgets_vnd : sequence of float
        CAPEX budgets, VND; one max-coverage variant each.
    floors : sequence of float
        Lowest covered share every commune must reach, 0..1; one variant each, all
        with target ``floor_target``.
    floor_target : float
        Covered share of people (0..1) of the floor variants.
    models : sequence of str
        Model names (``"38901"`` …); one variant each, coverage today only.
    operators : sequence of str
        Operator names; one variant each with only that operator's sites, today only.

    Returns
    -------
    dict
        Variant name -> settings, ready for :func:`compare`.

    >>> list(standard_variants(targets=[0.7, 0.9], floors=[0.5], operators=["VNPT"]))
    ['today', 'target 70%', 'target 90%', 'target 80%, every commune >= 50%', 'VNPT alone']
    """
    variants: dict[str, dict[str, Any]] = {"today": {}}
    variants |= {f"target {t:.0%}": {"target": t} for t in targets}
    variants |= {f"budget {b / 1e9:,.0f} bn VND": {"budget_vnd": b} for b in budgets_vnd}
    variants |= {
        f"target {floor_target:.0%}, every commune >= {f:.0%}": {
            "target": floor_target, "min_commune_share": f,
        }
        for f in floors
    }  # fmt: skip
    variants |= {f"model {m}, today": {"model": m} for m in models}
    variants |= {f"{o} alone": {"operator": o} for o in operators}
    return variants


def compare(
    scenario: Scenario,
    variants: Mapping[str, Mapping[str, Any]],
    *,
    solver: SolverName = "greedy",
    prove: bool = True,
) -> Comparison:
    """Run every variant of ``scenario`` and tabulate them.

    Parameters
    ----------
    scenario : the base scenario (``geoplan.load_scenario()``)
    variants : name -> settings. Settings are ``model`` (``"radius"``, ``"38901"`` or
        a model object), ``operator`` (keep only that operator's sites), ``stations``
        (another station GeoDataFrame), and any option of :meth:`Scenario.plan`
        (``target``, ``max_sites``, ``budget_vnd``, ``min_commune_share`` …). A
        variant with none of ``target``, ``max_sites``, ``budget_vnd`` plans nothing
        and reports coverage today.
    solver : the default solver for the plans: ``"greedy"`` (seconds) or
        ``"exact"`` (proven optimum; minutes on the full province)
    prove : prove each greedy plan's gap with the LP relaxation (seconds per plan);
        False skips it for speed and leaves ``gap`` empty for greedy plans
    """
    if not variants:
        raise InputError("compare needs at least one variant, e.g. {'80%': {'target': 0.8}}")
    for name, settings in variants.items():
        unknown = sorted(set(settings) - SCENARIO_KEYS - PLAN_KEYS)
        if unknown:
            raise InputError(
                f"variant {name!r}: unknown setting(s) {', '.join(unknown)}; "
                f"use {', '.join(sorted(SCENARIO_KEYS | PLAN_KEYS))}"
            )
    rows, results = {}, {}
    for name in progress(list(variants), "variants", unit="variant"):
        started = time.perf_counter()
        try:
            result, row = _run_variant(scenario, variants[name], solver, prove)
        except GeoplanError as exc:  # say which variant failed; keep the error as it is
            exc.args = (f"variant {name!r}: {exc}", *exc.args[1:])
            raise
        rows[name] = row | {"seconds": time.perf_counter() - started}
        results[name] = result
    table = pd.DataFrame.from_dict(rows, orient="index")[COLUMNS]
    table.index.name = "variant"
    return Comparison(table, results)


def _run_variant(
    scenario: Scenario, settings: Mapping[str, Any], solver: str, prove: bool
) -> tuple[CoverageResult | Plan, dict[str, Any]]:
    chosen = scenario
    if "stations" in settings:
        chosen = chosen.with_stations(settings["stations"])
    if "operator" in settings:
        chosen = chosen.for_operator(settings["operator"])
    model = settings.get("model")
    target = settings.get("target", np.nan)
    if not PLAN_TRIGGERS & set(settings):
        today = chosen.coverage(model)
        return today, _equity(today.communes["reliable_share"]) | {
            "model": today.model, "existing_sites": today.n_sites,
            "covered_share_today": today.covered_share, "target": target, "new_sites": 0,
            "covered_share": today.covered_share, "reliable_share": today.reliable_share,
            "cost_vnd": 0.0, "solver": "—", "gap": np.nan,
        }  # fmt: skip
    options = {k: v for k, v in settings.items() if k in PLAN_KEYS}
    options.setdefault("solver", solver)
    if not prove:
        chosen = replace(chosen, config=replace(chosen.config, greedy_lp_bound_s=0.0))
    plan = chosen.plan(model=model, **options)
    s = plan.summary
    proven = prove or s.solver != "greedy"
    return plan, _equity(plan.communes["covered_share_after"]) | {
        "model": s.model, "existing_sites": s.n_existing_sites,
        "covered_share_today": s.baseline_expected_share, "target": target,
        "new_sites": s.n_new_sites, "covered_share": s.achieved_expected_share,
        "reliable_share": s.achieved_share,
        "cost_vnd": float(s.total_cost_vnd), "solver": s.solver,
        "gap": s.gap if proven else np.nan,
    }  # fmt: skip


def _equity(shares: pd.Series) -> dict[str, Any]:
    return {
        "lowest_commune_share": float(shares.min()),
        "communes_below_50pct": int((shares < POOR_SHARE).sum()),
    }
