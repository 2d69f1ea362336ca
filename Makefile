# Two commands matter: `make run` and `make test`. Both create .venv when it is missing and
# reinstall when pyproject.toml or the lock file changed (the stamp file is older than either).
# Installs take their versions from requirements.lock (a constraints file): two installs a month
# apart get the same versions. `make lock` refreshes it after a dependency change in pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard survey_app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
LOCK := requirements.lock
# Every extra is pinned (test, server and any added later), for the lowest Python the project supports.
LOCK_COMPILE := $(BIN)/uv pip compile pyproject.toml --all-extras --python-version 3.11 \
	--custom-compile-command "make lock" --quiet -o $(LOCK)

.PHONY: run test check install translations extract-messages clean help lock lock-upgrade audit

help:
	@echo "make run    - install if needed, then serve the survey app and the weekly scheduler"
	@echo "make test   - install if needed, then run the checks (make check) and the whole test suite"
	@echo "make lock   - refresh requirements.lock after a change of dependencies (keeps the other pins)"
	@echo "make lock-upgrade - move every pin to the newest allowed version"
	@echo "make audit  - check the pinned versions against known vulnerabilities (needs network)"
	@echo "              (in parallel, one worker per core; PYTEST_WORKERS=0 for one process)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]'
	touch $(STAMP)

# uv resolves in a second; it is a tool of this target only, not a dependency of the project.
# The existing pins are kept (uv reads the output file as preferences): only new packages move.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(LOCK_COMPILE)

lock-upgrade: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(LOCK_COMPILE) --upgrade

# Known vulnerabilities of the pinned versions, from PyPI's advisory database (its JSON API, so network
# is needed). --strict: a package it cannot look up fails the audit instead of being skipped silently.
audit: | $(BIN)/python
	$(BIN)/pip install --quiet pip-audit
	$(BIN)/pip-audit --requirement $(LOCK) --no-deps --disable-pip --strict --progress-spinner off

install: $(STAMP) translations

# Compiled catalogs (.mo) are build products: never committed, never edited by hand.
# No --statistics: English needs no translation (its msgids are the English texts), so its "1%
# translated" read like an error in `make run`; tests/test_i18n.py checks French and Dutch instead.
translations: $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel --quiet compile --use-fuzzy -i $< -o $@

# Refresh messages.pot and merge new strings into every catalog (run after changing texts).
# Sorted, without source locations: moving code never touches a catalog, and two changes that add
# strings rarely meet on the same lines.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations \
		--no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/vises serve

# The layout's import rules, lint, format and types: a wrong import fails the build like a failing test.
check: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# One pytest worker per core (pytest-xdist; CI has two). `make test PYTEST_WORKERS=0` runs in one
# process. Whole files go to a worker, so a module's fixtures (the multi-process tests' gunicorn)
# start once. (Not --dist loadgroup: with pytest 9.2 it silently stops grouping, xdist issue 1386.)
PYTEST_WORKERS ?= auto
test: install check
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
	find survey_app/translations -name '*.mo' -delete
