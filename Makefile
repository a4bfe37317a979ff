# One entry point for every workflow. Each target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/ —/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## crawl sources.yaml, publish to public/, serve on 127.0.0.1:8000, keep crawling
	$(BIN)/aggregator run

demo: $(STAMP)  ## the same against the bundled offline sample network
	$(BIN)/aggregator demo

test: $(STAMP)  ## the whole test suite, lint and type checks
	$(BIN)/ruff check aggregator tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)  ## ruff and mypy only
	$(BIN)/ruff check aggregator tests bench
	$(BIN)/ruff format --check aggregator tests bench
	$(BIN)/mypy

bench: $(STAMP)  ## benchmarks: print JSON figures
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/scrape.py
	$(BIN)/python bench/dedup.py
	$(BIN)/python bench/web.py

clean:  ## remove the virtual environment, database and published site
	rm -rf $(VENV) data public .public-builds
