# One verb per step; every target sets up .venv first (from requirements.txt + constraints.txt).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the students' environment (`make lab`): requirements-student.txt and nnbook, never nnbook_grader
STUDENT_VENV := .venv-student
STUDENT_STAMP := $(STUDENT_VENV)/.installed
# nnbook_grader (grader-only) is importable where benchmarks and tests run, never in notebook kernels
GRADER_PATH := PYTHONPATH=$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}
export PATH := $(abspath $(BIN)):$(PATH)
CHAPTERS := $(notdir $(wildcard solutions/ch*))
MATHJAX := _vendor/mathjax/tex-chtml.js
# axe-core for the accessibility test of the website (tests/test_book.py), offline
AXE := .cache/axe-core/axe.min.js

.PHONY: venv book book-student test test-fast format release autograde feedback grades report lab bench mutants clean

venv: $(STAMP)
$(STAMP): requirements.txt requirements-student.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(STUDENT_STAMP): requirements-student.txt constraints.txt pyproject.toml
	test -x $(STUDENT_VENV)/bin/python || $(PY) -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/pip install --quiet --upgrade pip
	$(STUDENT_VENV)/bin/pip install --quiet -r requirements-student.txt -c constraints.txt
	$(STUDENT_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# MathJax is served by the site itself (offline pages still typeset math): copied from the npm registry.
$(MATHJAX):
	bash tools/fetch_npm.sh mathjax 3.2.2 _vendor/mathjax es5/.

# axe-core, the accessibility checker the website's browser test runs: copied from the npm registry.
$(AXE):
	bash tools/fetch_npm.sh axe-core 4.14.1 $(dir $(AXE)) axe.min.js LICENSE

# the sources are staged first (tools/stage_book.py: nbgrader markers out, model answers in dropdowns)
book: $(STAMP) $(MATHJAX)   ## the website, chapters executed in quick mode (cached)
	NNBOOK_MODE=$${NNBOOK_MODE:-quick} $(BIN)/python tools/stage_book.py _build/stage --execute-into .
	NNBOOK_MODE=$${NNBOOK_MODE:-quick} $(BIN)/jupyter-book build _build/stage --path-output . -W -n --keep-going
	@echo "open _build/html/index.html"

book-student: $(STAMP) $(MATHJAX)   ## the same site with the student notebooks (not executed)
	$(BIN)/python tools/stage_book.py _build/student-stage --student
	$(BIN)/jupyter-book build _build/student-stage --path-output _build/student -W -n --keep-going
	@echo "open _build/student/_build/html/index.html"

test: $(STAMP) $(MATHJAX) $(AXE)   ## the whole suite, exactly what CI runs (ruff first)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	NNBOOK_MODE=test $(BIN)/python -m pytest -ra --durations=25

test-fast: $(STAMP)   ## helper unit tests and lint only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	NNBOOK_MODE=test $(BIN)/python -m pytest -ra -m "not slow"

format: $(STAMP)   ## ruff: fix what lint can fix, format the Python files
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

release: $(STAMP)   ## regenerate notebooks/ from solutions/
	for ch in $(CHAPTERS); do $(BIN)/nbgrader generate_assignment $$ch --force --log-level=WARN || exit 1; done

autograde: $(STAMP)   ## grade every submission under submitted/<student>/<chapter>/, each in a box (GRADE_OPTS=--workers 4 ...)
	$(BIN)/python tools/grade.py autograde $(GRADE_OPTS)

feedback: $(STAMP)   ## feedback HTML under feedback/
	$(BIN)/python tools/grade.py feedback

grades: $(STAMP)   ## grades.csv from the gradebook
	$(BIN)/python tools/grade.py grades

report: $(STAMP)   ## the course report after grading: reports/index.html (scores, tests, similar answers, lateness)
	$(BIN)/python tools/grade.py report $(REPORT_OPTS)

lab: $(STUDENT_STAMP)   ## JupyterLab with the nbgrader extensions, in the students' environment
	$(STUDENT_VENV)/bin/jupyter lab

bench: $(STAMP)   ## speed and accuracy benchmarks, printed as tables
	@for b in benchmarks/bench_*.py; do echo "## $$b"; $(GRADER_PATH) $(BIN)/python $$b || exit 1; done

mutants: $(STAMP)   ## mutation scores of every chapter's tests, printed as tables (MUTANTS_OPTS="--max-mutants 10")
	$(GRADER_PATH) NNBOOK_MODE=test $(BIN)/python tools/mutants.py $(CHAPTERS) $(MUTANTS_OPTS)

clean:
	rm -rf _build .pytest_cache .ruff_cache autograded feedback gradebook.db grades.csv
