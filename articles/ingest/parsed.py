"""The plain data every agency parser produces and the import service consumes.

No Django here: a parser turns bytes into these objects and nothing else.
"""

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime


class ParseError(ValueError):
    """A file breaks a rule of its format. `line` is 1-based, or None."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)


@dataclass(frozen=True)
class ParsedRelated:
    """An item under *Weitere Meldungen*, as the agency gave it."""

    text: str  # headline and teaser, not delimited by the agency
    headline: str  # split of `text` by the format's rules 2 and 3
    teaser: str
    section_name: str
    published_at: datetime  # aware
    url: str = ""


@dataclass(frozen=True)
class ParsedPicture:
    """The story's feature image as the agency offers it; downloading it is the importer's job."""

    url: str  # http(s) address of the largest rendition; dpa's addresses expire
    caption: str = ""
    credit: str = ""
    alt: str = ""  # the picture's own title, a starting point for the alternative text
    width: int | None = None  # of that rendition, where the agency says
    height: int | None = None
    urn: str = ""  # the picture's own agency id, "" where the format gives none


@dataclass(frozen=True)
class ParsedArticle:
    headline: str
    teaser: str
    body_html: str  # allow-listed HTML (articles.sanitize), text escaped
    published_at: datetime  # aware, the first publication time
    kicker: str = ""
    tags: tuple[str, ...] = ()
    credit: str = ""  # agency domain or name (credit line, or the feed's provider), "" when absent
    byline: str = ""
    dateline: str = ""  # "Berlin (dpa) -", also at the start of the body's first paragraph
    related: tuple[ParsedRelated, ...] = field(default_factory=tuple)
    urn: str = ""  # the agency's id of the story, where its format has one
    format: str = "dpa-text"
    # The machine formats (shared/formats/dpa-feeds.md) fill what follows.
    subhead: str = ""
    version: int | None = None  # counts the versions of `urn`
    version_created: datetime | None = None  # aware: when this version was made
    pubstatus: str = "usable"  # "usable", "canceled" (withdrawn by the agency) or "withheld"
    embargo: datetime | None = None  # aware: not to be shown before
    desk: str = ""  # the agency's desk code: "pl", "wi", "sp", "ku", "vm", "rs", …
    geo_subjects: tuple[str, ...] = ()  # place names; the desk "pl" needs them (Inland/Ausland)
    infobox_html: str = ""  # allow-listed HTML, shown after the body
    links: tuple[tuple[str, str], ...] = ()  # (title, http(s) url) from the link box
    picture: ParsedPicture | None = None
    editor_notes: str = ""  # plain text, one note a line; public notes only, for the admin
    correction: str = ""  # a correction to show to readers
    provider: str = ""  # the feed's own name of its source: "dpa", or a 7901 service like "lni"
    language: str = ""  # "de", "en", "es", …

    def to_dict(self) -> dict:
        """Plain JSON-ready data; times in UTC so that equal instants compare equal.

        Built field by field: `dataclasses.asdict` deep-copies every value, and the
        importer asks this of every story (the content hash)."""
        data = {name: getattr(self, name) for name in FIELD_NAMES}
        data["published_at"] = utc_iso(self.published_at)
        data["version_created"] = utc_iso(self.version_created) if self.version_created else None
        data["embargo"] = utc_iso(self.embargo) if self.embargo else None
        data["tags"] = list(self.tags)
        data["geo_subjects"] = list(self.geo_subjects)
        data["links"] = [list(link) for link in self.links]
        data["related"] = [
            {name: getattr(item, name) for name in RELATED_NAMES}
            | {"published_at": utc_iso(item.published_at)}
            for item in self.related
        ]
        if self.picture is not None:
            data["picture"] = {name: getattr(self.picture, name) for name in PICTURE_NAMES}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ParsedArticle":
        """The inverse of `to_dict`; data stored before a field existed gets its default."""
        related = tuple(
            ParsedRelated(**{**item, "published_at": datetime.fromisoformat(item["published_at"])})
            for item in data["related"]
        )
        picture = data.get("picture")
        return cls(
            **{
                **data,
                "published_at": datetime.fromisoformat(data["published_at"]),
                "tags": tuple(data["tags"]),
                "related": related,
                "version_created": optional_time(data.get("version_created")),
                "embargo": optional_time(data.get("embargo")),
                "geo_subjects": tuple(data.get("geo_subjects", ())),
                "links": tuple(tuple(link) for link in data.get("links", ())),
                "picture": ParsedPicture(**picture) if picture else None,
            }
        )

    def content_hash(self) -> str:
        """Equal for the same article however it was encoded, wrapped or delivered."""
        data = self.to_dict()
        data["format"] = ""
        # Hashes are stored. A field added later counts only when it holds something, so
        # that an article that does not use it keeps the hash it had before the field existed.
        for name, empty in EMPTY_LATER_FIELDS.items():
            if data[name] == empty:
                del data[name]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


FIELD_NAMES = [spec.name for spec in fields(ParsedArticle)]
RELATED_NAMES = [spec.name for spec in fields(ParsedRelated)]
PICTURE_NAMES = [spec.name for spec in fields(ParsedPicture)]
# The fields after `format`, added with the machine formats.
LATER_FIELDS = tuple(FIELD_NAMES[FIELD_NAMES.index("format") + 1 :])


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def optional_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _empty_later_fields() -> dict:
    """The later fields as `to_dict` gives them when they hold their defaults."""
    empty = ParsedArticle(headline="", teaser="", body_html="", published_at=datetime.now(UTC))
    data = empty.to_dict()
    return {name: data[name] for name in LATER_FIELDS}


EMPTY_LATER_FIELDS = _empty_later_fields()
