# kgbuilder: `make run` builds the Kazakhstan graph, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DATASET ?= datasets/kazakhstan-2022
OUT     ?= out
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	@mkdir -p $(OUT)
	$(BIN)/kgbuilder validate $(DATASET)
	$(BIN)/kgbuilder build $(DATASET) -o $(OUT)/kazakhstan-2022.ttl
	$(BIN)/kgbuilder stats $(DATASET)

test: install
	$(BIN)/python -m pytest -q

schema: install
	$(BIN)/python -m kgbuilder.schemas.input_schema

clean:
	rm -rf $(OUT) .pytest_cache
