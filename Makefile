# Quick start: `make synth` then `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := $(sort $(dir $(wildcard samples/*/app.py)))

.PHONY: synth test lint bench dist golden cfn clean

# Installs log to .venv/install.log, shown only when they fail (pip's notes are noise otherwise).
$(BIN)/iac: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "installing iac into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/pip install --upgrade pip && $(BIN)/pip install -e . ; } > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	touch $@

$(VENV)/.test-extras: $(BIN)/iac
	@echo "installing the test extras (log: $(VENV)/install.log)"
	@$(BIN)/pip install -e '.[test]' >> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $@

# Synthesize every sample into iac.out/<sample>/ and print each summary.
synth: $(BIN)/iac
	@set -e; for dir in $(SAMPLES); do \
		name=$$(basename $$dir); \
		echo "== $$name"; \
		$(BIN)/iac synth --app $${dir}app.py --out iac.out/$$name; \
	done

# The checks CI gates on: ruff and mypy first (seconds; mypy's settings are in pyproject.toml), then the
# suite on every core.
test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto

lint: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/mypy

# The wheel and the sdist in dist/, built offline from this checkout with the venv's setuptools, then
# checked (metadata, README rendering) by twine.
dist: $(VENV)/.test-extras
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

# Rewrite the golden logical ids of the samples and init templates (tests/golden/logical_ids/) and print
# what changed. Only for a change of ids that is meant: a changed id replaces the resource when deployed.
golden: $(BIN)/iac
	$(BIN)/python tests/golden/update.py

# Regenerate iac/cfn/ (typed L1 classes and their .pyi stubs) from the pinned cfn-lint's registry schemas.
cfn: $(BIN)/iac
	$(BIN)/python -m iac.cfn._generate

bench: $(BIN)/iac
	$(BIN)/python benchmarks/synth_speed.py

clean:
	rm -rf iac.out $(VENV) dist build
