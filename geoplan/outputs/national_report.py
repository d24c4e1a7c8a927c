"""The national run's outputs in one folder: the map, the ranking and the brief.

:func:`write_national_outputs` writes (names in
:data:`~geoplan.outputs.paths.NATIONAL_FILES`): ``national_map.html`` (offline, drills
into communes), ``national_ranking.xlsx`` with ``national_ranking_provinces.csv`` and
``national_ranking_units.csv``, and ``national_brief.pdf`` (one A4 page); a national
plan's tables (:func:`~geoplan.outputs.national_tables.has_plan`) go to the same files
named ``national_plan_*`` (:data:`~geoplan.outputs.paths.NATIONAL_PLAN_FILES`). Every target
is checked before anything is written, so a refused overwrite leaves the folder as it
was. The unit outlines are read once, for the map and the brief.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pandas as pd

from geoplan.io.atomic import check_csv_dialect, check_writable
from geoplan.outputs.i18n import check_lang
from geoplan.outputs.national_brief import write_national_brief
from geoplan.outputs.national_map import national_map, save_map
from geoplan.outputs.national_shapes import BRIEF_SIMPLIFY_M, read_unit_shapes, simplified_outlines
from geoplan.outputs.national_tables import has_plan, write_ranking
from geoplan.outputs.paths import national_paths
from geoplan.schema import DEFAULT_LANG, CsvDialect, Lang

log = logging.getLogger(__name__)


def write_national_outputs(
    out_dir: str | os.PathLike[str],
    provinces: pd.DataFrame,
    units: pd.DataFrame,
    *,
    lang: Lang = DEFAULT_LANG,
    model: str | None = None,
    cell_size_m: float = 100.0,
    overwrite: bool = False,
    csv_dialect: CsvDialect = "plain",
    created: dt.date | None = None,
) -> dict[str, Path]:
    """Write the national map, the ranking (XLSX and CSVs) and the brief into ``out_dir``.

    Parameters
    ----------
    out_dir : str or path
        The folder (created if missing).
    provinces, units : DataFrame
        The national run's tables (:class:`geoplan.national.NationalCoverage`), or a
        plan's (:meth:`geoplan.national.NationalPlan.output_tables`: today's columns
        and the plan's, shown after them).
    lang : ``"vi"`` (default) or ``"en"``
    model : the coverage model's name (printed)
    cell_size_m : the work grid's cell, metres (printed)
    overwrite : replace existing files
    csv_dialect : ``"plain"`` or ``"vi-excel"``
    created : the date printed (default today)

    Returns
    -------
    dict
        Written paths by kind (``map``, ``xlsx``, ``csv_provinces``, ``csv_units``,
        ``brief``).
    """
    check_lang(lang)
    check_csv_dialect(csv_dialect)
    paths = national_paths(out_dir, has_plan(provinces))
    for path in paths.values():
        check_writable(path, overwrite)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    shapes = read_unit_shapes(sorted(provinces["code"].astype(str)))
    fmap = national_map(provinces, units, shapes, lang=lang, model=model, created=created)
    save_map(fmap, paths["map"], overwrite)
    written = {"map": paths["map"]}
    written |= write_ranking(out_dir, provinces, units, lang=lang, overwrite=overwrite,
                             csv_dialect=csv_dialect)  # fmt: skip
    _, outlines = simplified_outlines(shapes, BRIEF_SIMPLIFY_M)
    written["brief"] = write_national_brief(
        paths["brief"], provinces, outlines, lang=lang, model=model, cell_size_m=cell_size_m,
        overwrite=overwrite, created=created,
    )  # fmt: skip
    log.info("national outputs written to %s", out_dir)
    return written


__all__ = ["national_paths", "write_national_outputs"]
