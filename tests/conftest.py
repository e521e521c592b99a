"""Shared fixtures: the portals of `crawler.testing.portals`, served on loopback."""

from __future__ import annotations

import pytest

from crawler.testing import portals


@pytest.fixture
def clean_portal():
    """CPR in first-party traffic only; third parties get nothing that identifies the citizen."""
    with portals.clean_portal() as server:
        yield server


@pytest.fixture
def leaky_portal():
    with portals.leaky_portal() as server:
        yield server
