"""Which files are accepted as evidence: the types (by extension and by their first bytes)
and the size limit, from the settings.

``KINERJA_EVIDENCE_TYPES`` lists the accepted extensions (comma-separated, default
:data:`DEFAULT_TYPES`), each one of :data:`KNOWN_TYPES`; ``KINERJA_EVIDENCE_MAX_MB`` is the
largest file in megabytes (MiB, default 10; a decimal such as ``0.5`` is allowed). A file is
checked by its name's extension and, where the format has a signature, by its first bytes:
a ``.pdf`` that does not start with ``%PDF-`` is refused, whatever its name says.

    >>> rules = EvidenceRules.from_env({})
    >>> rules.check("laporan.pdf", b"%PDF-1.7 ...", 1200) is None
    True
    >>> rules.check("laporan.pdf", b"<html>", 6).code
    'content'
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SNIFF_BYTES = 512
"""How many first bytes the checks read."""

DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png", "xlsx", "docx", "odt", "ods", "csv", "txt")
DEFAULT_MAX_MB = 10.0

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _starts(*magic: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(magic)


def _odf(media_type: str) -> Callable[[bytes], bool]:
    # An OpenDocument file is a zip whose first entry, stored uncompressed, is "mimetype".
    marker = b"mimetype" + media_type.encode()
    return lambda head: head.startswith(_ZIP) and marker in head[:SNIFF_BYTES]


def _text(head: bytes) -> bool:
    # Plain text (CSV, TXT) has no NUL byte and is no known binary format.
    return b"\x00" not in head and not head.startswith((b"%PDF", _ZIP, _OLE, b"\x89PNG"))


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its media type and the check of its first bytes."""

    media_type: str
    looks_right: Callable[[bytes], bool]
    label: str


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
KNOWN_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", _starts(b"%PDF-"), "PDF"),
    "jpg": FileType("image/jpeg", _starts(b"\xff\xd8\xff"), "JPEG"),
    "jpeg": FileType("image/jpeg", _starts(b"\xff\xd8\xff"), "JPEG"),
    "png": FileType("image/png", _starts(b"\x89PNG\r\n\x1a\n"), "PNG"),
    "gif": FileType("image/gif", _starts(b"GIF87a", b"GIF89a"), "GIF"),
    "webp": FileType("image/webp", _webp, "WebP"),
    "xlsx": FileType(_OOXML + "spreadsheetml.sheet", _starts(_ZIP), "Excel"),
    "docx": FileType(_OOXML + "wordprocessingml.document", _starts(_ZIP), "Word"),
    "pptx": FileType(_OOXML + "presentationml.presentation", _starts(_ZIP), "PowerPoint"),
    "xls": FileType("application/vnd.ms-excel", _starts(_OLE), "Excel 97"),
    "doc": FileType("application/msword", _starts(_OLE), "Word 97"),
    "odt": FileType(_ODF + "text", _odf(_ODF + "text"), "OpenDocument"),
    "ods": FileType(_ODF + "spreadsheet", _odf(_ODF + "spreadsheet"), "OpenDocument"),
    "odp": FileType(_ODF + "presentation", _odf(_ODF + "presentation"), "OpenDocument"),
    "csv": FileType("text/csv", _text, "CSV"),
    "txt": FileType("text/plain", _text, "text"),
}
"""Every extension that may be listed in ``KINERJA_EVIDENCE_TYPES``."""


@dataclass(frozen=True)
class Refused:
    """Why a file is refused: ``code`` is ``empty``, ``too_large``, ``type`` or ``content``."""

    code: str
    filename: str
    size: int


def clean_filename(raw: str) -> str:
    """The name a file is listed and downloaded under: the last part of what the browser
    sent (some send a whole path), without control characters, at most 255 characters with
    its extension kept."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) < 16 else name[:255]
    return name or "bukti"


def extension(filename: str) -> str:
    """The lower-case extension of ``filename`` ("" when it has none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


@dataclass(frozen=True)
class EvidenceRules:
    """The accepted extensions and the largest file, in bytes."""

    types: tuple[str, ...] = DEFAULT_TYPES
    max_bytes: int = int(DEFAULT_MAX_MB * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EvidenceRules:
        """The rules in force (``KINERJA_EVIDENCE_TYPES``, ``KINERJA_EVIDENCE_MAX_MB``);
        a bad setting raises ValueError naming it, in both languages."""
        env = os.environ if environ is None else environ
        raw_types = env.get("KINERJA_EVIDENCE_TYPES", "").strip()
        types = DEFAULT_TYPES
        if raw_types:
            types = tuple(
                dict.fromkeys(
                    t.strip().lower().lstrip(".") for t in raw_types.split(",") if t.strip()
                )
            )
            unknown = [t for t in types if t not in KNOWN_TYPES]
            if unknown or not types:
                raise ValueError(
                    f"KINERJA_EVIDENCE_TYPES: jenis tidak dikenal / unknown types {unknown}; "
                    f"known: {', '.join(KNOWN_TYPES)}"
                )
        raw_mb = env.get("KINERJA_EVIDENCE_MAX_MB", "").strip()
        try:
            mb = float(raw_mb.replace(",", ".")) if raw_mb else DEFAULT_MAX_MB
        except ValueError:
            mb = -1.0
        if not 0 < mb <= 1024:
            raise ValueError(
                "KINERJA_EVIDENCE_MAX_MB harus angka MB antara 0 dan 1024 / must be a number "
                f"of megabytes between 0 and 1024, not {raw_mb!r}"
            )
        return cls(types=types, max_bytes=int(mb * 1024 * 1024))

    @property
    def max_mb(self) -> float:
        return self.max_bytes / (1024 * 1024)

    def media_types(self) -> tuple[str, ...]:
        """The media types of the accepted extensions, each once."""
        return tuple(dict.fromkeys(KNOWN_TYPES[t].media_type for t in self.types))

    def media_type(self, filename: str) -> str:
        """The media type a file is stored and served with: its extension's, never the one
        the browser declared."""
        return KNOWN_TYPES[extension(filename)].media_type

    def check(self, filename: str, head: bytes, size: int) -> Refused | None:
        """Why the file named ``filename`` of ``size`` bytes starting with ``head`` is
        refused, or None when it is accepted."""
        ext = extension(filename)
        if ext not in self.types:
            return Refused("type", filename, size)
        if size <= 0:
            return Refused("empty", filename, size)
        if size > self.max_bytes:
            return Refused("too_large", filename, size)
        if not KNOWN_TYPES[ext].looks_right(head[:SNIFF_BYTES]):
            return Refused("content", filename, size)
        return None
