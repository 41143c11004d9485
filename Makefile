# The portal's two everyday commands are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/retribus
DEV_ENV := DEBUG=1
PORT ?= 8000

.PHONY: install pdf-libs run demo-data messages lint migrations-check browser nginx a11y-tools test test-sqlite test-postgres bench clean

install: $(VENV)/.installed pdf-libs

# Pango for WeasyPrint (PDF handouts and the Kooperationshandbuch), from Debian when missing.
pdf-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's Pango for WeasyPrint"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	else echo "NOTICE: Pango is missing and cannot be installed here: PDFs cannot be made"; fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

messages: install
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -v0 --ignore=.venv

demo-data: install messages
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEV_ENV) $(BIN)/python manage.py setup_roles -v0
	$(DEV_ENV) $(BIN)/python manage.py load_demo_data
	$(DEV_ENV) $(BIN)/python manage.py assign_offer_codes
	$(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py ensure_demo_coordinator

run: demo-data
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Debian's Chromium for the Playwright tests; never a browser download of its own.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else echo "NOTICE: chromium is not installed and cannot be installed here: browser tests will be skipped"; fi

# Debian's nginx for tests/test_proxy.py, which runs the shipped deploy/nginx.conf for real.
nginx:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's nginx for the proxy test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	else echo "NOTICE: nginx is missing: the proxy test will be skipped"; fi

# axe-core and the Nu HTML checker for tests/test_accessibility.py, pinned, into .cache/node.
# --ignore-scripts: vnu-jar's postinstall would download a JDK; the jar is in the package.
NODE_DIR := .cache/node
A11Y_NPM := axe-core@4.14.1 vnu-jar@26.9.27
a11y-tools: $(NODE_DIR)/.installed

$(NODE_DIR)/.installed: Makefile
	@if command -v npm >/dev/null 2>&1; then \
		mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && \
		{ [ -f package.json ] || echo '{"private": true}' > package.json; } && \
		npm install --no-audit --no-fund --ignore-scripts --save-exact --silent $(A11Y_NPM) && touch .installed; \
	else echo "NOTICE: npm is missing: the accessibility and HTML checks will be skipped"; fi
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; } || \
		echo "NOTICE: java is missing: the Nu HTML checker tests will be skipped"

# Two processes (pytest-xdist), each with a test database of its own: the suite takes
# about half as long on two cores.
test-sqlite: install messages a11y-tools
	$(BIN)/pytest -n 2

# Runs the suite on PostgreSQL; leaves a marker that .ci/run checks.
test-postgres: install messages a11y-tools
	@rm -f .pytest-postgres-ok
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(PG_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 && touch .pytest-postgres-ok; \
	else \
		echo "*** PostgreSQL is NOT reachable at $(PG_URL): the PostgreSQL run did NOT happen. ***"; \
		echo "*** Start it or set PG_URL=postgres://user@host:port/dbname ***"; \
	fi

test: lint migrations-check browser nginx test-sqlite test-postgres

bench: install messages
	@command -v wrk >/dev/null || { [ "$$(id -u)" = "0" ] && apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: throughput is skipped"
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .pytest-postgres-ok $(NODE_DIR)
