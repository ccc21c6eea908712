# Newsroom: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint bench demo

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_demo
	$(PY) manage.py ensure_demo_editor

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production stack on one machine: DATABASE_URL and REDIS_URL from the environment.
serve: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} \
		GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py newsroom.wsgi

test: $(VENV)/.installed
	$(PY) -m pytest -n auto

# The benchmark of issue 7: corpus, import, pages under gunicorn + wrk, queries, profiles;
# prints a table and writes docs/performance.md. BENCH_N=… sets the corpus size (10000);
# DATABASE_URL=postgres://… adds the PostgreSQL import; wrk comes from Debian (apt-get install wrk).
bench: $(VENV)/.installed
	$(PY) -m bench.run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
