# Two commands do all set-up on a fresh machine:  make demo  and  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

## Run the default job on the embedded data; results go to out/
demo: $(STAMP)
	$(BIN)/geoplan demo --out out --overwrite

## Lint, type-check, check the layers (import-linter) and run every test and doctest
test: $(STAMP)
	$(BIN)/ruff check geoplan tests benchmarks
	$(BIN)/ruff format --check geoplan tests benchmarks
	$(BIN)/mypy geoplan
	$(BIN)/lint-imports
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'pytest ran no tests: that is a failure' >&2; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
