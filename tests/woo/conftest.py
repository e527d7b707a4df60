"""Fixtures for the WooCommerce client tests: a client factory whose retry pauses are recorded by the
clock fixture instead of slept, DEBUG logs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from manual_clock import ManualClock
from woo.woo_helpers import HTTP_STORE, KEY, SECRET
from woosync.woo import WooClient


@pytest.fixture
def sleeps(clock: ManualClock) -> list[float]:
    """The pauses the clients asked for, in order (woosync's clock returns at once)."""
    return clock.sleeps


@pytest.fixture
def make_client(clock: ManualClock) -> Iterator[Callable[..., WooClient]]:
    """Build clients whose retry waits are recorded instead of slept (they pause on the clock)."""
    made: list[WooClient] = []

    def build(store_url: str = HTTP_STORE, **kwargs: Any) -> WooClient:
        client = WooClient(store_url, KEY, SECRET, **kwargs)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


@pytest.fixture
def woo_logs(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Any:
    """caplog at DEBUG for woosync (whose logger may have been detached by configure_logging)."""
    monkeypatch.setattr(logging.getLogger("woosync"), "propagate", True)
    monkeypatch.setattr(logging.getLogger("woosync"), "level", logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    return caplog
