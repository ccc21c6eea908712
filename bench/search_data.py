"""A large database for the search benchmark, fast: run by bench/search.py in a child process.

    python -m bench.search_data N      N published articles from bench/corpus.py (seed 7)

The importer makes ~100 articles a second; 100,000 would take a quarter of an hour.
This loader parses the same corpus texts with the importer's parser
(`articles.ingest.dpa_text`) in two processes, writes the rows the import would
write as far as readers and search see them (headline, kicker, teaser, body cleaned
as `Article.save` cleans it, section, agency, tags, status, publication time, slug,
identity) with `bulk_create` in large batches, and then fills the search index with
`articles.search.reindex`, the function every save calls. Related links, versions
and pictures are left out: search neither reads nor shows them.

Prints one JSON object on its last line: articles, seconds, and the database's size.
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

from bench import corpus

BATCH = 2000
REINDEX_BATCH = 10_000


def parsed_rows(args: tuple[int, int, int]) -> list[tuple]:
    """(section slug, parsed fields…) of the articles start..stop: pure Python, no database."""
    from articles.ingest import dpa_text
    from articles.ingest.identity import identity_key
    from articles.sanitize import clean_html

    start, stop, n = args
    texts = corpus.Corpus(n)
    rows = []
    for index in range(start, stop):
        section, _, data = texts.article(index)
        parsed = dpa_text.parse(data)
        rows.append(
            (
                section,
                parsed.headline,
                parsed.kicker,
                parsed.teaser,
                clean_html(parsed.body_html),
                parsed.byline,
                parsed.dateline,
                parsed.published_at,
                identity_key(parsed),
                parsed.tags,
            )
        )
    return rows


def copy_articles(articles) -> None:
    """Give the articles their ids from the table's sequence, then COPY them in."""
    from django.db import connection

    from articles.models import Article

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('articles_article', 'id')) "
            "FROM generate_series(1, %s)",
            [len(articles)],
        )
        for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
            article.pk = pk
    copy_rows(Article, articles, with_pk=True)


def copy_rows(model, objects, with_pk: bool = False) -> None:
    """COPY the objects' rows as `bulk_create` would insert them (bulk_create inlines every
    value into one statement on psycopg 3: ten times slower for 2,000 bodies of 3 kB)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                )


def reindex(ids) -> None:
    from django.db import connection, transaction

    from articles import search

    try:
        with transaction.atomic():
            search.reindex(ids)
    finally:
        connection.close()  # the thread's own connection


def load(n: int) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from taggit.models import Tag, TaggedItem

    from articles.ingest.dpa_text import normalize_headline
    from articles.models import Agency, Article, ContentVersion, Section
    from articles.models.article import RESERVED_SLUGS, german_slugify

    started = time.perf_counter()
    sections = {section.slug: section for section in Section.objects.all()}
    agency = Agency.objects.get(slug="dpa")
    article_type = ContentType.objects.get_for_model(Article)
    tags: dict[str, Tag] = {}
    slugs: set[str] = set(Article.objects.values_list("slug", flat=True))
    chunks = [(start, min(start + BATCH, n), n) for start in range(0, n, BATCH)]
    loaded = 0
    # The parsing processes are forked: none may inherit (and, exiting, close) our connection.
    connection.close()
    with Pool(2) as pool:
        for rows in pool.imap(parsed_rows, chunks):
            articles, article_tags = [], []
            for section, headline, kicker, teaser, body, byline, dateline, published, key, names in rows:
                base = german_slugify(headline)
                if base in RESERVED_SLUGS:
                    base = f"{base}-artikel"
                slug, number = base, 2
                while slug in slugs:
                    slug, number = f"{base}-{number}", number + 1
                slugs.add(slug)
                articles.append(
                    Article(
                        headline=headline, kicker=kicker, teaser=teaser, body=body, byline=byline,
                        dateline=dateline, section=sections[section], agency=agency,
                        status=Article.Status.PUBLISHED, published_at=published, slug=slug,
                        source_key=key, headline_key=normalize_headline(headline),
                    )
                )
                article_tags.append(names)
            with transaction.atomic():
                copy_articles(articles)
                new = {name for names in article_tags for name in names if name.casefold() not in tags}
                for name in sorted(new):
                    tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
                    tags[name.casefold()] = tag
                copy_rows(
                    TaggedItem,
                    [
                        TaggedItem(content_type=article_type, object_id=article.pk, tag=tags[name.casefold()])
                        for article, names in zip(articles, article_tags, strict=True)
                        for name in dict.fromkeys(names)
                    ],
                )
            loaded += len(articles)
    rows_seconds = time.perf_counter() - started
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    # Two connections, two server processes: to_tsvector over 300 MB of text is CPU work.
    with ThreadPoolExecutor(2) as threads:
        list(threads.map(reindex, [ids[i : i + REINDEX_BATCH] for i in range(0, len(ids), REINDEX_BATCH)]))
    ContentVersion.bump()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE articles_article")
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        else:
            size = ""
    return {
        "articles": loaded,
        "seconds": time.perf_counter() - started,
        "rows_seconds": rows_seconds,
        "database_size": size,
    }


def main(argv: list[str]) -> int:
    from bench.probe import setup

    setup()
    print(json.dumps(load(int(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
