"""NewsArticle JSON-LD (schema.org) for an article page."""

from django.conf import settings
from django.utils.timezone import localtime

from .addresses import address


def news_article(article, request, tags, corrections) -> dict:
    url = request.build_absolute_uri(address("articles:article", article.section.slug, article.slug))
    publisher = {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME}
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": url,
        "url": url,
        "headline": article.headline[:110],
        "description": article.teaser,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in tags],
        "publisher": publisher,
        "inLanguage": "de",
    }
    if article.published_at:
        data["datePublished"] = localtime(article.published_at).isoformat()
    modified = article.updated_at or article.published_at
    if modified:
        data["dateModified"] = localtime(modified).isoformat()
    og = article.rendition("og")
    if og:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(og["url"]),
            "width": og["width"],
            "height": og["height"],
        }
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": localtime(correction.created_at).isoformat(),
            }
            for correction in corrections
        ]
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline.removeprefix("Von ").strip()}
    elif article.agency:
        data["author"] = {"@type": "Organization", "name": article.agency.name}
    return data

