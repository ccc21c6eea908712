"""Failed agency input in the admin: listed, read as it came (never edited), retried."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from articles.models import Article, FailedEntry
from tests.factories import make_staff_user
from tests.ingest.texts import HEADLINE, dpa_text

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:articles_failedentry_changelist")
NO_URN = "entry without urn"


def change_url(entry) -> str:
    return reverse("admin:articles_failedentry_change", args=[entry.pk])


def client_with(*codenames: str) -> Client:
    user = make_staff_user()
    permissions = Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    user.user_permissions.add(*permissions)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk():
    """Someone who may see and retry failed input."""
    return client_with("view_failedentry", "change_failedentry")


def keep(raw: bytes, *, name="kaputt.txt", origin="watch", error="the error") -> FailedEntry:
    return FailedEntry.objects.create(origin=origin, name=name, raw=raw, error=error)


def retry(client, *entries):
    return client.post(
        CHANGELIST_URL,
        {"action": "retry", ACTION_CHECKBOX_NAME: [entry.pk for entry in entries], "index": 0},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_list_shows_name_origin_state_and_error(desk):
    keep(b"x", name="urn:newsml:dpa.com:20090101:1", origin="wireq", error=f"{NO_URN}\nmore")

    page = desk.get(CHANGELIST_URL).content.decode()

    assert "urn:newsml:dpa.com:20090101:1" in page
    assert "wireQ" in page
    assert NO_URN in page
    assert "more" not in page  # the first line of the error only


def test_raw_input_is_shown_as_text_and_escaped(desk):
    entry = keep(json.dumps({"headline": "<script>alert(1)</script>", "urn": ""}).encode())

    page = desk.get(change_url(entry)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert '\n  &quot;headline&quot;: ' in page  # indented JSON, one key a line


def test_control_bytes_of_7901_are_shown_visibly(desk):
    entry = keep(b"\x01nsb0000 4 vm 71  lni 0000\n\x02Kopf =\n\x03251852 Sep 24\x04")

    page = desk.get(change_url(entry)).content.decode()

    assert "\u2401nsb0000 4 vm 71" in page
    assert "\u2403251852 Sep 24\u2404" in page


def test_kept_input_cannot_be_edited_or_added(desk):
    entry = keep(b"x")

    page = desk.get(change_url(entry))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert desk.post(change_url(entry), {"name": "anders"}).status_code == 403
    assert desk.get(reverse("admin:articles_failedentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.name == "kaputt.txt"


def test_retry_imports_the_entry_and_marks_it_imported(desk):
    entry = keep(dpa_text().encode(), error="the credit line names an unknown agency 'dpa'")

    response = retry(desk, entry)

    entry.refresh_from_db()
    assert entry.state == FailedEntry.State.IMPORTED
    assert Article.objects.get().headline == HEADLINE
    assert messages_of(response) == [f"kaputt.txt: created: {HEADLINE}"]


def test_retry_that_fails_again_keeps_it_failed_with_the_new_error(desk):
    entry = keep(b'{"format": "digitalwires@3.0", "headline": "Ohne urn"}', name="entry 2", origin="wireq")

    response = retry(desk, entry)

    entry.refresh_from_db()
    assert (entry.state, entry.error) == (FailedEntry.State.FAILED, NO_URN)
    assert messages_of(response) == [f"entry 2: failed: {NO_URN}"]
    assert Article.objects.count() == 0


def test_retry_of_an_imported_entry_does_nothing(desk):
    entry = keep(dpa_text().encode())
    entry.state = FailedEntry.State.IMPORTED
    entry.save()

    response = retry(desk, entry)

    assert messages_of(response) == ["kaputt.txt: already imported"]
    assert Article.objects.count() == 0


def test_who_may_only_look_cannot_retry():
    entry = keep(dpa_text().encode())
    viewer = client_with("view_failedentry")

    assert viewer.get(CHANGELIST_URL).status_code == 200
    retry(viewer, entry)

    entry.refresh_from_db()
    assert entry.state == FailedEntry.State.FAILED
    assert Article.objects.count() == 0


def test_staff_without_the_permission_sees_nothing():
    keep(b"x")

    assert client_with().get(CHANGELIST_URL).status_code == 403
