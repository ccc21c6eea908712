"""The feature picture of an agency story, fetched at import from a local HTTP server.

Never from the internet: the samples' picture addresses are rewritten to 127.0.0.1.
A picture that cannot be had leaves the story without it, says so in the result's
note, and never fails the story; a host that never answers costs seconds, not minutes.
"""

import io
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from articles.ingest import pictures_fetch, service
from articles.models import Article

from .feeds import (
    PictureHost,
    SilentHost,
    closed_port_base,
    import_parsed,
    import_sample,
    jpeg_bytes,
    parse_sample,
    sample_bytes,
)

pytestmark = pytest.mark.django_db

SAMPLE = "digitalwires/with_infobox.json"
PICTURE_PATH = "/v3/image/resize/urn:newsml:dpa.com:20090101:250122-99-672161-v3-s2048.jpeg"
LATER = "2025-01-22T16:00:00+00:00"  # a version time after the sample's
CAPTION = "In der kalifornischen Stadt Paradise hatten im Jahr 2018 Brände etwa 11.000 Wohngebäude zerstört."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def host():
    with PictureHost() as server:
        yield server


def stored_files(media_root: Path) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def entry_with_picture(base: str, **changes) -> bytes:
    data = json.loads(sample_bytes(SAMPLE, base))
    data.update(changes)
    return json.dumps(data, ensure_ascii=False).encode()


def import_entry(data: bytes, **options) -> service.ImportResult:
    from articles.ingest import formats

    return import_parsed(formats.parse(data), **options)


# A picture that comes


def test_the_picture_is_downloaded_with_caption_credit_and_alt(host, media_root):
    host.serve(PICTURE_PATH, jpeg_bytes(2048, 1536))

    result = import_sample(SAMPLE, host.base)

    article = Article.objects.get()
    assert result.outcome == "created"
    assert result.note == ""
    assert article.picture.name.startswith("pictures/")
    assert (article.picture_width, article.picture_height) == (2048, 1536)
    assert article.picture_caption == CAPTION
    assert article.picture_credit == "Barbara Munker/dpa"
    assert article.picture_alt == "Ein ausgebranntes Fahrzeug und Trümmer nach dem Waldbrand."
    # The largest rendition was asked for, with dpa's signature.
    assert host.requests == [PICTURE_PATH + "?signature=31c3DvJvazC41pGhGAMhz_J89aE&expires=1737763200"]


def test_renditions_are_made_as_for_an_upload(host, media_root):
    host.serve(PICTURE_PATH, jpeg_bytes(2048, 1536))

    import_sample(SAMPLE, host.base)

    article = Article.objects.get()
    sizes = {
        name: (value["width"], value["height"])
        for name, value in article.picture_renditions.items()
        if name != "source"
    }
    assert sizes == {
        "article": (960, 720),
        "teaser": (480, 360),
        "og": (1200, 900),
    }
    for name in ("article", "teaser", "og"):
        assert (media_root / article.picture_renditions[name]["name"]).is_file()


def test_the_page_shows_the_picture_with_caption_and_credit(host):
    host.serve(PICTURE_PATH, jpeg_bytes(1200, 900))
    article = import_sample(SAMPLE, host.base).article

    page = Client().get(article.get_absolute_url()).content.decode()

    rendition = article.rendition("article")
    alt = "Ein ausgebranntes Fahrzeug und Trümmer nach dem Waldbrand."
    assert f'<img src="{rendition["url"]}" alt="{alt}"' in page
    assert f"<figcaption>{CAPTION} " in page
    assert '<span class="article__figure-credit">Foto: Barbara Munker/dpa</span>' in page


def test_the_stored_picture_has_no_metadata(host):
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"  # Make
    Image.new("RGB", (800, 600), (10, 120, 200)).save(out, "JPEG", exif=exif)
    host.serve(PICTURE_PATH, out.getvalue())

    article = import_sample(SAMPLE, host.base).article

    with article.picture.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()


def test_the_newsml_picture_has_its_title_as_alt(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))

    article = import_sample("newsml-g2/with_infobox.xml", host.base).article

    assert article.picture
    assert article.picture_alt == "Ein ausgebranntes Fahrzeug und Trümmer nach dem Waldbrand."


def test_the_same_picture_is_not_downloaded_again(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    import_sample(SAMPLE, host.base)
    stored = Article.objects.get().picture.name

    again = import_sample(SAMPLE, host.base)
    xml = import_sample("newsml-g2/with_infobox.xml", host.base)
    # A newer version, the same picture at a newly signed address, and a new caption.
    data = json.loads(entry_with_picture(host.base, version=11, version_created=LATER))
    picture = data["associations"][0]
    picture["caption"] = "Neue Bildunterschrift."
    for rendition in picture["renditions"]:
        rendition["url"] = rendition["url"].replace("signature=31c3", "signature=ffff")
    newer = import_entry(json.dumps(data).encode())

    article = Article.objects.get()
    assert [again.outcome, xml.outcome, newer.outcome] == ["unchanged", "unchanged", "updated"]
    assert len(host.requests) == 1
    assert article.picture.name == stored
    assert article.picture_caption == "Neue Bildunterschrift."


def test_a_newer_version_with_another_picture_replaces_it(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    host.serve("/other.jpeg", jpeg_bytes(600, 800))
    import_sample(SAMPLE, host.base)
    data = json.loads(entry_with_picture(host.base, version=11, version_created=LATER))
    picture = data["associations"][0]
    picture["urn"] = "urn:newsml:dpa.com:20090101:250122-99-999999"
    for rendition in picture["renditions"]:
        rendition["url"] = f"{host.base}/other.jpeg"

    result = import_entry(json.dumps(data).encode())

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert (article.picture_width, article.picture_height) == (600, 800)


def test_a_newer_version_without_picture_removes_the_agency_picture(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    import_sample(SAMPLE, host.base)
    newer = entry_with_picture(host.base, version=11, version_created=LATER, associations=[])

    import_entry(newer)

    article = Article.objects.get()
    assert not article.picture
    assert (article.picture_caption, article.picture_credit, article.picture_alt) == ("", "", "")


def test_an_editors_own_picture_stays(host):
    from django.core.files.base import ContentFile

    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    import_sample(SAMPLE, host.base, download_pictures=False)
    article = Article.objects.get()
    article.picture = ContentFile(jpeg_bytes(300, 200), name="eigenes.jpg")
    article.picture_alt = "Eigenes Bild"
    article.save()

    import_entry(entry_with_picture(host.base, version=11, version_created=LATER))

    article.refresh_from_db()
    assert host.requests == []
    assert "eigenes" in article.picture.name
    assert article.picture_alt == "Eigenes Bild"


def test_a_png_is_stored_as_png(host):
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, "PNG")
    host.serve(PICTURE_PATH, out.getvalue(), content_type="image/png")

    article = import_sample(SAMPLE, host.base).article

    assert article.picture.name.endswith(".png")


# A picture that does not come


def test_a_missing_picture_imports_the_story_without_it(host, media_root):
    result = import_sample(SAMPLE, host.base)  # nothing served: 404

    article = Article.objects.get()
    assert result.outcome == "created"
    assert result.note == "picture not downloaded: HTTP 404"
    assert not article.picture
    assert article.picture_caption == ""
    assert stored_files(media_root) == []


def test_a_closed_port_fails_at_once():
    start = time.monotonic()

    result = import_sample(SAMPLE, closed_port_base())

    assert time.monotonic() - start < 2
    assert result.outcome == "created"
    assert result.note == "picture not downloaded: connection refused"


def test_a_host_that_never_answers_costs_seconds_not_minutes():
    with SilentHost() as silent:
        start = time.monotonic()
        result = import_sample(SAMPLE, silent.base)
        took = time.monotonic() - start

    assert result.outcome == "created"
    assert result.note == "picture not downloaded: no answer within 5 seconds"
    assert not Article.objects.get().picture
    assert 4.5 < took < 8


def test_a_host_that_answers_a_byte_at_a_time_is_cut_off_at_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n"
            )
            while not stop.is_set():
                try:
                    connection.sendall(b"\xff")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        with pytest.raises(pictures_fetch.FetchError, match="no answer within 1.5 seconds"):
            pictures_fetch.fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/x.jpg", deadline=1.5)
        assert time.monotonic() - start < 2.5
    finally:
        stop.set()
        listener.close()


def test_not_a_picture_is_refused_with_the_reason(host, media_root):
    host.serve(PICTURE_PATH, b"<html>Signatur abgelaufen</html>", content_type="text/html")

    result = import_sample(SAMPLE, host.base)

    assert result.outcome == "created"
    assert result.note.startswith("picture not downloaded: ")
    assert "JPEG, PNG oder WebP" in result.note
    assert stored_files(media_root) == []


def test_a_truncated_picture_is_refused(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600)[:500])

    result = import_sample(SAMPLE, host.base)

    assert result.note == "picture not downloaded: Die Bilddatei ist beschädigt oder unvollständig."
    assert not Article.objects.get().picture


def test_a_picture_larger_than_allowed_is_not_read_to_the_end(host):
    host.serve("/big.jpg", b"\xff\xd8\xff" + b"\x00" * 5000)

    with pytest.raises(pictures_fetch.FetchError, match="larger than"):
        pictures_fetch.fetch(f"{host.base}/big.jpg", max_bytes=1000)


def test_a_redirect_to_another_scheme_is_refused():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(pictures_fetch.FetchError, match=r"redirect not followed \(HTTP 302\)"):
            pictures_fetch.fetch(f"http://127.0.0.1:{server.server_address[1]}/x.jpg")
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_to_the_picture_is_followed(host):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    host.serve("/real.jpg", jpeg_bytes(100, 80))

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(301)
            self.send_header("Location", f"{host.base}/real.jpg")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        data = pictures_fetch.fetch(f"http://127.0.0.1:{server.server_address[1]}/x.jpg")
    finally:
        server.shutdown()
        server.server_close()

    assert pictures_fetch.suffix_of(data) == ".jpg"


def test_a_dry_run_fetches_no_picture(host, media_root):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))

    result = import_sample(SAMPLE, host.base, dry_run=True)

    assert result.outcome == "created"
    assert result.note == "picture not downloaded: not fetched in a dry run"
    assert host.requests == []
    assert Article.objects.count() == 0
    assert stored_files(media_root) == []


def test_downloads_can_be_turned_off(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))

    result = import_sample(SAMPLE, host.base, download_pictures=False)

    assert result.note == "picture not downloaded: downloads are off"
    assert host.requests == []


def test_a_story_that_fails_after_its_picture_was_stored_leaves_no_file(host, media_root, monkeypatch):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    monkeypatch.setattr(service, "write_links", lambda *args, **kwargs: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        import_sample(SAMPLE, host.base)

    assert Article.objects.count() == 0
    assert [name for name in stored_files(media_root) if not name.startswith("renditions/")] == []
    assert stored_files(media_root) == []


def test_an_unchanged_story_fetches_nothing(host):
    host.serve(PICTURE_PATH, jpeg_bytes(800, 600))
    import_sample(SAMPLE, host.base)
    host.requests.clear()

    for name in (SAMPLE, "newsml-g2/with_infobox.xml"):
        assert import_sample(name, host.base).outcome == "unchanged"

    assert host.requests == []


def test_the_parsed_picture_is_the_largest_rendition():
    picture = parse_sample(SAMPLE, "http://127.0.0.1:9").picture

    assert picture.url.startswith("http://127.0.0.1:9" + PICTURE_PATH)
    assert (picture.width, picture.height) == (2048, 1536)
