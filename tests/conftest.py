"""Shared fixtures and the Hypothesis profiles (helpers live in tests/helpers.py)."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.helpers import SEED

settings.register_profile("default", max_examples=150, deadline=None)
settings.register_profile("fuzz", max_examples=20000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
