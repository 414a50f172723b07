"""Documents on a case (PDF, Word): the type is sniffed from the content (magic bytes; a Word 2007+
file must be a zip holding word/document.xml), never taken from the name or the browser's claim;
the size is bounded before anything is stored."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from pingan.core import uploads
from pingan.core.actions import ActionError

from . import rules

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


def max_bytes() -> int:
    return int(getattr(settings, "HAZARDS_ATTACHMENT_MAX_BYTES", rules.ATTACHMENT_RULE["max_bytes"]))


def read_attachment(f: Any, field: str = "file") -> tuple[bytes, str, str]:
    """(bytes, format, clean file name) of an upload, or an ActionError naming the field."""
    if f is None or not hasattr(f, "read"):
        raise ActionError(_("请选择文件"), field=field, code="required")
    limit = max_bytes()
    data = f.read(limit + 1)
    if len(data) > limit:
        raise ActionError(
            _("附件不能超过 %(mb)d MB") % {"mb": limit // (1024 * 1024)}, field=field, code="too_large"
        )
    if not data:
        raise ActionError(_("附件是空文件"), field=field, code="empty")
    fmt = uploads.document_format(data)
    if fmt is None:
        raise ActionError(_("附件只能是 PDF 或 Word 文档"), field=field, code="bad_type")
    return data, fmt, clean_name(getattr(f, "name", "") or "", fmt)


def clean_name(name: str, fmt: str) -> str:
    """The name shown and offered on download: no path, no control characters, the sniffed extension."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", base).strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or _('附件'))[:150]}.{fmt}"
