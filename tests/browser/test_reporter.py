"""A reporter (Autoren) writes an article and submits it, and cannot publish it by any path."""

import re

import pytest

from articles.models import Article

from .helpers import errors, log_in, messages, open_article_list, save, staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADLINE = "Stadtrat beschließt neue Radwege in der Innenstadt"
TEASER = "Nach langer Debatte stimmt eine knappe Mehrheit für das Radwegenetz."
BODY = (
    "<p>Der Stadtrat hat am Abend entschieden.</p>\n<h2>Was jetzt kommt</h2>\n<p>Gebaut wird ab Frühjahr.</p>"
)
PUBLIC = {"published", "withdrawn"}
FORM_DATA = """form => {
    const data = {};
    for (const [name, value] of new FormData(form)) {
        if (typeof value === "string") data[name] = value;
    }
    return data;
}"""


def choose_autocomplete(page, field: str, text: str) -> None:
    """Pick `text` in the admin's autocomplete (select2) widget of `field`, by typing as a person does."""
    page.locator(f".form-row.field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=re.compile(rf"^{re.escape(text)}$")).click()


def option_values(select) -> set[str]:
    return set(select.locator("option").evaluate_all("options => options.map(option => option.value)"))


def test_reporter_writes_and_submits_an_article_but_cannot_publish_it(new_context):
    reporter = staff_user("reporter", "Autoren")
    page = new_context().new_page()

    # Write the article and save it as a draft.
    log_in(page, reporter.username)
    open_article_list(page)
    page.locator(".object-tools a.addlink").click()
    page.wait_for_url("**/admin/articles/article/add/")
    page.locator("#id_headline").fill(HEADLINE)
    page.locator("#id_teaser").fill(TEASER)
    page.locator("#id_body").fill(BODY)
    assert "<p>" in page.locator("#id_body_helptext").inner_text()  # the help names the tags as text
    choose_autocomplete(page, "section", "Inland")
    status = page.locator("#id_status")
    assert not option_values(status) & PUBLIC
    assert status.input_value() == "draft"
    save(page)
    assert not errors(page), errors(page)
    assert any(HEADLINE in message for message in messages(page))
    article = Article.objects.get(headline=HEADLINE)
    assert (article.status, article.section.slug, article.published_at) == ("draft", "inland", None)
    assert article.slug == "stadtrat-beschliesst-neue-radwege-in-der-innenstadt"
    assert "<p>Der Stadtrat hat am Abend entschieden.</p>" in article.body
    assert "<h2>Was jetzt kommt</h2>" in article.body

    # Submit it for review with the list's action; the list offers no publishing.
    action = page.locator("select[name=action]")
    assert "submit_for_review" in option_values(action)
    assert not option_values(action) & {"publish", "withdraw"}
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=HEADLINE))
    row.locator("input.action-select").check()
    action.select_option("submit_for_review")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    assert messages(page), "the action answered nothing"
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    # The form offers no way to publish either.
    page.locator("#result_list").get_by_role("link", name=HEADLINE).click()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/**")
    status = page.locator("#id_status")
    assert status.input_value() == "review"
    assert not option_values(status) & PUBLIC

    # A crafted POST of the form with status=published: refused at the status, nothing published.
    data = page.locator("#article_form").evaluate(FORM_DATA)
    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    headers = {"X-CSRFToken": csrf, "Referer": page.url}
    crafted = {**data, "status": "published", "published_at_0": "01.01.2025", "published_at_1": "12:00:00"}
    response = page.request.post(page.url, form=crafted, headers=headers, max_redirects=0)
    assert response.status == 200, "the crafted POST was not answered with the form and its error"
    answer = response.text()
    assert 'class="errornote"' in answer
    status_row = answer.split("field-status", 1)[1].split('class="form-row', 1)[0]
    assert 'class="errorlist' in status_row, "no error at the status"
    article.refresh_from_db()
    assert (article.status, article.published_at) == ("review", None)

    # The same request without the status change goes through: the refusal above was the status.
    harmless = {**data, "headline": HEADLINE + " (korrigiert)"}
    response = page.request.post(page.url, form=harmless, headers=headers, max_redirects=0)
    assert response.status == 302
    article.refresh_from_db()
    assert (article.headline, article.status) == (HEADLINE + " (korrigiert)", "review")

    # A crafted POST of the list's publish action: refused as well.
    changelist = page.url.split(f"{article.pk}/change/")[0]
    action_post = {"csrfmiddlewaretoken": csrf, "action": "publish", "_selected_action": str(article.pk)}
    response = page.request.post(changelist, form=action_post, headers={**headers, "Referer": changelist})
    assert response.ok
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert not article.is_visible

    # Readers never see it.
    reader = new_context().new_page()
    assert reader.goto(article.get_absolute_url()).status == 404
