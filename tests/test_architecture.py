"""The shape of the package: layers without cycles, light imports, data inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sklearn", "highspy", "folium", "matplotlib")


def _import_cycles(package: str) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    graph = grimp.build_graph(package)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules)
             for m in sorted(graph.modules)}  # fmt: skip
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic import b\n")
    (package / "b.py").write_text("def f():\n    from cyclic import a  # dodged\n")
    (package / "c.py").write_text("from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _import_cycles("cyclic") == [["cyclic.a", "cyclic.b"]]


def test_no_module_imports_another_in_a_cycle() -> None:
    """Function-level imports count: a cycle hidden inside a function is still a cycle."""
    assert _import_cycles("geoplan") == []


def _modules_loaded(code: str) -> list[str]:
    probe = f"\nimport sys; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code + probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return eval(out.stdout.strip().splitlines()[-1])  # a list literal we printed ourselves


def test_import_geoplan_loads_no_solver_or_plotting_stack() -> None:
    assert _modules_loaded("import geoplan") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["stations", "validate", "geoplan/data/stations/bacninh_5g_sites_synthetic.csv"],
        ["config", "show"],
    ],
)
def test_light_commands_load_no_solver_or_plotting_stack(argv: list[str]) -> None:
    code = (
        "import contextlib, io\nfrom geoplan.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass"
    )
    assert _modules_loaded(code) == []


def test_names_load_on_first_use() -> None:
    code = "import geoplan\ngeoplan.coverage_map\n"
    assert "folium" in _modules_loaded(code)


@pytest.mark.slow
def test_the_built_wheel_runs_outside_the_checkout(tmp_path: Path) -> None:
    """A fresh venv with only the built wheel finds its embedded data from anywhere."""
    wheels = tmp_path / "wheels"
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # no checkout on the path
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, env=clean,
    )  # fmt: skip
    (wheel,) = wheels.glob("geoplan-*.whl")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    (site,) = (env_dir / "lib").glob("python3*/site-packages")
    # geoplan comes only from the wheel; its dependencies from this environment, added as a
    # plain path (its .pth files, among them the checkout's editable finder, are not run)
    (site / "outer.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
         "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, env=clean,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "GEOPLAN_QUIET": "1", "HOME": str(tmp_path)}
    run = subprocess.run(
        [str(env_dir / "bin" / "geoplan"), "coverage", "--json"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert (out["n_sites"], len(out["communes"])) == (290, 99)
    assert out["population_total"] == pytest.approx(3_619_443, abs=1)
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import geoplan; print(geoplan.__file__)"],
        capture_output=True, text=True, cwd=elsewhere, env=env, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(site)), where.stdout
