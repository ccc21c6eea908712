"""Keep the search index and the content version in step with every change.

An import writes an article, its tags and its links in one transaction; within
`deferred_indexing()` the index is brought up to date and the version moved once,
at the end, instead of at every row.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from . import search
from .models import Agency, Article, ContentVersion, Correction, RelatedLink, Section

# Article ids waiting for the index while a deferred block runs; None outside one.
_pending: ContextVar[set | None] = ContextVar("pending_index", default=None)


@contextmanager
def deferred_indexing():
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # Reached only when the block succeeded: a failed block's rows are rolled back.
    search.reindex(pending - {None})
    ContentVersion.bump()


def changed(article_ids) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.update(article_ids)
        return
    search.reindex(article_ids)
    ContentVersion.bump()


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def article_changed(sender, instance, **kwargs):
    changed([instance.pk])


@receiver(m2m_changed, sender=TaggedItem)
def tags_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        changed([instance.pk])


def tagged_article_ids(tag) -> list[int]:
    return list(
        TaggedItem.objects.filter(
            tag=tag, content_type__app_label="articles", content_type__model="article"
        ).values_list("object_id", flat=True)
    )


@receiver(post_save, sender=Tag)
def tag_saved(sender, instance, created, **kwargs):
    # A renamed tag: its articles are found by the new name.
    changed([] if created else tagged_article_ids(instance))


@receiver(pre_delete, sender=Tag)
def tag_deleting(sender, instance, **kwargs):
    # Deleting a tag removes its tagged items without m2m_changed: note who had it.
    instance._tagged_article_ids = tagged_article_ids(instance)


@receiver(post_delete, sender=Tag)
def tag_deleted(sender, instance, **kwargs):
    changed(getattr(instance, "_tagged_article_ids", []))


@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def shown_data_changed(sender, **kwargs):
    changed([])
