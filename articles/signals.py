"""Keep the search index and the content version in step with every change."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from . import search
from .models import Agency, Article, ContentVersion, Correction, RelatedLink, Section


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def article_changed(sender, instance, **kwargs):
    search.reindex([instance.pk])
    ContentVersion.bump()


@receiver(m2m_changed, sender=TaggedItem)
def tags_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        search.reindex([instance.pk])
        ContentVersion.bump()


def tagged_article_ids(tag) -> list[int]:
    return list(
        TaggedItem.objects.filter(
            tag=tag, content_type__app_label="articles", content_type__model="article"
        ).values_list("object_id", flat=True)
    )


@receiver(post_save, sender=Tag)
def tag_saved(sender, instance, created, **kwargs):
    if not created:  # a renamed tag: its articles are found by the new name
        search.reindex(tagged_article_ids(instance))
    ContentVersion.bump()


@receiver(pre_delete, sender=Tag)
def tag_deleting(sender, instance, **kwargs):
    # Deleting a tag removes its tagged items without m2m_changed: note who had it.
    instance._tagged_article_ids = tagged_article_ids(instance)


@receiver(post_delete, sender=Tag)
def tag_deleted(sender, instance, **kwargs):
    search.reindex(getattr(instance, "_tagged_article_ids", []))
    ContentVersion.bump()


@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def shown_data_changed(sender, **kwargs):
    ContentVersion.bump()
