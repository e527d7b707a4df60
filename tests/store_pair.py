"""Two fresh databases holding the same connection 1: for tests that compare how rows are written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from woosync.db.engine import Database, open_database
from woosync.db.models import Connection


@contextmanager
def store_pair(first: Path, second: Path) -> Iterator[tuple[Database, Database]]:
    pair = (open_database(first), open_database(second))
    for store in pair:
        with store.session() as session:
            session.add(Connection(id=1, store_name="Retail", store_url="https://shop.test"))
    try:
        yield pair
    finally:
        for store in pair:
            store.dispose()
