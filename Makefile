# LinkedIn Ads warehouse: `make run` loads, builds, documents and summarises; `make test` proves it.
# Every target that needs Python depends on the virtual environment, which it creates itself
# from the machine's python3 (uv is installed with pip when it is missing).

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)

TARGET ?= $(or $(WAREHOUSE_TARGET),duckdb)
export WAREHOUSE_TARGET := $(TARGET)
export RUNTIME__DLTHUB_TELEMETRY := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export UV_PYTHON_DOWNLOADS := never
# Installed packages are compiled to bytecode once, at sync: where PYTHONDONTWRITEBYTECODE is set
# (as in many container images) Python otherwise compiles dbt's and dlt's sources at every start.
export UV_COMPILE_BYTECODE := 1
PORT ?= 8765
DOCS_PORT ?= 8080
SIZES ?= S,M
BI_PORT ?= 8088
BI_VENV := bi/.venv
# TARGET=spark (and the test suite, which runs a Spark cluster) add the optional `spark` group.
SPARK_SYNCED := $(VENV)/.synced-spark
SYNCED := $(VENV)/.synced $(if $(filter spark,$(TARGET)),$(SPARK_SYNCED))
# make bench SPARK=1 adds a Spark row (SPARK=0 or empty: none); make bench API=<base URL> measures
# another emulator of LinkedIn's API instead of the sandbox (its token and first day from the
# environment: SOURCES__LINKEDIN_ADS__ACCESS_TOKEN, SOURCES__LINKEDIN_ADS__START_DATE).
BENCH_SPARK := $(filter-out 0,$(SPARK))

.PHONY: help run test test-fast lint ingest build bench sandbox chaos clean auth docs metrics bi

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: $(SYNCED) ## Main job: load bronze (sandbox without a token), dbt build, docs, summary (TARGET=spark too)
	$(PY) -m ingest run

test: $(SPARK_SYNCED) ## Unit, end-to-end and fault tests on DuckDB, Postgres when reachable, a local Spark cluster
	command -v javac >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null; } || \
		echo "warning: no JDK, and apt-get could not install it: the Spark cluster test needs javac"
	$(PY) -m pytest

test-fast: $(VENV)/.synced ## Unit and contract tests only (no warehouse runs; under a minute)
	$(PY) -m pytest -m "not e2e and not chaos and not postgres"

chaos: $(VENV)/.synced ## Fault suite: faults injected, retries, rows lost and duplicates (must be 0)
	$(PY) -m pytest tests/chaos -m chaos

lint: $(VENV)/.synced ## ruff and sqlfluff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	WAREHOUSE_PATH=:memory: $(VENV)/bin/sqlfluff lint dbt_project

ingest: $(SYNCED) ## Load bronze only
	$(PY) -m ingest load

build: $(SYNCED) ## dbt build (silver and gold) on the loaded warehouse
	$(PY) -m ingest build

auth: $(VENV)/.synced ## Sign in to LinkedIn (OAuth in a browser); saves tokens to .dlt/secrets.toml
	$(PY) -m ingest auth

bench: $(VENV)/.synced $(if $(BENCH_SPARK),$(SPARK_SYNCED)) ## Benchmark requests, time and memory at SIZES (XS,S,M,L; default S,M; SPARK=1 adds Spark; API=<base URL>: another emulator): bench/results.md
	$(PY) -m bench $(if $(API),--api $(API),--sizes $(SIZES) $(if $(BENCH_SPARK),--spark))

sandbox: $(VENV)/.synced ## Serve the LinkedIn API sandbox on PORT (default 8765)
	$(PY) -m ingest sandbox --port $(PORT)

docs: $(SYNCED) ## Generate the dbt docs and serve them on 127.0.0.1:DOCS_PORT (default 8080)
	$(PY) -m ingest docs --port $(DOCS_PORT)

# mf reads dbt_project/target/semantic_manifest.json (written by make run) and profiles.yml.
metrics: $(VENV)/.synced ## Semantic layer (after make run): list metrics, or make metrics Q="--metrics ctr ..."
	DBT_PROFILES_DIR=$(CURDIR) DBT_PROJECT_DIR=$(CURDIR)/dbt_project \
		$(VENV)/bin/mf $(if $(Q),query $(Q),list metrics)

bi: $(BI_VENV)/.synced ## Superset dashboard on gold at 127.0.0.1:BI_PORT (default 8088); admin login printed once
	$(BI_VENV)/bin/python bi/setup_superset.py --serve --port $(BI_PORT)

clean: ## Remove the warehouse file, dbt and dlt outputs and the virtual environments
	rm -rf $(VENV) .tools warehouse.duckdb warehouse.duckdb.wal warehouse.duckdb.lock .dlt/pipelines \
		lake .spark dbt_project/target dbt_project/logs logs .pytest_cache .ruff_cache bi/.venv bi/.superset

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# Superset has its own locked environment (bi/pyproject.toml): its pins never touch dbt and dlt.
$(BI_VENV)/.synced: bi/pyproject.toml bi/uv.lock | $(UV)
	$(UV) sync --locked --project bi --python $(PYTHON)
	touch $@

# Makefile too: it holds the sync's settings (UV_COMPILE_BYTECODE above).
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	touch $@

# Spark needs Java (17 from Debian when the machine has none) and the `spark` group (re-synced
# whenever the default sync ran, which removes it).
$(SPARK_SYNCED): $(VENV)/.synced | $(UV)
	command -v java >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } || \
		echo "warning: no Java, and apt-get could not install it: Spark needs Java 17 (its tests skip)"
	$(UV) sync --locked --group spark --python $(PYTHON)
	touch $@
