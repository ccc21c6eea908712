"""Keep the search index and the content version in step with every change."""

from django.db.models.signals import m2m_changed, post_delete, post_save
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


@receiver(post_save, sender=RelatedLink)
@receiver(post_delete, sender=RelatedLink)
@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def shown_data_changed(sender, **kwargs):
    ContentVersion.bump()
