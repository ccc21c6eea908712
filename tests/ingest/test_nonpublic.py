"""Non-public content never reaches a reader (dpa-feeds.md, "Fields").

For every sample that imports: its non-public parts (the notepad's non-public section,
ednotes with `is_publishable: false`, NewsML-G2 edNotes with a `nonpublic` constraint,
the whole `# Notizblock` of IPTC 7901 and what follows dpa's marker) are collected
straight from the sample, and no contact name, phone number or e-mail address found
there may appear on any public page, feed or API answer, nor be stored at all. Notes
for editors (what dpa marks publishable) are stored, and shown in the admin only.
"""

import html
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.core import serializers
from django.test import Client
from taggit.models import Tag

from articles.ingest.markup import NON_PUBLIC_MARKER
from articles.models import Article, ArticleVersion, Correction, HeldUpdate, RelatedLink
from tests.factories import make_staff_user

from .feeds import IMPORTED, PictureHost, import_sample, sample_bytes

pytestmark = pytest.mark.django_db

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+\d{2}|\(0\d{2,5}\))[\d ()/-]{5,}\d")
LONG_DIGITS = re.compile(r"\d{7,}")
# The people named in the samples' non-public parts. Marco Krefting and Sunrita Sen are
# there too, but dpa prints them in the byline: a name printed in the story is public text
# (their phone numbers and addresses are not, and are checked).
NONPUBLIC_NAMES = [
    "Milena Aboyan",
    "Julia Vogler",
    "Lea Geiger",
    "Jutta Pliefke",
    "Lena Henke",
    "Dorothee Schöpfer",
    "Meyel Löning",
    "Sabrina Szameitat",
    "Gregor Tholl",
]
NOTEPAD_START = re.compile(r"^#\s*Notizblock", re.MULTILINE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def pictures():
    with PictureHost() as host:
        host.serve_samples()
        yield host


# What is non-public in a sample, read from the sample itself


def nonpublic_texts(name: str) -> list[str]:
    data = sample_bytes(name)
    if name.endswith(".json"):
        entry = json.loads(data)
        notepad = entry.get("notepad") or {}
        texts = [text_of_html(notepad.get("nonpublic_html") or "")]
        texts += [
            note.get("ednote") or ""
            for note in entry.get("ednotes") or ()
            if note.get("is_publishable") is not True
        ]
        return [text for text in texts if text]
    if name.endswith(".xml"):
        root = ET.fromstring(data)
        texts = []
        for note in root.iter(f"{NAR}edNote"):
            if note.get("pubconstraint"):
                texts.append("".join(note.itertext()))
            for element in note.iter():
                if "np-nonpublic" in (element.get("class") or "").split():
                    texts.append(" ".join(element.itertext()))
        return texts
    text = data.decode("utf-8")
    found = NOTEPAD_START.search(text)
    texts = [text[found.start() :]] if found else []
    if NON_PUBLIC_MARKER in text:
        texts.append(text.split(NON_PUBLIC_MARKER, 1)[1])
    return texts


def public_text(name: str) -> str:
    """What the sample prints for readers: a contact named there is public text (dpa-feeds.md)."""
    data = sample_bytes(name)
    if name.endswith(".json"):
        entry = json.loads(data)
        fields = (
            "headline", "kicker", "teaser", "byline", "dateline", "article_html", "infobox_html",
            "linkbox_html",
        )
        return " ".join(text_of_html(str(entry.get(field) or "")) for field in fields)
    if name.endswith(".xml"):
        root = ET.fromstring(data)
        parts = [" ".join(element.itertext()) for element in root.iter(f"{NAR}inlineXML")]
        parts += [
            " ".join(element.itertext())
            for tag in ("headline", "by", "description")
            for element in root.iter(f"{NAR}{tag}")
        ]
        return " ".join(parts)
    text = data.decode("utf-8")
    found = NOTEPAD_START.search(text)
    return text[: found.start()] if found else text


def text_of_html(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def contacts(name: str) -> set[str]:
    """E-mail addresses, phone numbers (and their long digit runs) and names of the non-public
    parts, less what the story itself prints."""
    printed = " ".join(public_text(name).split())
    return {secret for secret in nonpublic_contacts(name) if secret not in printed}


def nonpublic_contacts(name: str) -> set[str]:
    found = set()
    for text in nonpublic_texts(name):
        text = " ".join(text.split())
        found.update(EMAIL.findall(text))
        for phone in PHONE.findall(text):
            found.add(phone.strip())
            found.update(LONG_DIGITS.findall(phone.replace(" ", "").replace("-", "")))
        for person in NONPUBLIC_NAMES:
            if person in text:
                found.update({person, person.split()[-1]})
    return found


def test_the_samples_have_non_public_contacts_to_look_for():
    """The collection finds what the samples hold: otherwise the tests below prove nothing."""
    assert {
        "vogler@schlag-agentur.de", "+49 30 32779356", "Julia Vogler", "Krefting.marco@dpa.com"
    } <= contacts("digitalwires/dw-1.json")
    assert {"vogler@schlag-agentur.de", "+49 30 32779356", "Meyel Löning"} <= contacts("newsml-g2/dw-1.xml")
    assert {"vogler@schlag-agentur.de", "Lea Geiger", "panorama@dpa.com"} <= contacts("iptc7901/dw-1.iptc")
    # Named in the body, so public: "a contact that dpa prints in the body itself is public text".
    for name in ("digitalwires/dw-1.json", "newsml-g2/dw-1.xml", "iptc7901/dw-1.iptc"):
        assert "Milena Aboyan" in nonpublic_contacts(name)
        assert "Milena Aboyan" not in contacts(name)
    assert {"Szameitat.Sabrina@dpa.com", "Gregor Tholl", "kultur@dpa.com"} <= contacts(
        "digitalwires/embargoed.json"
    )
    assert {"foto@dpa.com", "Sabrina Szameitat"} <= contacts("newsml-g2/embargoed.xml")


# Where readers and apps look


def public_paths(article: Article) -> list[str]:
    word = next(word for word in re.findall(r"\w{5,}", article.headline))
    paths = [
        article.get_absolute_url(),
        "/",
        article.section.get_absolute_url(),
        f"{article.section.get_absolute_url()}feed/",
        "/feed/",
        "/feed/atom/",
        "/agency/dpa/",
        "/agency/dpa/feed/",
        "/api/articles/",
        f"/api/articles/{article.pk}/",
        f"/api/articles/?q={quote(word)}",
        f"/search/?q={quote(word)}",
        "/sitemap.xml",
        "/news-sitemap.xml",
    ]
    paths += [f"/tag/{tag.slug}/" for tag in article.tags.all()]
    if article.published_at:
        paths.append(f"/archiv/{article.published_at.year}/")
    return paths


def leaks(responses: dict[str, str], secrets: set[str]) -> list[tuple[str, str]]:
    """(path, secret) where a page shows a secret; a search page shows its own query, and no results."""
    found = []
    for path, text in responses.items():
        for secret in secrets:
            if path.startswith("/search/?q=") and path.endswith(f"={quote(secret)}"):
                assert 'class="teaser__headline"' not in text, path
                continue
            if secret in text:
                found.append((path, secret))
    return found


def get_all(client: Client, paths: list[str]) -> dict[str, str]:
    responses = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        responses[path] = response.content.decode()
    return responses


@pytest.mark.parametrize("name", IMPORTED)
def test_no_non_public_contact_reaches_a_reader(name, pictures):
    secrets = contacts(name)
    article = import_sample(name, pictures.base).article
    paths = public_paths(article)
    paths += [f"/search/?q={quote(secret)}" for secret in secrets if " " not in secret and "@" not in secret]

    responses = get_all(Client(), paths)

    assert leaks(responses, secrets) == []
    if article.is_visible:
        assert responses[article.get_absolute_url()].count(article.headline) >= 1
        assert f'"id": {article.pk}' in responses[f"/api/articles/{article.pk}/"]


@pytest.mark.parametrize("name", IMPORTED)
def test_no_non_public_contact_is_stored_at_all(name, pictures):
    secrets = contacts(name)
    import_sample(name, pictures.base)

    stored = serializers.serialize(
        "json",
        [
            *Article.objects.all(),
            *RelatedLink.objects.all(),
            *Correction.objects.all(),
            *ArticleVersion.objects.all(),
            *HeldUpdate.objects.all(),
            *Tag.objects.all(),
        ],
        ensure_ascii=False,
    )

    assert [secret for secret in secrets if secret in stored] == []


def test_every_sample_together_every_page_and_feed(pictures):
    secrets = set().union(*(contacts(name) for name in IMPORTED))
    articles = {import_sample(name, pictures.base).article.pk for name in IMPORTED}
    paths = sorted(
        {path for article in Article.objects.filter(pk__in=articles) for path in public_paths(article)}
    )
    paths += [f"/search/?q={quote(name.split()[-1])}" for name in NONPUBLIC_NAMES]

    responses = get_all(Client(), paths)

    assert leaks(responses, secrets) == []


def test_editor_notes_are_in_the_admin_and_nowhere_public(pictures):
    article = import_sample("digitalwires/embargoed.json", pictures.base).article
    note = "Die Berliner Gemäldegalerie nutzt laut eigenen Angaben"
    assert note in article.editor_notes
    staff = Client()
    staff.force_login(make_staff_user(is_superuser=True))

    admin_page = staff.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    public = get_all(Client(), public_paths(article))
    preview = staff.get(article.get_absolute_url()).content.decode()

    assert note in admin_page
    assert not [secret for secret in contacts("digitalwires/embargoed.json") if secret in admin_page]
    assert [path for path, text in public.items() if note in text] == []
    assert note not in preview


def test_the_7901_notepad_is_for_editors_only(pictures):
    article = import_sample("iptc7901/dw-1.iptc", pictures.base).article
    # From the notepad's public part: for editors, and not even stored.
    notepad_lines = ["Kalckreuthstraße 4", "Produkte der Marke VirginiaCare", "Infos über Film"]

    public = get_all(Client(), public_paths(article))

    assert [line for line in notepad_lines if line in article.editor_notes + article.body] == []
    assert leaks(public, set(notepad_lines)) == []
