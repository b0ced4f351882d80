# kehu — two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
KEHU := .venv/bin/kehu
# The demo serves plain HTTP on loopback, so secure-only cookies would lock everyone out.
DEMO_ENV := KEHU_DEBUG=1 KEHU_DEMO=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install browser run demo test test-sqlite test-postgres lint format bench worker messages clean

help:
	@echo "make run    — install, migrate SQLite, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   — install and run the whole suite (SQLite; PostgreSQL too with KEHU_TEST_DATABASE_URL)"
	@echo "make lint   — ruff (lint + format check) and mypy"
	@echo "make bench  — benchmarks (see docs/performance.md)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'

install: $(UV)
	$(UV) sync --frozen --quiet

# Headless Chromium (and CJK fonts for readable screenshots) for the browser tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium not installed: browser tests will be skipped (apt-get install chromium fonts-noto-cjk)"; fi; }

run: install
	$(DEMO_ENV) $(KEHU) migrate --noinput
	$(DEMO_ENV) $(KEHU) demo
	$(DEMO_ENV) $(KEHU) runserver $(HOST):$(PORT)

demo: install
	$(DEMO_ENV) $(KEHU) migrate --noinput
	$(DEMO_ENV) $(KEHU) demo

test: install browser test-sqlite
	@if [ -n "$$KEHU_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite:
	env -u KEHU_DATABASE_URL .venv/bin/pytest --create-db

test-postgres:
	KEHU_DATABASE_URL="$$KEHU_TEST_DATABASE_URL" .venv/bin/pytest --create-db

lint: install
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/mypy

format: install
	.venv/bin/ruff format src tests benchmarks
	.venv/bin/ruff check --fix src tests benchmarks

bench: install
	$(PY) -m benchmarks

worker: install
	$(DEMO_ENV) $(KEHU) run_huey

messages: install
	cd src/kehu && ../../$(KEHU) makemessages -l en -l zh_Hans && ../../$(KEHU) compilemessages

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
