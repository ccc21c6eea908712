"""Full-text search over headline, kicker, teaser, body and tags, behind one function.

PostgreSQL: a stored tsvector (`Article.search_vector`, GIN-indexed) with the
`german` configuration, so "Beiträge" finds "Beitrag". SQLite: an FTS5 table
(`articles_article_fts`) with the article's id as rowid. Either index is kept in
step by `reindex()`, which the signals in `articles.signals` call on every save,
tag change and delete.
"""

import html
import re
from functools import cached_property

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.http import Http404
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

FTS_TABLE = "articles_article_fts"
# Markers that cannot occur in article text; replaced by <mark> after escaping.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30
# A snippet is made from the teaser and the body's first paragraphs up to this many
# characters: ts_headline parses and stems all the text it is given (8 ms for a page of
# whole 3 kB bodies, 3 ms this way). A word found only further down gets the snippet of
# the article's beginning, as a teaser would be shown.
SNIPPET_BODY_CHARS = 1000
WORD = re.compile(r"\w+", re.UNICODE)
# A tag of sanitised HTML; a quoted attribute value may hold ">".
TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
# The search page ranks the newest MOST matches of a query and counts no further (it
# says "Mehr als 500 Treffer"): ranking or counting every match of a word that most
# articles hold reads every one of their index entries, a quarter of a second at
# 100,000 articles; the newest MOST are found by the publication-time index.
MOST = 500


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search(queryset, text: str):
    """`queryset` narrowed to matches of `text`, best first (see `snippets` for a page's)."""
    words = WORD.findall(text)
    if not words:
        return queryset.none()
    return ranked(matches(queryset, words), words)


def results(queryset, text: str, number, per_page: int | None = None):
    """The page `number` of the search page: the newest MOST matches of `text`, best first.

    Two queries: the newest MOST + 1 matches with their rank (so that the page can say
    there are more), and the page's articles. 404 for a page that is not there.
    """
    paginator = Results(queryset, text, per_page or settings.NEWSROOM_PAGE_SIZE)
    try:
        return paginator.page(number or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("no such page") from None


class Results(Paginator):
    """Pages over the newest MOST matches, ranked; `count` stops at MOST, `more` says so."""

    def __init__(self, queryset, text: str, per_page: int):
        self.queryset = queryset
        self.words = WORD.findall(text)
        super().__init__([], per_page, allow_empty_first_page=True)

    @cached_property
    def best(self) -> tuple[list[int], int]:
        """The ids of the newest MOST matches, best first, and how many matched of MOST + 1.

        One query finds them and ranks them: counting and ranking apart each looked for the
        newest matches again, the dearer half of the page for a word one article in ten holds.
        """
        newest = matches(self.queryset, self.words).order_by("-published_at", "-id").values("pk")
        rows = list(
            ranked(self.queryset.filter(pk__in=newest[: MOST + 1]), self.words)
            .values_list("pk", "published_at")
        )
        found = len(rows)
        if found > MOST:
            rows.remove(min(rows, key=lambda row: (row[1], row[0])))
        return [pk for pk, _ in rows], found

    @cached_property
    def count(self) -> int:
        return len(self.best[0])

    @property
    def more(self) -> bool:
        return self.best[1] > MOST

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids = self.best[0][start : start + self.per_page]
        articles = self.queryset.in_bulk(ids)
        # An article unpublished between the two queries is left out, not an error.
        return self._get_page([articles[pk] for pk in ids if pk in articles], number, self)


def matches(queryset, words: list[str]):
    """`queryset` narrowed to the articles that hold every word, unordered and unranked."""
    if not words:
        return queryset.none()
    if is_postgres():
        query = SearchQuery(" ".join(words), config="german", search_type="plain")
        return queryset.filter(search_vector=query)
    # The FTS table answers the match once, on its own; joined to the articles, SQLite ran
    # it for every article (seconds for a common word at 10,000 articles).
    found = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_match(words)])
    return queryset.filter(pk__in=found)


def ranked(queryset, words: list[str]):
    """`queryset` (matches only) best first."""
    if not words:
        return queryset.none()
    if is_postgres():
        query = SearchQuery(" ".join(words), config="german", search_type="plain")
        return queryset.annotate(rank=SearchRank(F("search_vector"), query)).order_by(
            "-rank", "-published_at", "-id"
        )
    return _search_sqlite(queryset, words)


def fts_match(words: list[str]) -> str:
    # Every word as a quoted prefix term: no FTS5 syntax reaches the index from a reader.
    return " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)


def _search_sqlite(queryset, words: list[str]):
    match = fts_match(words)
    # The FTS table is joined once, so bm25() and snippet() are read off the one match
    # (as correlated subqueries they ran the match again for every hit: seconds for a
    # common word). extra() is the ORM's way to join a table that has no model.
    # bm25: lower is better; headline and tags weigh most, then kicker, teaser, body.
    return queryset.extra(
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = articles_article.id", f"{FTS_TABLE} MATCH %s"],
        params=[match],
        select={"rank": f"bm25({FTS_TABLE}, 10.0, 6.0, 4.0, 1.0, 8.0)"},
    ).order_by("rank", "-published_at", "-id")


def snippets(articles, text: str) -> dict[int, str]:
    """{id: highlighted snippet} for one page of results, in one query.

    Made for the page only: a snippet for every match (before the page is cut) cost
    more than the search itself for a common word.
    """
    from .models import Article

    words = WORD.findall(text)
    ids = [article.pk for article in articles]
    if not words or not ids:
        return {}
    if is_postgres():
        query = SearchQuery(" ".join(words), config="german", search_type="plain")
        rows = Article.objects.filter(pk__in=ids).annotate(
            raw=SearchHeadline(
                Concat("teaser", Value(" "), BodyStart("body"), output_field=TextField()), query,
                config="german", start_sel=START, stop_sel=STOP,
                max_words=SNIPPET_WORDS, min_words=15,
            )
        ).values_list("pk", "raw")
    else:
        match = fts_match(words)
        placeholders = ",".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, -1, char(2), char(3), '…', {SNIPPET_WORDS}) "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
                [match, *ids],
            )
            rows = cursor.fetchall()
    return {pk: highlighted(raw) for pk, raw in rows}


class BodyStart(Func):
    """The body's first SNIPPET_BODY_CHARS characters, cut after its last whole paragraph.

    A cut inside a tag or an entity ("<a hr", "&am") would show as text; a first
    paragraph longer than the limit is cut where the limit falls.
    """

    template = (
        "coalesce(substring(left(%(expressions)s, %(length)s) from '^.*</p>'), "
        "left(%(expressions)s, %(length)s))"
    )
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, length=SNIPPET_BODY_CHARS)


def highlighted(raw: str | None) -> str:
    """A snippet safe to show: everything escaped, the matches in <mark>."""
    # The body's text is stored escaped (&amp;, &lt;): unescape it once, or readers see "&amp;".
    text = escape(html.unescape(strip_tags(raw or "")))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def reindex(article_ids) -> None:
    """Bring the index up to date for these articles (gone ones are removed)."""
    from .models import Article

    ids = list(article_ids)
    if not ids:
        return
    if is_postgres():
        tags = RawSQL(
            "SELECT coalesce(string_agg(t.name, ' '), '') FROM taggit_tag t "
            "JOIN taggit_taggeditem ti ON ti.tag_id = t.id "
            "JOIN django_content_type ct ON ct.id = ti.content_type_id "
            "WHERE ct.app_label = 'articles' AND ct.model = 'article' "
            "AND ti.object_id = articles_article.id",
            [],
        )
        Article.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("headline", weight="A", config="german")
            + SearchVector(tags, weight="A", config="german")
            + SearchVector("kicker", weight="B", config="german")
            + SearchVector("teaser", weight="B", config="german")
            + SearchVector("body", weight="C", config="german")
        )
        return
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "headline", "kicker", "teaser", "body")
    tag_names = tags_by_article(ids)
    with connection.cursor() as cursor:
        placeholders = ",".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, headline, kicker, teaser, body, tags) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (pk, headline, kicker, teaser, index_text(body), tag_names.get(pk, ""))
                for pk, headline, kicker, teaser, body in rows
            ],
        )


def index_text(body: str) -> str:
    """An allow-listed body without its tags, as `strip_tags` gives it (entities kept): that
    runs an HTML parser over every body an import indexes; a sanitised body, whose text has
    every "<" escaped, needs none."""
    return TAG.sub("", body)


def tags_by_article(ids) -> dict[int, str]:
    from taggit.models import TaggedItem

    names: dict[int, list[str]] = {}
    for object_id, name in TaggedItem.objects.filter(
        content_type__app_label="articles", content_type__model="article", object_id__in=ids
    ).values_list("object_id", "tag__name"):
        names.setdefault(object_id, []).append(name)
    return {pk: " ".join(values) for pk, values in names.items()}

