# Two commands do all set-up on a fresh machine:  make demo  and  make test
# Another interpreter:  make PYTHON=python3.12 demo   (Python 3.11 or newer)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
PIP    := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on

.PHONY: demo test lint setup clean

$(RUNTIME_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "geoplan needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Install one (Ubuntu 22.04: sudo apt install python3.11 python3.11-venv) and run: make PYTHON=python3.11 demo" >&2; \
	  exit 1; }
	@echo "make: creating $(VENV) with $$($(PYTHON) --version) and installing geoplan (runtime only, about 1-2 minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	@echo "make: installing the test tools (pytest, ruff, mypy, import-linter, selenium ...)"
	$(PIP) -e ".[dev]"
	touch $@

setup: $(DEV_STAMP)

## The main job on the embedded data: today's coverage, the plan to 80%, map, report, brief (out/)
demo: $(RUNTIME_STAMP)
	$(BIN)/geoplan demo --out out --overwrite

## Lint, type-check, check the layers (import-linter) and run every test and doctest
## (on every core: pytest-xdist, idle workers take tests from busy ones)
test: $(DEV_STAMP)
	$(BIN)/ruff check geoplan tests benchmarks
	$(BIN)/ruff format --check geoplan tests benchmarks
	$(BIN)/mypy geoplan
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --dist worksteal --durations=25; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'pytest ran no tests: that is a failure' >&2; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
