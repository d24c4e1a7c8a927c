"""The headline a meeting hears first: a plan's numbers in a few sentences (vi/en).

:func:`headline_lines` turns a plan (its summary holds today's shares too) into the
sentences the command line prints, the brief leads with and the map shows: the share
today and after, the new sites, the gross cost, the state's support and the net cost,
the proven gap, and the communes the plan leaves behind. Light: no plotting library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from geoplan.outputs.i18n import fmt_int, fmt_pct, fmt_vnd, label
from geoplan.results import Plan
from geoplan.schema import DEFAULT_LANG


def headline_lines(plan: Plan, lang: str = DEFAULT_LANG) -> list[str]:
    """The plan's headline: coverage today → after, sites, gross/support/net cost, equity.

    Parameters
    ----------
    plan : the plan (its summary holds every number, today's shares included)
    lang : ``"vi"`` (default) or ``"en"``

    Returns
    -------
    list of str
        One sentence per line, in ``lang``.
    """
    s = plan.summary
    synthetic = f" ({label('synthetic', lang)})" if s.stations_synthetic else ""
    lines = [
        label(
            "headline_today",
            lang,
            reliable=fmt_pct(s.baseline_share, lang),
            expected=fmt_pct(s.baseline_expected_share, lang),
            n_sites=fmt_int(s.n_existing_sites, lang),
            synthetic=synthetic,
        ),
        label(
            "headline_plan" if s.target is not None else "headline_plan_max",
            lang,
            target=fmt_pct(s.target or 0, lang, 0),
            n_new=fmt_int(s.n_new_sites, lang),
            kinds=_kinds_text(plan, lang),
            n_phases=plan.n_phases if len(plan.phases) else 0,
            after=fmt_pct(s.achieved_share, lang),
            after_expected=fmt_pct(s.achieved_expected_share, lang),
        ),
        label(
            "headline_cost",
            lang,
            gross=fmt_vnd(s.total_cost_vnd, lang),
            support_share=fmt_pct(s.state_support_share, lang, 0),
            support=fmt_vnd(s.state_support_vnd, lang),
            net=fmt_vnd(s.net_cost_vnd, lang),
        ),
        label(
            "headline_gap",
            lang,
            gap=fmt_pct(s.gap, lang, up=True),  # "at most": rounded up
            bound=_bound_text(plan, lang),
            solver=s.solver,
            seconds=f"{s.seconds:.0f}",
        ),
        *equity_lines(plan, lang),
    ]
    if s.stations_synthetic:
        lines.append(label("headline_synthetic", lang))
    return lines


def equity_lines(plan: Plan, lang: str = DEFAULT_LANG) -> list[str]:
    """The communes the plan leaves below the floor, and what lifting them would cost.

    Parameters
    ----------
    plan : the plan (``summary.equity``; empty for plan folders written before it)
    lang : ``"vi"`` or ``"en"``
    """
    equity = plan.summary.equity
    if not equity:
        return []
    floor = fmt_pct(equity["floor_share"], lang, 0)
    if not equity["communes_below_floor"]:
        return [label("headline_equity_none", lang, floor=floor)]
    price = equity["floor_price"]
    lines = [
        label("headline_equity", lang, n_below=equity["communes_below_floor"], floor=floor,
              people_below=fmt_int(equity["people_below_floor"], lang),
              n_zero=equity["communes_at_zero"],
              people_zero=fmt_int(equity["people_at_zero"], lang)),
        label("headline_floor_price", lang, floor=floor, n_sites=fmt_int(price["n_sites"], lang),
              cost=fmt_vnd(price["cost_vnd"], lang)),
    ]  # fmt: skip
    if price["unreachable_communes"]:
        n = len(price["unreachable_communes"])
        lines.append(label("headline_unreachable", lang, n=n, floor=floor))
    return lines


def sharing_lines(sharing: Mapping[str, Any], lang: str = DEFAULT_LANG) -> list[str]:
    """Each operator's own plan and what full sharing saves, from :func:`sharing_summary`.

    Parameters
    ----------
    sharing : the JSON-ready dict of :func:`geoplan.scenario.sharing_summary`
    lang : ``"vi"`` (default) or ``"en"``

    Returns
    -------
    list of str
        A title, one line per operator, and the saving, in ``lang``.
    """
    separate = sharing["separate"]
    lines = [label("sharing_title", lang)]
    for operator, row in separate["by_operator"].items():
        lines.append(label(
            "sharing_row", lang, operator=operator, n_new=fmt_int(row["n_new_sites"], lang),
            cost=fmt_vnd(row["total_cost_vnd"], lang), net=fmt_vnd(row["net_cost_vnd"], lang),
            share=fmt_pct(row["achieved_share"], lang),
        ))  # fmt: skip
    lines.append(label(
        "sharing_total", lang, separate=fmt_int(separate["n_new_sites"], lang),
        shared=fmt_int(sharing["shared"]["n_new_sites"], lang),
        saved=fmt_int(sharing["sites_saved"], lang), saving=fmt_vnd(sharing["saving_vnd"], lang),
    ))  # fmt: skip
    return lines


def _kinds_text(plan: Plan, lang: str) -> str:
    """E.g. ``" (120 xây mới, 30 nâng cấp)"``; empty when every site is of one kind."""
    counts = plan.new_sites["kind"].value_counts() if len(plan.new_sites) else pd.Series()
    if len(counts) < 2:
        word = label(f"kind_{counts.index[0]}_short", lang) if len(counts) else ""
        return f" ({word})" if word else ""
    parts = [
        f"{fmt_int(n, lang)} {label(f'kind_{kind}_short', lang)}" for kind, n in counts.items()
    ]
    return f" ({', '.join(parts)})"


def _bound_text(plan: Plan, lang: str) -> str:
    s = plan.summary
    if s.bound_kind == "covered_share":
        return fmt_pct(s.bound, lang, 2)
    if s.bound_kind == "cost_vnd":
        return fmt_vnd(s.bound, lang)
    return f"{fmt_int(np.ceil(s.bound - 1e-6), lang)} {label('sites_unit', lang)}"
