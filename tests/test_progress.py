"""Progress bars: on and off as asked, never changing what is iterated."""

from __future__ import annotations

import pytest

from geoplan import progress as progress_module
from geoplan.progress import bars_enabled, progress, set_quiet


@pytest.fixture(autouse=True)
def _reset_quiet():
    yield
    set_quiet(None)


def test_quiet_wins_over_everything(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    set_quiet(True)
    assert not bars_enabled()
    set_quiet(False)
    assert bars_enabled()


def test_ci_environment_silences_bars(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert not bars_enabled()


def test_bar_is_drawn_on_stderr_when_enabled(capsys) -> None:
    set_quiet(False)
    assert list(progress(range(5), "step", total=5)) == [0, 1, 2, 3, 4]
    assert "step" in capsys.readouterr().err


def test_no_output_when_quiet(capsys) -> None:
    set_quiet(True)
    assert list(progress(iter("abc"), "letters")) == ["a", "b", "c"]
    assert capsys.readouterr().err == ""


def test_not_a_notebook_in_plain_python() -> None:
    assert progress_module._in_notebook() is False


def test_text_bar_in_a_notebook_without_widgets(monkeypatch) -> None:
    """Without ipywidgets the notebook gets the text bar, not tqdm's warning."""
    from tqdm import tqdm

    real_find_spec = progress_module.importlib.util.find_spec
    monkeypatch.setattr(
        progress_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "ipywidgets" else real_find_spec(name, *a),
    )
    assert progress_module._widget_bar() is tqdm
