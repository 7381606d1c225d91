# Two commands for a new user: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# Tests in parallel processes (browser and worker tests run in one process after them).
PYTEST_WORKERS ?= 2

.PHONY: run test install assets chromium lint format migrate demo worker bench clean

$(BIN)/activate: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(BIN)/activate

install: $(BIN)/activate assets

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed to fetch the GOV.UK Frontend assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules/.package-lock.json

assets: node_modules/.package-lock.json

migrate: install
	APP_ENV=$${APP_ENV:-development} $(FLASK) db upgrade

demo: migrate
	APP_ENV=$${APP_ENV:-development} $(FLASK) demo-data --if-empty

# The web app and a Celery worker on the embedded broker (no PostgreSQL or Redis needed).
run: demo
	@APP_ENV=$${APP_ENV:-development} PORT=$(PORT) ./scripts/run.sh

worker: install
	APP_ENV=$${APP_ENV:-development} $(BIN)/celery -A core.worker worker --loglevel=info

chromium:
	@./scripts/ensure-chromium.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install chromium lint
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not browser and not worker"
	$(BIN)/pytest -q -m "browser or worker"

bench: install
	./benchmarks/run.sh

clean:
	rm -rf $(VENV) node_modules instance/*.sqlite* instance/reports
