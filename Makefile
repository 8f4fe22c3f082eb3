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

# Mutation fuzzing of the input path over every example (not part of make test). FUZZ_CASES per
# example; failing registers are copied to fuzz-failures/ to become cases in tests/data/invalid/.
FUZZ_CASES ?= 12000
FUZZ_SEED ?= $(shell date +%s)
fuzz: $(STAMP)
	@for example in examples/*/; do \
	  $(BIN)/python -m lianneng.fuzz --example "$$example" --cases $(FUZZ_CASES) \
	    --seed $(FUZZ_SEED) --save fuzz-failures || exit $$?; \
	done
	KILLS=200 $(BIN)/python -m pytest -q tests/test_crash_safety.py

# Timings on generated registers (not part of make test); BENCH_SIZES=1000,10000,100000 for all.
BENCH_SIZES ?= 1000,10000
bench: $(STAMP)
	cd benchmarks && ../$(BIN)/python run.py --sizes $(BENCH_SIZES)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/lianneng schema --out schemas

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
