"""Images travel from the phone as data URLs inside the JSON body (a record kept in IndexedDB is one
JSON document, photos and signatures included). Decoded here, bounded, and checked to be the image
type they claim; the domain apps check them again as they store them."""

from __future__ import annotations

import base64
import binascii
import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from pingan.core.actions import ActionError

FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
SIGNATURE_MAX_BYTES = 512 * 1024


def decode_image(
    value: str, *, field: str, name: str, max_bytes: int = PHOTO_MAX_BYTES, png: bool = False
) -> ContentFile:
    head, sep, body = (value or "").partition(",")
    mime = head[5:].split(";")[0] if head.startswith("data:") else ""
    if not sep or not head.endswith(";base64") or mime not in FORMATS or (png and mime != "image/png"):
        message = _("须为 PNG 图片") if png else _("须为 JPEG、PNG 或 WebP 图片")
        raise ActionError(message, field=field, code="invalid_image")
    if len(body) > max_bytes * 4 // 3 + 4:
        raise ActionError(
            _("图片不能超过 %(n)d KB") % {"n": max_bytes // 1024}, field=field, code="too_large"
        )
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ActionError(_("图片数据无法解码"), field=field, code="invalid_image") from exc
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ActionError(_("图片数据无法解码"), field=field, code="invalid_image") from exc
    if fmt != FORMATS[mime]:
        raise ActionError(_("图片类型与声明不符"), field=field, code="invalid_image")
    return ContentFile(data, name=f"{name}.{fmt.lower().replace('jpeg', 'jpg')}")
