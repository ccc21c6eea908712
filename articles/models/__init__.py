from .article import Article, ArticleQuerySet, german_slugify
from .history import ArticleVersion, ContentVersion, HeldUpdate
from .intake import FailedEntry
from .links import Correction, RelatedLink
from .taxonomy import Agency, Section

__all__ = [
    "Agency",
    "Article",
    "ArticleQuerySet",
    "ArticleVersion",
    "ContentVersion",
    "Correction",
    "FailedEntry",
    "HeldUpdate",
    "RelatedLink",
    "Section",
    "german_slugify",
]
