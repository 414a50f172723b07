"""Lesson media uploaded by staff: which files are accepted and how large.

A file is accepted by its extension AND its content (an image must open as that image format; a
video must start with the MP4 `ftyp` box or the WebM/Matroska EBML header), so a renamed file is
refused with a clear reason. The limits are platform configuration (settings `CULTURE_IMAGE_MAX_MB`,
`CULTURE_VIDEO_MAX_MB`), not law: phones in mountain townships download these lessons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Extension → the format Pillow must find inside.
IMAGE_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
VIDEO_TYPES = (".mp4", ".webm")
IMAGE_HELP = gettext_lazy("JPG、PNG 或 WebP,不超过 5 MB")
VIDEO_HELP = gettext_lazy("MP4 或 WebM,不超过 200 MB")


def image_max_bytes() -> int:
    return int(getattr(settings, "CULTURE_IMAGE_MAX_MB", 5)) * 1024 * 1024


def video_max_bytes() -> int:
    return int(getattr(settings, "CULTURE_VIDEO_MAX_MB", 200)) * 1024 * 1024


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("文件过大(上限 %(mb)s MB)") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
    )


def check_image(upload: Any) -> Any:
    """The upload if it is a JPEG, PNG or WebP image within the size limit; no upload (None, False
    for "clear", the file the lesson already has) passes unchanged."""
    if not isinstance(upload, UploadedFile):
        return upload
    ext = Path(str(upload.name)).suffix.lower()
    if ext not in IMAGE_TYPES:
        raise ValidationError(_("图片只接受 JPG、PNG 或 WebP 文件"), code="invalid_extension")
    limit = image_max_bytes()
    if upload.size > limit:
        raise _too_large(limit)
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except Exception as exc:  # Pillow raises many kinds for a file that is not an image
        raise ValidationError(_("文件不是有效的图片"), code="invalid_image") from exc
    finally:
        upload.seek(0)
    if fmt != IMAGE_TYPES[ext]:
        raise ValidationError(_("图片内容与扩展名不符"), code="invalid_image")
    return upload


def _looks_like_video(head: bytes, ext: str) -> bool:
    if ext == ".mp4":
        return len(head) >= 8 and head[4:8] == b"ftyp"
    return head[:4] == b"\x1a\x45\xdf\xa3"  # EBML (WebM/Matroska)


def check_video(upload: Any) -> Any:
    """The upload if it is an MP4 or WebM video within the size limit; no upload passes unchanged."""
    if not isinstance(upload, UploadedFile):
        return upload
    ext = Path(str(upload.name)).suffix.lower()
    if ext not in VIDEO_TYPES:
        raise ValidationError(_("视频只接受 MP4 或 WebM 文件"), code="invalid_extension")
    limit = video_max_bytes()
    if upload.size > limit:
        raise _too_large(limit)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _looks_like_video(head, ext):
        raise ValidationError(_("文件不是有效的视频"), code="invalid_video")
    return upload
