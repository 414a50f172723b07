"""What an uploaded document really is, read from its bytes (never from its name or the browser's
claim): PDF, Word 2007+ (a zip holding word/document.xml) or Word 97–2003 (an OLE compound file
naming the WordDocument stream). One check for every app that takes documents (hazard cases,
emergency plans): a spreadsheet, an installer or any zip renamed .docx is refused everywhere alike."""

from __future__ import annotations

import io
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A Word 97–2003 file is an OLE compound file whose directory names the "WordDocument" stream (UTF-16).
WORD_STREAM = "WordDocument".encode("utf-16-le")


def sniff_document_format(head: bytes, zip_names: frozenset[str] | None = None) -> str | None:
    """A document's format from its first bytes: PDF, Word 2007+ (a zip holding word/document.xml:
    `zip_names` are the archive's member names) or Word 97–2003 (OLE). A pure rule."""
    if head[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        return "docx" if zip_names is not None and "word/document.xml" in zip_names else None
    if head[:8] == OLE_MAGIC:
        return "doc"
    return None


def zip_names(data: bytes) -> frozenset[str] | None:
    """The member names of a zip archive, None when `data` is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return frozenset(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def document_format(data: bytes) -> str | None:
    """ "pdf", "docx" or "doc" for a whole document's bytes; None for anything else."""
    names = zip_names(data) if data[:4] == b"PK\x03\x04" else None
    fmt = sniff_document_format(data[:16], names)
    if fmt == "doc" and WORD_STREAM not in data:
        return None  # an OLE file that is not a Word document (a spreadsheet, an installer…)
    return fmt
