"""Article pictures: what is accepted, how an upload is cleaned, and the renditions made of it."""

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's own bomb limit is ~89 megapixels; no newsroom photo comes near 50.
MAX_PIXELS = 50_000_000
MAX_BYTES = 25 * 1024 * 1024
FORMATS = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}, "WEBP": {".webp"}}


@dataclass(frozen=True)
class RenditionSpec:
    name: str
    width: int


# Article page, teaser lists, and OpenGraph (1200 px is what sharing previews want).
RENDITIONS = (RenditionSpec("article", 960), RenditionSpec("teaser", 480), RenditionSpec("og", 1200))


def validate_picture(upload) -> str:
    """Check an uploaded picture; return its Pillow format. Raises ValidationError."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(f"Das Bild ist größer als {MAX_BYTES // 1024 // 1024} MB.")
    data = read_all(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        f"Das Bild hat {width}×{height} Pixel; erlaubt sind höchstens "
                        f"{MAX_PIXELS // 1_000_000} Megapixel."
                    )
                if image_format not in FORMATS:
                    raise ValidationError(
                        f"Bilder im Format {image_format} werden nicht angenommen: "
                        "nur JPEG, PNG oder WebP."
                    )
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("Das Bild ist zu groß (mögliche Dekompressionsbombe).") from None
    except UnidentifiedImageError:
        raise ValidationError("Die Datei ist kein Bild im Format JPEG, PNG oder WebP.") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError("Die Bilddatei ist beschädigt oder unvollständig.") from None
    suffix = PurePosixPath(upload.name or "").suffix.lower()
    if suffix not in FORMATS[image_format]:
        raise ValidationError(
            f"Der Dateiname endet auf „{suffix or '(nichts)'}“, der Inhalt ist aber {image_format}."
        )
    return image_format


def read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def cleaned_upload(upload) -> ContentFile:
    """The picture upright (EXIF orientation applied) and without metadata."""
    with Image.open(io.BytesIO(read_all(upload))) as image:
        image_format = image.format
        upright = ImageOps.exif_transpose(image)
        return ContentFile(encode(upright, image_format), name=upload.name)


def encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    # A fresh save writes only pixels: no EXIF, no GPS, no XMP, no comments.
    image.info = {}
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=82)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def make_renditions(picture) -> dict:
    """Scaled copies of a stored picture, made once: {name: {"name", "width", "height"}}."""
    picture.open("rb")
    try:
        data = picture.read()
    finally:
        picture.close()
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem = PurePosixPath(picture.name).stem
    renditions = {"source": picture.name}
    with Image.open(io.BytesIO(data)) as original:
        image_format = original.format
        suffix = ".jpg" if image_format == "JPEG" else f".{image_format.lower()}"
        for spec in RENDITIONS:
            image = original.copy()
            if image.width > spec.width:
                height = round(image.height * spec.width / image.width)
                image = image.resize((spec.width, height), Image.Resampling.LANCZOS)
            name = f"renditions/{digest}/{stem}-{spec.name}{suffix}"
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(encode(image, image_format)))
            renditions[spec.name] = {"name": name, "width": image.width, "height": image.height}
    return renditions
