# Two commands matter: `make run` and `make test`. Both create .venv when it is missing and
# reinstall when pyproject.toml changed (the stamp file is older than pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard survey_app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test check install translations extract-messages clean help

help:
	@echo "make run    - install if needed, then serve the survey app and the weekly scheduler"
	@echo "make test   - install if needed, then run the checks (make check) and the whole test suite"
	@echo "              (in parallel, one worker per core; PYTEST_WORKERS=0 for one process)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs (.mo) are build products: never committed, never edited by hand.
translations: $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy --statistics -i $< -o $@

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

# One pytest worker per core (pytest-xdist; CI has two). `make test PYTEST_WORKERS=0` runs in one
# process. Whole files go to a worker, so a module's fixtures (the multi-process tests' gunicorn)
# start once. (Not --dist loadgroup: with pytest 9.2 it silently stops grouping, xdist issue 1386.)
PYTEST_WORKERS ?= auto
test: install check
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
	find survey_app/translations -name '*.mo' -delete
