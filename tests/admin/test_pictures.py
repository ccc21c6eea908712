"""Article pictures uploaded through the admin: what is refused, how the stored file is cleaned,
and the renditions made of it."""

import io
import struct
import zlib
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from articles.models import Article
from tests.factories import make_article

from .helpers import change_url, form_data, form_errors

pytestmark = pytest.mark.django_db

EXIF_ORIENTATION = 0x0112
# EXIF orientation 6: the camera was turned a quarter; the picture must be turned back.
ROTATED_90_CLOCKWISE = 6


def jpeg_bytes(width: int, height: int, **save) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", **save)
    return out.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of 400 megapixels in ~50 KB: rows of zeros compress to almost nothing.

    Written chunk by chunk so the test never holds the pixels; Pillow would need 400 MB.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def upload(client, article, name: str, content: bytes, content_type: str = "image/jpeg", **fields):
    data = form_data(client.get(change_url(article)))
    data.update({"picture_alt": "Ein Bild", **fields})
    data["picture"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(change_url(article), data)


def stored_files(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def picture_error(response) -> str:
    assert response.status_code == 200, "the form should have been refused"
    return " ".join(form_errors(response)["picture"])


@pytest.fixture
def article(db):
    return make_article()


def test_svg_is_refused(editor_client, article, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'

    response = upload(editor_client, article, "grafik.svg", svg, "image/svg+xml")

    assert "JPEG, PNG oder WebP" in picture_error(response)
    article.refresh_from_db()
    assert article.picture.name == ""
    assert stored_files(media_root) == []


def test_truncated_jpeg_is_refused(editor_client, article, media_root):
    whole = jpeg_bytes(400, 300)

    response = upload(editor_client, article, "abgeschnitten.jpg", whole[: len(whole) // 2])

    assert "beschädigt oder unvollständig" in picture_error(response)
    article.refresh_from_db()
    assert article.picture.name == ""
    assert stored_files(media_root) == []


def test_png_content_named_jpg_is_refused(editor_client, article, media_root):
    response = upload(editor_client, article, "foto.jpg", png_bytes(40, 30))

    assert "der Inhalt ist aber PNG" in picture_error(response)
    article.refresh_from_db()
    assert article.picture.name == ""
    assert stored_files(media_root) == []


def test_decompression_bomb_is_refused(editor_client, article, media_root):
    bomb = png_bomb()
    assert len(bomb) < 200_000

    response = upload(editor_client, article, "bombe.png", bomb, "image/png")

    assert "Dekompressionsbombe" in picture_error(response)
    article.refresh_from_db()
    assert article.picture.name == ""
    assert stored_files(media_root) == []


def test_webp_is_accepted(editor_client, article, media_root):
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(out, "WEBP")

    response = upload(editor_client, article, "foto.webp", out.getvalue(), "image/webp")

    assert response.status_code == 302
    article.refresh_from_db()
    with Image.open(article.picture.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (60, 40))


def test_exif_orientation_is_applied_to_the_stored_picture(editor_client, article, media_root):
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90_CLOCKWISE

    response = upload(editor_client, article, "hochkant.jpg", jpeg_bytes(200, 100, exif=exif))

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.picture_width, article.picture_height) == (100, 200)
    with Image.open(article.picture.path) as stored:
        assert stored.size == (100, 200)


def test_metadata_is_stripped_from_the_stored_picture(editor_client, article, media_root):
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 1
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x8298] = "Fotograf"  # Copyright

    upload(editor_client, article, "foto.jpg", jpeg_bytes(200, 100, exif=exif, comment=b"geheim"))

    article.refresh_from_db()
    with Image.open(article.picture.path) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
        assert "comment" not in stored.info


def test_alt_text_is_required_with_a_picture(editor_client, article, media_root):
    response = upload(editor_client, article, "foto.jpg", jpeg_bytes(200, 100), picture_alt="")

    assert response.status_code == 200
    assert list(form_errors(response)) == ["picture_alt"]
    article.refresh_from_db()
    assert article.picture.name == ""


def test_renditions_for_article_teaser_and_opengraph_are_made(editor_client, article, media_root):
    upload(editor_client, article, "breit.jpg", jpeg_bytes(1600, 900))

    article.refresh_from_db()
    widths = {name: article.rendition(name)["width"] for name in ("article", "teaser", "og")}
    assert widths == {"article": 960, "teaser": 480, "og": 1200}
    assert article.rendition("og")["height"] == 675
    for name in ("article", "teaser", "og"):
        assert (media_root / article.picture_renditions[name]["name"]).is_file()


def test_saving_again_reuses_the_renditions(editor_client, article, media_root):
    upload(editor_client, article, "breit.jpg", jpeg_bytes(1600, 900))
    article.refresh_from_db()
    renditions, files = article.picture_renditions, stored_files(media_root)

    data = form_data(editor_client.get(change_url(article)))
    response = editor_client.post(change_url(article), {**data, "headline": "Neue Überschrift"})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Neue Überschrift"
    assert article.picture_renditions == renditions
    assert stored_files(media_root) == files


class ImageTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images_in(page: str) -> list[dict]:
    parser = ImageTags()
    parser.feed(page)
    return parser.images


def shown_picture(page: str, alt: str) -> dict:
    [image] = [img for img in images_in(page) if img.get("alt") == alt]
    return image


def test_article_page_shows_the_picture_with_its_width_height_and_alt(editor_client, article, media_root):
    upload(editor_client, article, "breit.jpg", jpeg_bytes(1600, 900), picture_alt="Ein Bahnhof im Regen")

    page = Client().get(article.get_absolute_url()).content.decode()

    image = shown_picture(page, "Ein Bahnhof im Regen")
    assert image["src"].startswith(settings.MEDIA_URL)
    with Image.open(media_root / image["src"].removeprefix(settings.MEDIA_URL)) as shown:
        assert (image.get("width"), image.get("height")) == (str(shown.width), str(shown.height))


def test_article_page_shows_the_article_rendition(editor_client, article, media_root):
    upload(editor_client, article, "breit.jpg", jpeg_bytes(1600, 900), picture_alt="Ein Bahnhof im Regen")
    article.refresh_from_db()

    page = Client().get(article.get_absolute_url()).content.decode()

    image = shown_picture(page, "Ein Bahnhof im Regen")
    assert (image["src"], image.get("width")) == (article.rendition("article")["url"], "960")


def test_opengraph_image_is_the_1200_pixel_rendition(editor_client, article, media_root):
    upload(editor_client, article, "breit.jpg", jpeg_bytes(1600, 900))
    article.refresh_from_db()
    og = article.rendition("og")

    page = Client().get(article.get_absolute_url()).content.decode()

    assert f'<meta property="og:image" content="http://testserver{og["url"]}">' in page
    assert '<meta property="og:image:width" content="1200">' in page


def test_picture_saved_in_the_admin_is_stored_under_media_root(editor_client, article, media_root):
    upload(editor_client, article, "foto.png", png_bytes(40, 30), "image/png")

    article.refresh_from_db()
    assert article.picture.name.startswith("pictures/")
    assert article.picture.name.endswith(".png")
    assert (media_root / article.picture.name).is_file()
    assert Article.objects.get(pk=article.pk).picture_alt == "Ein Bild"
