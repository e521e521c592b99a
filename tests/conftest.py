"""Shared fixtures: the portals of `crawler.testing.portals`, served on loopback; slow tests
first."""

from __future__ import annotations

import os
import signal

import pytest

from crawler import npm
from crawler.owners import trackerdb
from crawler.testing import portals
from crawler.testing.person import Missing, Person, virtual_display
from crawler.testing.trackerdb import write_trackerdb


@pytest.fixture
def clean_portal():
    """CPR in first-party traffic only; third parties get nothing that identifies the citizen."""
    with portals.clean_portal() as server:
        yield server


@pytest.fixture
def leaky_portal():
    with portals.leaky_portal() as server:
        yield server


@pytest.fixture
def display(monkeypatch):
    """A virtual X display (Xvfb) as $DISPLAY, for a headed browser; the test is skipped, with
    the reason, where Xvfb is missing."""
    try:
        with virtual_display() as name:
            monkeypatch.setenv("DISPLAY", name)
            yield name
    except Missing as exc:
        pytest.skip(str(exc))


@pytest.fixture
def person(display):
    """A person at the virtual display's keyboard and mouse (xdotool)."""
    try:
        return Person(display)
    except Missing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session", autouse=True)
def fixture_trackerdb(tmp_path_factory):
    """Every test names owners from the small fixture database, whether or not the real one is
    installed here; audit processes inherit the setting."""
    folder = write_trackerdb(tmp_path_factory.mktemp("trackerdb"))
    before = os.environ.get(trackerdb.ENV_VAR)
    os.environ[trackerdb.ENV_VAR] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(trackerdb.ENV_VAR, None)
    else:
        os.environ[trackerdb.ENV_VAR] = before


@pytest.fixture(scope="session", autouse=True)
def data_folder():
    """The npm packages `cpraudit setup` installed, found by tests that run under a home of
    their own (pytester's) as by the user's runs: the folder named, not looked up from HOME."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(npm.DATA_VAR, str(npm.data_dir()))
        yield


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C interrupts the commands tests start, as at a terminal. A test run started in the
    background (`make test &`, nohup, a CI step's shell) ignores SIGINT, every command inherits
    that, and a test that presses Ctrl-C would wait for good."""
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests start first: spread over the workers, they then overlap the many short ones
    instead of running on alone at the end of `make test`."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
