# Quick start: `make synth` then `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := $(sort $(dir $(wildcard samples/*/app.py)))

.PHONY: synth test lint bench clean

$(BIN)/iac: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/iac
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Synthesize every sample into iac.out/<sample>/ and print each summary.
synth: $(BIN)/iac
	@set -e; for dir in $(SAMPLES); do \
		name=$$(basename $$dir); \
		echo "== $$name"; \
		$(BIN)/iac synth --app $${dir}app.py --out iac.out/$$name; \
	done

test: $(VENV)/.test-extras
	$(BIN)/python -m pytest -q

lint: $(VENV)/.test-extras
	$(BIN)/ruff check .

bench: $(BIN)/iac
	$(BIN)/python benchmarks/synth_speed.py

clean:
	rm -rf iac.out $(VENV)
