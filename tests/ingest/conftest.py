"""Agency pictures are fetched at import: in tests only from 127.0.0.1, never from the internet."""

from urllib.parse import urlsplit

import pytest

from articles.ingest import pictures_fetch

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def _pictures_from_this_machine_only(monkeypatch):
    fetch = pictures_fetch.fetch

    def local_fetch(url, **options):
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            raise pictures_fetch.FetchError("tests fetch no pictures from the internet")
        return fetch(url, **options)

    monkeypatch.setattr(pictures_fetch, "fetch", local_fetch)
