"""Progress bars that suit a terminal and a notebook, and stay quiet in CI.

Bars are shown only when the work is long enough to matter and nobody asked for
quiet: ``set_quiet(True)`` (the CLI's ``--quiet``), the ``GEOPLAN_QUIET`` or ``CI``
environment variables, or a standard error that is not a terminal (outside Jupyter).
In Jupyter the bar is a widget when ipywidgets is installed, and text otherwise
(``tqdm.auto`` would warn about the missing widgets on every import instead).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
_quiet: bool | None = None


def set_quiet(quiet: bool | None) -> None:
    """Force bars off (True), on (False), or back to automatic (None).

    Parameters
    ----------
    quiet : bool or None
        The CLI's ``--quiet`` sets True; None restores the automatic choice.
    """
    global _quiet
    _quiet = quiet


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "ZMQInteractiveShell" in type(ipython).__name__


def bars_enabled() -> bool:
    """Whether progress bars are shown now."""
    if _quiet is not None:
        return not _quiet
    if os.environ.get("GEOPLAN_QUIET") or os.environ.get("CI"):
        return False
    return _in_notebook() or sys.stderr.isatty()


def progress(
    items: Iterable[T], description: str, total: int | None = None, unit: str = "it"
) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar when bars are enabled.

    Parameters
    ----------
    items : iterable
        What to iterate over.
    description : str
        The bar's label.
    total : int or None
        Number of items, when ``items`` has no length.
    unit : str
        What one item is called on the bar (``"it"``, ``"site"`` …).

    >>> list(progress(range(3), "counting"))
    [0, 1, 2]
    """
    if not bars_enabled():
        yield from items
        return
    yield from bar_class()(items, desc=description, total=total, unit=unit, leave=False)


def bar_class() -> type[tqdm]:
    """The tqdm class that suits where we run: a widget or text in Jupyter, text elsewhere."""
    return _widget_bar() if _in_notebook() else tqdm


def _widget_bar() -> type[tqdm]:
    """The notebook widget bar if ipywidgets is installed, else the text bar."""
    if importlib.util.find_spec("ipywidgets") is None:
        return tqdm
    from tqdm.notebook import tqdm as notebook_tqdm

    return notebook_tqdm


def note(message: str) -> None:
    """Log ``message`` and, when bars are enabled, show it on standard error.

    For the stages of a long computation that has no natural count (a solver's
    bound, incumbent, proof).

    >>> note("LP bound 179")
    """
    logging.getLogger("geoplan").info(message)
    if bars_enabled():
        print(f"geoplan: {message}", file=sys.stderr, flush=True)
