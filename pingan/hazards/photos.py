"""Photo intake: the type is checked from the content (JPEG, PNG, WebP), the size and pixel count are
bounded, and a public copy is re-encoded from the pixels alone, so that no EXIF/GPS (or any other
metadata) reaches the public."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pingan.core.actions import ActionError

from . import rules
from .models import HazardCase, Photo

PUBLIC_MAX_SIDE = 2048


def _limits() -> tuple[int, int]:
    return (getattr(settings, "HAZARDS_PHOTO_MAX_BYTES", rules.PHOTO_RULE["max_bytes"]),
            rules.PHOTO_RULE["max_pixels"])


def read_upload(f: Any, field: str = "photos") -> tuple[bytes, str]:
    """The bytes and sniffed format of an upload, or a clear error naming the field."""
    max_bytes, _max_pixels = _limits()
    data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ActionError(_("照片不能超过 %(mb)d MB") % {"mb": max_bytes // (1024 * 1024)}, field=field, code="too_large")
    if not data:
        raise ActionError(_("照片是空文件"), field=field, code="empty")
    fmt = rules.sniff_image_format(data[:16])
    if fmt is None:
        raise ActionError(_("照片只能是 JPEG、PNG 或 WebP 格式"), field=field, code="bad_type")
    return data, fmt


def strip_metadata(data: bytes, fmt: str) -> tuple[bytes, int, int]:
    """A copy made from the pixels only (orientation applied first), scaled to at most PUBLIC_MAX_SIDE."""
    _max_bytes, max_pixels = _limits()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt.replace("WEBP", "WEBP"):
                raise ActionError(_("照片内容与格式不符"), field="photos", code="bad_type")
            if probe.width * probe.height > max_pixels:
                raise ActionError(_("照片像素过大"), field="photos", code="too_many_pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            if img.mode == "P":
                img = img.convert("RGBA")
            clean = Image.frombytes(img.mode, img.size, img.tobytes())  # pixels only: no info, no EXIF
            clean.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    except ActionError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ActionError(_("照片无法识别或已损坏"), field="photos", code="bad_image") from exc
    out = io.BytesIO()
    params: dict[str, Any] = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
    clean.save(out, format=fmt, **params)
    return out.getvalue(), clean.width, clean.height


def save_photo(case: HazardCase, f: Any, *, kind: str, user: Any = None) -> Photo:
    data, fmt = read_upload(f)
    public, width, height = strip_metadata(data, fmt)
    photo = Photo(case=case, kind=kind, format=fmt, size=len(data), width=width, height=height,
                  uploaded_by=user if getattr(user, "is_authenticated", False) else None)
    photo.original.save("original", ContentFile(data), save=False)
    photo.public_copy.save("public", ContentFile(public), save=False)
    photo.save()
    return photo


def content_type_of(fmt: str) -> str:
    return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "application/octet-stream")
