"""Who may move an article where: draft → in review → published → withdrawn.

Every path that changes a status (admin form, admin action, desk) goes through
here, so the rule is enforced on the server whatever the browser sends.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from . import versions
from .models import Article, ArticleVersion

PUBLISH_PERMISSION = "articles.publish_article"
# Statuses that decide what readers see: reaching or leaving them is publishing.
PUBLIC_STATUSES = {Article.Status.PUBLISHED, Article.Status.WITHDRAWN}


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def check_transition(user, old_status: str | None, new_status: str) -> None:
    if old_status == new_status:
        return
    if (new_status in PUBLIC_STATUSES or old_status in PUBLIC_STATUSES) and not can_publish(user):
        raise PermissionDenied(_("Only editors (Redaktion) may publish or withdraw articles."))


def check_embargo(article: Article) -> None:
    """Published copy may not appear before the agency's embargo ends."""
    if (
        article.status == Article.Status.PUBLISHED
        and article.embargo_until
        and (article.published_at is None or article.published_at < article.embargo_until)
    ):
        raise ValidationError(
            _("The agency's embargo runs until %(time)s: publish at that time or later.")
            % {"time": date_format(localtime(article.embargo_until), "DATETIME_FORMAT")}
        )


def publish(article: Article, user) -> None:
    """Publish now: a scheduled article comes forward, an unscheduled one gets the time."""
    check_transition(user, article.status, Article.Status.PUBLISHED)
    article.status = Article.Status.PUBLISHED
    now = timezone.now()
    if (
        article.published_at is None
        or article.published_at > now
        or (article.embargo_until and article.published_at < article.embargo_until <= now)
    ):
        # Agency copy carries the time it was sent, before its embargo; once the embargo
        # is over, publishing it is its first appearance, and the check below holds.
        article.published_at = now
    check_embargo(article)
    article.save()
    versions.record(article, ArticleVersion.Origin.EDIT, user)


def withdraw(article: Article, user) -> None:
    """Readers lose the article; nothing is deleted."""
    check_transition(user, article.status, Article.Status.WITHDRAWN)
    article.status = Article.Status.WITHDRAWN
    article.save()
    versions.record(article, ArticleVersion.Origin.EDIT, user)


def submit_for_review(article: Article, user) -> bool:
    if article.status != Article.Status.DRAFT:
        return False
    article.status = Article.Status.REVIEW
    article.save()
    versions.record(article, ArticleVersion.Origin.EDIT, user)
    return True
