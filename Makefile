# Everyday commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9

.PHONY: help install run stop test test-unit lint bench demo token lock clean

help:
	@echo "make run     install, start Kafka and every service, seed the catalogue"
	@echo "make stop    stop everything 'make run' started"
	@echo "make test    install, then run the whole test suite (starts its own Kafka and PostgreSQL)"
	@echo "make demo    play the citizen's journey against a running suite"
	@echo "make lint    ruff, mypy and the import-linter contracts"
	@echo "make bench   event rates through the relay and a consumer beside raw Kafka"
	@echo "make token ARGS='--kind citizen'   a development bearer token"

install: $(VENV)/.installed infra/kafka/lib/.fetched

$(VENV)/.installed: requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	touch $@

infra/kafka/lib/.fetched: infra/kafka/pom.xml
	infra/kafka/fetch.sh
	touch $@

run: install
	infra/run.sh

stop:
	infra/stop.sh

test: install
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest tests/unit

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: install
	infra/kafka/start.sh
	$(PY) -m bench $(ARGS)

demo: install
	$(PY) -m demo $(ARGS)

token: install
	@$(PY) -m shared.devissuer token $(ARGS)

lock:
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf var infra/kafka/data
