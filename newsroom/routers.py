"""Reads of public pages go to the replica (when one is configured); everything else to the primary."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_public_reads = ContextVar("public_reads", default=False)


@contextmanager
def public_reads():
    """Within this block, reads may be served by the replica."""
    token = _public_reads.set(True)
    try:
        yield
    finally:
        _public_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _public_reads.get() and "replica" in settings.DATABASES:
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
