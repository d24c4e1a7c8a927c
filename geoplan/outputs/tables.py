"""Tables for people: rounded, sorted, with plain column names."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from geoplan.coverage import CoverageResult
from geoplan.io.atomic import atomic_path


def commune_table(result: CoverageResult) -> pd.DataFrame:
    """Per-commune coverage, least covered first, people rounded to whole persons."""
    table = result.communes.copy()
    for column in ("population", "covered_population", "uncovered_population"):
        table[column] = table[column].round().astype("int64")
    table["covered_share"] = table["covered_share"].round(4)
    return table.sort_values(["covered_share", "code"]).reset_index(drop=True)


def write_table_csv(
    table: pd.DataFrame, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write ``table`` as UTF-8 CSV with a BOM (so Excel shows Vietnamese names right)."""
    with atomic_path(path, overwrite) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)
