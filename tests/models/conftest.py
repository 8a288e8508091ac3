"""Fixtures for models tests: the two shipped policy packs, loaded once per session."""

from __future__ import annotations

import pytest

from kinerja.models.policy.loading import load_pack
from kinerja.models.policy.pack import PolicyPack


@pytest.fixture(scope="session")
def asn() -> PolicyPack:
    return load_pack("asn")


@pytest.fixture(scope="session")
def generic() -> PolicyPack:
    return load_pack("generic")
