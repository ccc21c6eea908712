"""The plain data every agency parser produces and the import service consumes.

No Django here: a parser turns bytes into these objects and nothing else.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
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
class ParsedArticle:
    headline: str
    teaser: str
    body_html: str  # <p> and <h2> only, text escaped
    published_at: datetime  # aware, the first publication time
    kicker: str = ""
    tags: tuple[str, ...] = ()
    credit: str = ""  # agency domain or name from the credit line, "" when absent
    byline: str = ""
    dateline: str = ""
    related: tuple[ParsedRelated, ...] = field(default_factory=tuple)
    urn: str = ""  # the agency's id of the story, where its format has one
    format: str = "dpa-text"

    def to_dict(self) -> dict:
        """Plain JSON-ready data; times in UTC so that equal instants compare equal."""
        data = asdict(self)
        data["published_at"] = utc_iso(self.published_at)
        data["tags"] = list(self.tags)
        data["related"] = [
            {**item, "published_at": utc_iso(related.published_at)}
            for item, related in zip(data["related"], self.related, strict=True)
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ParsedArticle":
        related = tuple(
            ParsedRelated(**{**item, "published_at": datetime.fromisoformat(item["published_at"])})
            for item in data["related"]
        )
        return cls(
            **{
                **data,
                "published_at": datetime.fromisoformat(data["published_at"]),
                "tags": tuple(data["tags"]),
                "related": related,
            }
        )

    def content_hash(self) -> str:
        """Equal for the same article however it was encoded, wrapped or delivered."""
        data = replace(self, format="").to_dict()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
