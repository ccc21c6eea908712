"""dpa's digitalwires JSON (shared/formats/dpa-feeds.md): bytes in, ParsedArticle out.

A file is one entry (`"format": "digitalwires@…"`) or a wireQ answer
(`{"entries": […]}`). Pure: no Django, no network; the picture is only named.
"""

import json

from . import markup
from .parsed import ParsedArticle, ParsedPicture, ParseError

FORMAT = "digitalwires"
FORMAT_PREFIX = "digitalwires@"
CORRECTION_ROLE = "dpaednoterole:correctionshort"


def parse(data: bytes) -> ParsedArticle:
    entries = load_entries(data)
    if len(entries) != 1:
        raise ParseError(f"the file holds {len(entries)} entries, not one")
    return parse_entry(entries[0])


def parse_all(data: bytes) -> list[ParsedArticle]:
    entries = load_entries(data)
    if len(entries) == 1:
        return [parse_entry(entries[0])]
    return [parse_entry(entry, f"entry {index}: ") for index, entry in enumerate(entries, start=1)]


def split(data: bytes) -> list[bytes]:
    """Each entry as a file of its own, for a caller that keeps the ones that fail."""
    return [json.dumps(entry, ensure_ascii=False).encode() for entry in load_entries(data)]


def load_entries(data: bytes) -> list[dict]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ParseError(f"digitalwires JSON must be UTF-8: {error.reason} at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise ParseError(f"invalid JSON: {error.msg}", error.lineno) from None
    except (ValueError, RecursionError) as error:
        raise ParseError(f"invalid JSON: {error}") from None
    if isinstance(document, dict) and isinstance(document.get("entries"), list):
        entries = document["entries"]
    elif isinstance(document, dict) and str(document.get("format", "")).startswith(FORMAT_PREFIX):
        entries = [document]
    else:
        raise ParseError(
            'JSON, but neither a digitalwires entry ("format": "digitalwires@…") '
            'nor a wireQ answer ({"entries": […]})'
        )
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ParseError(f"entry {index} is not a JSON object")
    return entries


def parse_entry(entry: dict, where: str = "") -> ParsedArticle:
    """One entry; `where` ("entry 3: ") starts every error message."""
    urn = text(entry, "urn", where)
    if not urn:
        raise ParseError(f"{where}entry without urn")
    where = f"{where}{urn}: "
    headline = text(entry, "headline", where)
    if not headline:
        raise ParseError(f"{where}entry without headline")
    article_html = text(entry, "article_html", where, fold=False)
    teaser = text(entry, "teaser", where)
    if not markup.text_of(article_html) and not teaser:
        raise ParseError(
            f"{where}entry has no text: neither article_html nor teaser (a bare picture or audio?)"
        )

    version_created = markup.aware_time(entry.get("version_created"), f"{where}version_created")
    categories = [item for item in entry.get("categories") or () if isinstance(item, dict)]
    dateline = markup.dateline_of(text(entry, "dateline", where))
    notepad = entry.get("notepad") if isinstance(entry.get("notepad"), dict) else {}
    ednotes = [note for note in entry.get("ednotes") or () if isinstance(note, dict)]
    # Only what dpa marks publishable: a missing flag is not a yes.
    public_notes = [note for note in ednotes if note.get("is_publishable") is True]
    provider = provider_of(categories)
    return ParsedArticle(
        headline=headline,
        teaser=teaser,
        body_html=markup.body_html(article_html, dateline),
        published_at=markup.publication_time(entry.get("content_created"), version_created, where),
        kicker=text(entry, "kicker", where),
        tags=markup.unique(names(categories, "dnltype:keyword") + names(categories, "dnltype:geosubject")),
        credit=provider,
        byline=text(entry, "byline", where),
        dateline=dateline,
        urn=urn,
        format=FORMAT,
        subhead=text(entry, "subhead", where),
        version=version_of(entry.get("version"), where),
        version_created=version_created,
        pubstatus=markup.pubstatus(entry.get("pubstatus"), where),
        embargo=markup.aware_time(entry.get("embargoed"), f"{where}embargoed"),
        desk=desk_of(categories),
        geo_subjects=markup.unique(names(categories, "dnltype:geosubject")),
        infobox_html=markup.clean(text(entry, "infobox_html", where, fold=False), "infobox_html"),
        links=markup.links_of(text(entry, "linkbox_html", where, fold=False)),
        picture=feature_picture(entry.get("associations")),
        editor_notes=editor_notes(text(notepad, "public_html", where, fold=False), public_notes),
        correction=correction_of(public_notes),
        provider=provider,
        language=text(entry, "language", where),
    )


def correction_of(public_notes: list[dict]) -> str:
    for note in public_notes:
        if note.get("role") == CORRECTION_ROLE:
            return markup.plain(note.get("ednote"))
    return ""


def text(entry: dict, key: str, where: str, fold: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ParseError(f"{where}{key} must be a string, not {type(value).__name__}")
    return markup.plain(value) if fold else value


def version_of(value, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ParseError(f"{where}version must be a whole number, not {value!r}")


def names(categories: list[dict], kind: str) -> list[str]:
    return [item.get("name") for item in categories if item.get("type") == kind and item.get("name")]


def desk_of(categories: list[dict]) -> str:
    """The desk's code from its qcode (dpacat:pl): its `name` varies (pl, Politik, politics)."""
    for item in categories:
        if item.get("type") == "dnltype:desk":
            qcode = markup.plain(item.get("qcode"))
            if qcode:
                return qcode.rpartition(":")[2].lower()
            return markup.plain(item.get("name")).lower()
    return ""


def provider_of(categories: list[dict]) -> str:
    for item in categories:
        if item.get("type") == "dnltype:provider":
            return markup.plain(item.get("name")) or markup.plain(item.get("qcode")).rpartition(":")[2]
    return ""


def editor_notes(public_html: str, public_notes: list[dict]) -> str:
    lines = markup.notes_text(public_html)
    known = " ".join(lines)
    for note in public_notes:
        line = markup.plain(markup.public_text(str(note.get("ednote") or "")))
        if line and line not in known:
            lines.append(line)
            known += " " + line
    return "\n".join(lines)


def feature_picture(associations) -> ParsedPicture | None:
    """The first feature image (`is_featureimage`, else rank 1), at its largest rendition."""
    images = [item for item in associations or () if isinstance(item, dict) and item.get("type") == "image"]
    chosen = next((image for image in images if image.get("is_featureimage") is True), None)
    chosen = chosen or next((image for image in images if image.get("rank") == 1), None)
    if chosen is None:
        return None
    renditions = [
        rendition
        for rendition in chosen.get("renditions") or ()
        if isinstance(rendition, dict) and markup.is_web_url(rendition.get("url"))
    ]
    if not renditions:
        return None
    largest = max(renditions, key=rendition_size)
    return ParsedPicture(
        url=largest["url"].strip(),
        caption=markup.plain(chosen.get("caption")),
        credit=markup.plain(chosen.get("creditline")),
        alt=markup.plain(chosen.get("headline")),
        width=number(largest.get("width")),
        height=number(largest.get("height")),
        urn=markup.plain(chosen.get("urn")),
    )


def rendition_size(rendition: dict) -> tuple[int, int]:
    """Longest edge first (`size` where width and height are missing), then area."""
    width, height, size = (number(rendition.get(key)) or 0 for key in ("width", "height", "size"))
    return max(width, height, size), width * height


def number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
