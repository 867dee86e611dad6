# The two commands: `make demo` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# Local targets run with debug on; production sets DJANGO_DEBUG=false and a secret key.
export DJANGO_DEBUG ?= true

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Run a command with the background worker (imports: kpis/tasks.py) beside it, and stop the
# worker when the command ends or is interrupted.
define with_worker
@$(MANAGE) db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(1)
endef

.PHONY: demo test install assets chromium pdf-libraries lint typecheck checks pytest serve bench wrk clean

demo: install assets pdf-libraries ## Install, migrate the SQLite database, load the seed report, serve (with the background worker)
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	@echo
	@echo "The portal is at http://127.0.0.1:8000/ — sign in as analyst, manager or viewer"
	@echo "with the password shown above (or DEMO_PASSWORD, if you set it)."
	@echo "Forgotten it? Run: $(MANAGE) load_demo --reset-passwords"
	@echo "Imports are read and written by the background worker, started beside the server."
	@echo
	$(call with_worker,$(MANAGE) runserver 127.0.0.1:8000)

test: install assets chromium pdf-libraries lint typecheck checks pytest ## Everything CI runs

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found " + sys.version.split()[0] + "); see .python-version")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: build/css/portal.css

chromium: ## Debian's Chromium, for the browser tests (Playwright cannot download one here)
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get install -y --no-install-recommends chromium \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }; }

# The PDF of the report: WeasyPrint lays it out with Debian's Pango and embeds Liberation Sans
# (and DejaVu Sans for the ✓ ! ✕ marks); the tests read it back with poppler's pdftotext.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 fonts-dejavu-core poppler-utils

pdf-libraries: ## Debian's Pango, the fonts the PDF embeds, and pdftotext for its tests
	@missing=$$(for package in $(PDF_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' || echo $$package; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's" $$missing "for the report's PDF"; \
	  $(SUDO) apt-get install -y --no-install-recommends $$missing \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$missing; }; \
	fi

build/css/portal.css: node_modules/.installed $(shell find static/scss -name '*.scss')
	npm run --silent build:css

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

checks: install
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

pytest: install assets chromium pdf-libraries
	$(BIN)/pytest -n auto

serve: install assets
	$(MANAGE) runserver 127.0.0.1:8000

bench: install assets wrk ## Every bench in one run, then a table of each figure against its aim (bench/README.md)
	@summary=$$(mktemp); export BENCH_SUMMARY=$$summary; status=0; \
	$(BIN)/python -m bench.run || status=1; \
	$(BIN)/python -m bench.overview || status=1; \
	$(BIN)/python -m bench.load || status=1; \
	$(BIN)/python -m bench.workbook || status=1; \
	$(BIN)/python -m bench.imports || status=1; \
	$(BIN)/python -m bench.summary $$summary; rm -f $$summary; exit $$status

wrk: ## Debian's wrk, for the load run (bench/load.py)
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the load run"; \
	  $(SUDO) apt-get install -y --no-install-recommends wrk \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends wrk; }; }

clean:
	rm -rf $(VENV) node_modules build staticfiles .pytest_cache .mypy_cache .ruff_cache
