"""gunicorn for Newsroom: `gunicorn -c gunicorn.conf.py newsroom.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule for synchronous workers: two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Workers are recycled now and then, so no slow leak outlives a day.
max_requests = 2000
max_requests_jitter = 200
timeout = 30
graceful_timeout = 20
keepalive = 5
# Each worker loads the app itself; no connection is shared across a fork.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
