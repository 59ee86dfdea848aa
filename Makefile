# ordertrack developer entry points. Every target installs what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv layer synth dev demo test test-unit test-infra test-e2e bench lint redrive clean

help:
	@echo "make dev    run ordertrack locally (moto + local runtime) on http://127.0.0.1:$${PORT:-3000}"
	@echo "make test   run every test (unit, integration, infra, e2e)"
	@echo "make demo   place an order against a fresh local stack and show what the customer got"
	@echo "make bench  run the benchmarks and print measured ratios"
	@echo "make synth  synthesize the CloudFormation template into cdk.out/"
	@echo "make redrive  move dead letters back to their queue (ARGS=\"--dry-run --queue ReservationQueue --max N\")"

$(STAMP): requirements-dev.txt layers/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

layer: $(STAMP)
	$(PY) -m layers.build

synth: layer
	$(PY) -m infra.synth

dev: layer
	$(PY) -m infra.local

demo: layer
	$(PY) -m infra.local.demo

test: layer
	$(PY) -m pytest -n 2 --dist loadgroup

redrive: $(STAMP)
	$(PY) -m infra.redrive $(ARGS)

bench: layer
	$(PY) -m benchmarks
	$(PY) -m pytest -m slow -q -p no:cacheprovider

lint: $(STAMP)
	$(PY) -m ruff check functions infra tests benchmarks layers
	$(PY) -m ruff format --check functions infra tests benchmarks layers

clean:
	rm -rf cdk.out layers/build .pytest_cache
