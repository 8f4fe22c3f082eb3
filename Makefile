# Two commands on a fresh machine with Python 3.11, git and make:
#   make demo   set up .venv and run lianneng on every bundled example
#   make test   set up .venv and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test fuzz bench venv lint schemas clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@for example in examples/*/; do \
	  name=$$(basename "$$example"); \
	  echo "== $$name: validate, grade --check, publish to _site/$$name"; \
	  $(BIN)/lianneng validate "$$example" || exit $$?; \
	  $(BIN)/lianneng grade "$$example" --check || exit $$?; \
	  $(BIN)/lianneng publish "$$example" --out "_site/$$name" --quiet || exit $$?; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest

# Mutation fuzzing of registers, policies and templates over every example, then the kill test
# (not part of make test). FUZZ_CASES in all, shared among the examples; the run ends with a TOTAL
# line (cases, failures, known findings, cases/s). Failing cases are saved in fuzz-failures/ to
# become cases in tests/data/invalid/ (see tests/test_fuzz.py). About 24 cases/s on one core (the
# 100,000 take some 70 minutes); FUZZ_JOBS=2 fuzzes two examples at once.
FUZZ_CASES ?= 100000
FUZZ_SEED ?= $(shell date +%s)
FUZZ_JOBS ?= 1
fuzz: $(STAMP)
	$(BIN)/python -m lianneng.fuzz examples/*/ --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) \
	  --jobs $(FUZZ_JOBS) --save fuzz-failures
	KILLS=200 $(BIN)/python -m pytest -q -s tests/test_crash_safety.py

# Timings on generated registers (not part of make test); BENCH_SIZES=1000,10000,100000 for all
# (the 100,000 take the better part of an hour, check-jsonschema most of it:
# BENCH_ARGS="--jsonschema-up-to 10000" leaves it out above 10,000). check-jsonschema is
# installed for the comparison only.
# The tool is timed as users install it: a regular install (compiled, no editable-install
# finder) in a venv of its own, made again from the working tree on every run.
BENCH_SIZES ?= 1000,10000
BENCH_VENV := .venv-bench
bench:
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check . check-jsonschema
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  --force-reinstall --no-deps .
	cd benchmarks && ../$(BENCH_VENV)/bin/python run.py --sizes $(BENCH_SIZES) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/lianneng schema --out schemas

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
