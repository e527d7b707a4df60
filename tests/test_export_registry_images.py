"""The registry keeps image ids in the database and reads them a chunk at a time (issue 12)."""

from __future__ import annotations

from woosync.db.engine import Database
from woosync.services.export.registry import CATEGORY, IMAGE, StoreRegistry

A, B, C = "https://img.example/a.jpg", "https://img.example/b.jpg", "https://img.example/c.jpg"


def test_image_ids_are_read_per_chunk_and_on_demand(db_pair: tuple[Database, Database]) -> None:
    _orm, db = db_pair
    first = StoreRegistry(1)
    first.remember(IMAGE, A, 11)
    first.remember(IMAGE, B, 12)
    first.remember(CATEGORY, "Kitchen", 5)
    with db.session() as session:
        first.flush(session)

    with db.session() as session:
        registry = StoreRegistry.load(session, 1, db)
    assert registry.get(CATEGORY, "Kitchen") == 5  # names load up front
    assert (IMAGE, A) not in registry._refs  # images do not
    with db.session() as session:
        registry.load_images(session, [A])
    assert registry._refs[(IMAGE, A)] == 11
    assert registry.image(B) == {"id": 12}  # outside the chunk: read on demand
    assert registry.image(C) == {"src": C}
    registry.remember(IMAGE, C, 13)
    with db.session() as session:
        registry.load_images(session, [B])  # the next chunk: the last one's rows are dropped
    assert (IMAGE, A) not in registry._refs
    assert registry.get(IMAGE, C) == 13  # learnt, not yet written: kept
    # an image id the database knows for another URL is not adopted for ours
    assert (
        registry.adopt_store_images(["https://x/a.jpg"], [{"id": 11, "src": "https://s/a.jpg"}])
        == 0
    )
