"""Where evidence bytes live: a content-addressed store on any fsspec URL.

The base is ``KINERJA_EVIDENCE_URL`` (default ``<KINERJA_HOME>/evidence``): a local folder,
or any URL fsspec reads, such as ``s3://bucket/kinerja-evidence`` with ``s3fs`` installed
(its credentials come from the usual environment of that filesystem). An object's path is
its sha256, split after two characters (``ab/abcdef...``), so writing the same bytes twice
stores them once and a stored object is never changed.

    >>> store = EvidenceStore("memory://evidence-doc")
    >>> digest = store.put(BytesIO(b"%PDF-1.7"))
    >>> store.read(digest)
    b'%PDF-1.7'
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import fsspec

from kinerja.models.store.db import DEFAULT_HOME

CHUNK = 1024 * 1024


def evidence_url(environ: Mapping[str, str] | None = None) -> str:
    """The store's base URL: ``KINERJA_EVIDENCE_URL``, else ``<KINERJA_HOME>/evidence``."""
    env = os.environ if environ is None else environ
    url = env.get("KINERJA_EVIDENCE_URL", "").strip()
    return url or str(Path(env.get("KINERJA_HOME", DEFAULT_HOME)) / "evidence")


def sha256_of(stream: BinaryIO) -> str:
    """The sha256 of what ``stream`` holds, read from its start; leaves it at its start."""
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


class EvidenceStore:
    """Write and read evidence by its sha256 under one fsspec base URL."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or evidence_url()
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")

    def path(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return f"{self.root}/{sha256[:2]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        return bool(self.fs.exists(self.path(sha256)))

    def put(self, stream: BinaryIO, sha256: str | None = None) -> str:
        """Store what ``stream`` holds (from its start) and return its sha256; bytes already
        stored are not written again. Written under a temporary name first and then moved,
        so that a crash never leaves a partial object under a sha256."""
        digest = sha256 or sha256_of(stream)
        target = self.path(digest)
        if self.fs.exists(target):
            return digest
        folder = target.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        partial = f"{folder}/.{digest}.{uuid.uuid4().hex}.part"
        stream.seek(0)
        with self.fs.open(partial, "wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                out.write(chunk)
        stream.seek(0)
        if self.fs.exists(target):  # another writer stored the same bytes meanwhile
            self.fs.rm(partial)
        else:
            self.fs.mv(partial, target)
        return digest

    def read(self, sha256: str) -> bytes:
        with self.fs.open(self.path(sha256), "rb") as f:
            return f.read()

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored bytes in chunks (for streaming a download)."""
        with self.fs.open(self.path(sha256), "rb") as f:
            yield from iter(lambda: f.read(CHUNK), b"")
