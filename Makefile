# Peerhaven. Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install run test test-fast check bench chromium gettext messages makemessages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Start the whole product with demo data on SQLite: web + websockets + worker + scheduler,
## and print the demo log-ins. Ctrl-C stops it all. `make run PORT=8001` serves elsewhere.
PORT ?= 8000
RUN_ENV = PEERHAVEN_DEBUG=1 PEERHAVEN_SITE_URL=$${PEERHAVEN_SITE_URL:-http://localhost:$(PORT)}
run: install messages
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py serve --host localhost --port $(PORT)

## The whole suite, browser tests included (installs Chromium when it can).
test: install chromium messages
	# Two runs: Playwright's sync API keeps an event loop in the worker's main thread for the
	# whole session, which the Django ORM then refuses to run under in any later test.
	$(PY) -m pytest -n 2 --dist loadfile -q peerhaven $(PYTEST_ARGS)
	$(PY) -m pytest -n 2 --dist loadfile -q e2e $(PYTEST_ARGS)
	# Live and WebRTC browser tests, inside a network namespace with only loopback (needs root).
	PY=$(PY) bash scripts/e2e-netns.sh $(PYTEST_ARGS)

## Lint and types.
check: install
	$(VENV)/bin/ruff check .
	PEERHAVEN_DEBUG=1 $(VENV)/bin/mypy config peerhaven

## Benchmarks: figures and ratios against a baseline measured in the same run.
bench: install
	$(PY) bench/run.py
	for script in bench/bench_*.py; do [ -e "$$script" ] || continue; $(PY) "$$script" || exit 1; done

chromium:
	@bash scripts/ensure-chromium.sh

## Compile the translation catalogues (peerhaven/locale/*/LC_MESSAGES/*.po -> .mo, never
## committed). Django skips a catalogue whose .mo is newer than its .po.
messages: install gettext
	PEERHAVEN_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules -v 0

## Refresh the Spanish catalogue from the code, then translate its new entries
## (test_i18n fails while one is missing or untranslated).
makemessages: install gettext
	PEERHAVEN_DEBUG=1 $(PY) manage.py makemessages -l es --no-obsolete --ignore=.venv --ignore=var --ignore=e2e --ignore=bench --ignore=node_modules

gettext:
	@bash scripts/ensure-gettext.sh

clean:
	rm -rf $(VENV) var/staticfiles
