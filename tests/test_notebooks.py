"""The notebooks run top to bottom on the embedded data and show a map or a figure."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
VISUAL = ("image/png", "text/html")
#: Code that draws a figure; a cell holding it must show a PNG.
DRAWS = ("plt.subplots", "geoplan.figure_", ".plot(")


def test_there_are_notebooks() -> None:
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03"][: len(NOTEBOOKS)]
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    """Outputs are stripped so that the notebooks stay reviewable in git."""
    notebook = nbformat.read(path, as_version=4)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells
    assert all(not c.outputs and c.execution_count is None for c in code_cells)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_shows_a_picture(path: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,  # per cell; a loaded 2-core machine runs the radio model slowly
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert any(any(kind in o.get("data", {}) for kind in VISUAL) for o in shown)
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and any(code in cell.source for code in DRAWS):
            pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert pictures, f"cell {number} draws a figure but shows no picture"
