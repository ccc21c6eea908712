"""The agency's picture of a story: fetched at import, stored once, replaced by a new one only.

Pictures fetched from the agency are stored as "agency-<key>.<suffix>": the key tells
whether a later version brings the same picture (no second download) or another one.
An editor's own picture is never touched.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .. import pictures
from ..models import Article
from . import pictures_fetch
from .parsed import ParsedPicture

AGENCY_PICTURE_PREFIX = "agency-"
PICTURE_NOTE = "picture not downloaded: {}"


@dataclass(frozen=True)
class FetchedPicture:
    data: bytes
    name: str  # "agency-<key>.jpg": the suffix matches the content


def picture_key(picture: ParsedPicture) -> str:
    """The picture's identity at the agency: its urn, else its address without the query
    (dpa signs its addresses anew with every delivery)."""
    if picture.urn:
        identity = picture.urn
    else:
        parts = urlsplit(picture.url)
        identity = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return hashlib.sha256(identity.encode()).hexdigest()[:20]


def stored_picture_key(article: Article) -> str | None:
    """The key of the agency picture the article has; None without one or with an editor's own."""
    if not article.picture:
        return None
    stem = PurePosixPath(article.picture.name).stem
    if not stem.startswith(AGENCY_PICTURE_PREFIX):
        return None
    return stem.removeprefix(AGENCY_PICTURE_PREFIX)[:20]


def wants_picture(article: Article | None, picture: ParsedPicture) -> bool:
    """A download is needed: no picture yet, or the agency's picture is another one.
    An editor's own picture is never replaced."""
    if article is None or not article.picture:
        return True
    stored = stored_picture_key(article)
    return stored is not None and stored != picture_key(picture)


def fetch_picture(picture: ParsedPicture, notes: list[str]) -> FetchedPicture | None:
    """The picture's bytes, checked as an upload is; None (and a note) when that fails."""
    deadline = getattr(settings, "NEWSROOM_PICTURE_TIMEOUT", pictures_fetch.DEADLINE)
    try:
        data = pictures_fetch.fetch(picture.url, deadline=deadline, max_bytes=pictures.MAX_BYTES)
    except pictures_fetch.FetchError as error:
        notes.append(PICTURE_NOTE.format(error))
        return None
    suffix = pictures_fetch.suffix_of(data) or PurePosixPath(urlsplit(picture.url).path).suffix.lower()
    name = f"{AGENCY_PICTURE_PREFIX}{picture_key(picture)}{suffix}"
    try:
        pictures.validate_picture(ContentFile(data, name=name))
    except ValidationError as error:
        notes.append(PICTURE_NOTE.format(" ".join(error.messages)))
        return None
    return FetchedPicture(data, name)


def set_picture(article: Article, parsed: ParsedPicture | None, fetched: FetchedPicture | None) -> bool:
    """The agency's picture on the article: a new one stored, the same one's texts renewed,
    one the agency no longer sends removed. An editor's own picture stays.

    True when a new file is to be stored.
    """
    stored = stored_picture_key(article)
    if parsed is None:
        if stored is not None:
            article.picture = None
            article.picture_caption = article.picture_credit = article.picture_alt = ""
        return False
    key = picture_key(parsed)
    if stored == key:
        set_picture_texts(article, parsed, keep=True)
        return False
    if article.picture and stored is None:
        return False  # the editor's picture
    if fetched is None or not fetched.name.startswith(AGENCY_PICTURE_PREFIX + key):
        return False  # not fetched: the note says why
    article.picture = ContentFile(fetched.data, name=fetched.name)
    set_picture_texts(article, parsed, keep=False)
    return True


def set_picture_texts(article: Article, picture: ParsedPicture, keep: bool) -> None:
    """Caption, credit and alternative text; with `keep`, a text the agency leaves out stays."""
    for field, value in (
        ("picture_caption", picture.caption),
        ("picture_credit", picture.credit),
        ("picture_alt", picture.alt or picture.caption),
    ):
        if value or not keep:
            setattr(article, field, shortened(value, Article._meta.get_field(field).max_length))


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def note_written(article: Article, written: list[str] | None) -> None:
    """The files a new picture put in storage, to be removed if the story does not commit.

    Renditions are named after the picture's own (unique) file name: no other article shares them.
    """
    if written is None or not article.picture:
        return
    written.append(article.picture.name)
    renditions = article.picture_renditions or {}
    written.extend(value["name"] for value in renditions.values() if isinstance(value, dict))


def remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
