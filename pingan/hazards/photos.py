"""Photo intake: the type is checked from the content (JPEG, PNG, WebP), the size and pixel count are
bounded, and a public copy is re-encoded from the pixels alone, so that no EXIF/GPS (or any other
metadata) reaches the public.

Decoding is bounded before it starts: the header (read without decoding) gives the size and mode,
and an image whose pixel count or decoded size (pixels × bytes per pixel) is over the limits is
refused there — a 166 KB PNG of 6300×6300 used to take 5 s and ~700 MB to decode. A JPEG is decoded
at the smallest DCT scale that still gives the public size (draft mode), and at most DECODE_SLOTS
decodes run at once per process, so parallel uploads cannot multiply the memory."""

from __future__ import annotations

import io
import threading
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pingan.core.actions import ActionError

from . import rules
from .models import HazardCase, Photo

PUBLIC_MAX_SIDE = 2048
DECODE_SLOTS = threading.BoundedSemaphore(2)
BYTES_PER_PIXEL = {
    "1": 1,
    "L": 1,
    "P": 1,
    "LA": 2,
    "I;16": 2,
    "RGB": 3,
    "YCbCr": 3,
    "LAB": 3,
    "HSV": 3,
    "RGBA": 4,
    "RGBa": 4,
    "CMYK": 4,
    "I": 4,
    "F": 4,
}
# Pillow's own bomb guard as a second line (it raises at twice this); ours below is stricter.
Image.MAX_IMAGE_PIXELS = 50_000_000


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "HAZARDS_PHOTO_MAX_BYTES", rules.PHOTO_RULE["max_bytes"]),
        min(
            getattr(settings, "HAZARDS_PHOTO_MAX_PIXELS", rules.PHOTO_RULE["max_pixels"]),
            rules.PHOTO_RULE["max_pixels"],
        ),
    )


def decoded_bytes(width: int, height: int, mode: str) -> int:
    """What decoding costs in memory: the pixels in their mode, converted to at most 4 bytes each
    (the copies made for orientation and stripping are of the same size or smaller)."""
    per_pixel = 4 if mode == "P" else BYTES_PER_PIXEL.get(mode, 4)  # a palette image is expanded to RGBA
    return width * height * per_pixel


def check_dimensions(width: int, height: int, mode: str) -> None:
    """Refuse, before any pixel is decoded, an image too large in pixels or in decoded memory."""
    _max_bytes, max_pixels = _limits()
    max_decoded = getattr(settings, "HAZARDS_PHOTO_MAX_DECODED_BYTES", 120 * 1024 * 1024)
    if (
        width <= 0
        or height <= 0
        or width * height > max_pixels
        or decoded_bytes(width, height, mode) > max_decoded
    ):
        raise ActionError(_("照片像素过大"), field="photos", code="too_many_pixels")


def check_photo_count(case: HazardCase, adding: int = 1) -> None:
    """A case holds at most HAZARDS_PHOTOS_PER_CASE photos (all kinds together)."""
    cap = getattr(settings, "HAZARDS_PHOTOS_PER_CASE", 30)
    if case.pk and case.photos.count() + adding > cap:
        raise ActionError(_("每个隐患最多 %(n)d 张照片") % {"n": cap}, field="photos", code="too_many_photos")


def read_upload(f: Any, field: str = "photos") -> tuple[bytes, str]:
    """The bytes and sniffed format of an upload, or a clear error naming the field."""
    max_bytes, _max_pixels = _limits()
    data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ActionError(
            _("照片不能超过 %(mb)d MB") % {"mb": max_bytes // (1024 * 1024)}, field=field, code="too_large"
        )
    if not data:
        raise ActionError(_("照片是空文件"), field=field, code="empty")
    fmt = rules.sniff_image_format(data[:16])
    if fmt is None:
        raise ActionError(_("照片只能是 JPEG、PNG 或 WebP 格式"), field=field, code="bad_type")
    return data, fmt


def strip_metadata(data: bytes, fmt: str) -> tuple[bytes, int, int]:
    """A copy made from the pixels only (orientation applied first), scaled to at most PUBLIC_MAX_SIDE."""
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.format != fmt:
                raise ActionError(_("照片内容与格式不符"), field="photos", code="bad_type")
            check_dimensions(probe.width, probe.height, probe.mode)
            probe.verify()
        with DECODE_SLOTS, Image.open(io.BytesIO(data)) as img:
            if fmt == "JPEG":
                img.draft(
                    "RGB", (PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE)
                )  # decode at 1/2, 1/4 or 1/8 scale when enough
            img.load()
            img = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            if img.mode == "P":
                img = img.convert("RGBA")
            img.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))  # shrink first: the copy below is then small
            clean = Image.frombytes(img.mode, img.size, img.tobytes())  # pixels only: no info, no EXIF
    except ActionError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ActionError(_("照片无法识别或已损坏"), field="photos", code="bad_image") from exc
    out = io.BytesIO()
    params: dict[str, Any] = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
    clean.save(out, format=fmt, **params)
    return out.getvalue(), clean.width, clean.height


def save_photo(case: HazardCase, f: Any, *, kind: str, user: Any = None) -> Photo:
    check_photo_count(case)
    data, fmt = read_upload(f)
    public, width, height = strip_metadata(data, fmt)
    photo = Photo(
        case=case,
        kind=kind,
        format=fmt,
        size=len(data),
        width=width,
        height=height,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    photo.original.save("original", ContentFile(data), save=False)
    photo.public_copy.save("public", ContentFile(public), save=False)
    photo.save()
    return photo


def content_type_of(fmt: str) -> str:
    return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        fmt, "application/octet-stream"
    )
