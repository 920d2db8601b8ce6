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

NAME    = $(notdir $(DATASET))
EXPORTS = nt nq trig jsonld rdf graphml gexf html

run: install
	@mkdir -p $(OUT)
	$(BIN)/kgbuilder validate $(DATASET)
	$(BIN)/kgbuilder build $(DATASET) -o $(OUT)/$(NAME).ttl
	@for ext in $(EXPORTS); do $(BIN)/kgbuilder export $(DATASET) -o $(OUT)/$(NAME).$$ext || exit 1; done
	$(BIN)/kgbuilder export $(DATASET) -o $(OUT)/$(NAME)-csv
	@echo
	$(BIN)/kgbuilder stats $(DATASET) --top 3
	@echo
	$(BIN)/kgbuilder query $(DATASET) --list | head -3
	$(BIN)/kgbuilder query $(DATASET) --name 02-csto-chair-2022 --format table

test: install
	$(BIN)/python -m pytest -q

schema: install
	$(BIN)/python -m kgbuilder.schemas.input_schema

clean:
	rm -rf $(OUT) .pytest_cache
