"""The evidence store is content-addressed: an object's path is its sha256, the same bytes
are stored once, and a stored object is read back exactly; on a local folder (the default,
under KINERJA_HOME) and on another fsspec filesystem (memory://)."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest

from kinerja.models.evidence.storage import EvidenceStore, evidence_url


def test_the_default_store_is_a_folder_under_kinerja_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_HOME", str(tmp_path))
    monkeypatch.delenv("KINERJA_EVIDENCE_URL", raising=False)
    assert evidence_url() == str(tmp_path / "evidence")
    monkeypatch.setenv("KINERJA_EVIDENCE_URL", "memory://agency-evidence")
    assert evidence_url() == "memory://agency-evidence"


@pytest.mark.parametrize("where", ["folder", "memory"])
def test_the_same_bytes_are_stored_once_under_their_sha256(where, tmp_path):
    url = str(tmp_path / "evidence") if where == "folder" else f"memory://ev-{uuid.uuid4().hex}"
    store = EvidenceStore(url)
    data = b"%PDF-1.7\n" + bytes(range(256)) * 4000  # over one chunk of the copy
    digest = hashlib.sha256(data).hexdigest()

    assert store.put(io.BytesIO(data)) == digest
    assert store.put(io.BytesIO(data)) == digest  # again: nothing new
    assert store.put(io.BytesIO(b"other bytes")) != digest

    objects = sorted(p for p in store.fs.find(store.root))
    assert len(objects) == 2, objects  # no temporary part left behind
    assert f"{store.root}/{digest[:2]}/{digest}" in objects
    assert store.exists(digest)
    assert store.read(digest) == data
    assert b"".join(store.chunks(digest)) == data
    if where == "folder":
        assert (tmp_path / "evidence" / digest[:2] / digest).read_bytes() == data


def test_a_stored_object_is_never_rewritten(tmp_path):
    store = EvidenceStore(str(tmp_path))
    digest = store.put(io.BytesIO(b"evidence"))
    path = Path(store.path(digest))
    before = path.stat().st_mtime_ns
    store.put(io.BytesIO(b"evidence"), digest)
    assert path.stat().st_mtime_ns == before


def test_only_a_sha256_names_an_object(tmp_path):
    store = EvidenceStore(str(tmp_path))
    for bad in ("../../etc/passwd", "AB" * 32, "0" * 63, ""):
        with pytest.raises(ValueError):
            store.path(bad)
