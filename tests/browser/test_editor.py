"""An editor (Redaktion) works an imported agency article through the admin to the site."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from articles.ingest import dpa_text
from articles.ingest.service import import_article
from articles.models import Agency, Article, Section
from tests.conftest import SAMPLE
from tests.factories import make_article

from .helpers import log_in, messages, open_article_list, save, staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_HEADLINE = "Moskau bietet Washington neue Direktflüge an"
CAPTION = "Ein Flugzeug über Moskau."
CREDIT = "Newsroom-Testfotograf"
ALT = "Ein Passagierflugzeug im Landeanflug vor grauem Himmel"


@pytest.fixture
def imported_article() -> Article:
    """The dpa sample with its six "Weitere Meldungen", imported as the importer does it."""
    result = import_article(
        dpa_text.parse(SAMPLE.read_bytes()),
        section=Section.objects.get(slug="nachrichten"),
        agency=Agency.objects.get(slug="dpa"),
    )
    assert result.article.related_links.count() == 6
    return result.article


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / "flugzeug.jpg"
    Image.new("RGB", (1600, 900), (70, 110, 160)).save(path, "JPEG", quality=90)
    return path


def related_headlines(article: Article) -> list[str]:
    return list(article.related_links.order_by("position").values_list("headline", flat=True))


def test_editor_edits_schedules_and_publishes_an_imported_article(
    new_context, imported_article, jpeg, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_article(headline="Bahnstreik legt den Nahverkehr lahm")  # not what the editor looks for
    editor = staff_user("chefin", "Redaktion")
    first, second, *rest = related_headlines(imported_article)
    page = new_context().new_page()

    # Log in, find the article by searching the list, open it.
    log_in(page, editor.username)
    open_article_list(page)
    page.locator("#searchbar").fill("Flugverkehr")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url(re.compile(r"\?q=Flugverkehr"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    rows.get_by_role("link", name=imported_article.headline).click()
    page.wait_for_url(f"**/admin/articles/article/{imported_article.pk}/change/**")

    # Change the headline, swap the first two related items, add a picture, schedule.
    page.locator("#id_headline").fill(NEW_HEADLINE)
    inline = page.locator("#related_links-group")
    assert inline.locator("tr.has_original td.original p").first.inner_text().strip() == first
    inline.locator("#id_related_links-0-position").fill("2")
    inline.locator("#id_related_links-1-position").fill("1")
    page.locator("#id_picture").set_input_files(jpeg)
    page.locator("#id_picture_caption").fill(CAPTION)
    page.locator("#id_picture_credit").fill(CREDIT)
    page.locator("#id_picture_alt").fill(ALT)
    later = timezone.localtime() + timedelta(days=2)
    page.locator("#id_status").select_option("published")
    page.locator("#id_published_at_0").fill(f"{later:%d.%m.%Y}")
    page.locator("#id_published_at_1").fill("08:30:00")
    save(page)

    assert page.locator(".errornote").count() == 0, page.locator(".errornote, .errorlist").all_inner_texts()
    assert any(NEW_HEADLINE in message for message in messages(page))
    article = Article.objects.get(pk=imported_article.pk)
    assert article.headline == NEW_HEADLINE
    assert article.status == Article.Status.PUBLISHED
    assert timezone.localtime(article.published_at).strftime("%d.%m.%Y %H:%M:%S") == (
        f"{later:%d.%m.%Y} 08:30:00"
    )
    assert related_headlines(article) == [second, first, *rest]
    assert list(article.related_links.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert article.picture and (settings.MEDIA_ROOT / article.picture.name).is_file()
    assert (article.picture_width, article.picture_height) == (1600, 900)
    assert (article.picture_caption, article.picture_credit, article.picture_alt) == (CAPTION, CREDIT, ALT)
    # The list tells the editor the article waits for its time.
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=NEW_HEADLINE))
    assert row.locator("td.field-status_label").inner_text().strip() == "geplant"

    # Readers do not see it yet; the editor sees a preview.
    assert article.slug == imported_article.slug  # the address stays what it was
    reader = new_context().new_page()
    assert reader.goto(article.get_absolute_url()).status == 404
    preview = new_context().new_page()
    log_in(preview, editor.username)
    assert preview.goto(article.get_absolute_url()).status == 200
    assert "Vorschau" in preview.get_by_role("status").inner_text()
    preview.close()

    # Publish now: today, now (the widgets' own shortcuts), save.
    page.locator("#result_list").get_by_role("link", name=NEW_HEADLINE).click()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/**")
    published_at = page.locator(".form-row.field-published_at")
    published_at.get_by_role("link", name="Heute").click()
    published_at.get_by_role("link", name="Jetzt").click()
    save(page)
    assert page.locator(".errornote").count() == 0, page.locator(".errornote, .errorlist").all_inner_texts()
    article.refresh_from_db()
    assert article.is_visible

    # A reader sees the new headline, the picture with its alt text, the links in the new order.
    response = reader.goto(article.get_absolute_url())
    assert response.status == 200
    assert reader.locator("h1").inner_text() == NEW_HEADLINE
    related = reader.locator("section", has=reader.get_by_role("heading", name="Weitere Meldungen"))
    assert related.get_by_role("heading", level=3).all_inner_texts() == [second, first, *rest]
    picture = reader.locator(f'main img[alt="{ALT}"]')
    assert picture.count() >= 1, "the article page shows no <img> with the picture's alt text"
    assert picture.first.get_attribute("width") and picture.first.get_attribute("height")
    assert picture.first.evaluate("img => img.complete && img.naturalWidth") > 0
    shown = reader.locator("main").inner_text()
    assert CAPTION in shown and CREDIT in shown
