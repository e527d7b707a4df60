"""The registry keeps image ids in the database and reads them a chunk at a time (issue 12)."""

from __future__ import annotations

from woosync.db.engine import Database
from woosync.db.models import Connection
from woosync.services.export.images import adopt_store_images
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
        adopt_store_images(registry, ["https://x/a.jpg"], [{"id": 11, "src": "https://s/a.jpg"}])
        == 0
    )


def test_a_chunk_reads_its_own_stores_ids_of_any_url_in_one_statement(
    db_pair: tuple[Database, Database],
) -> None:
    _orm, db = db_pair
    odd = ['https://img.example/tee "1" & ü.jpg', "https://img.example/a\\b.jpg"]
    many = [f"https://img.example/{n}.jpg" for n in range(1200)]  # more than a SQL IN list holds
    with db.session() as session:
        session.add(Connection(id=2, store_name="Outlet", store_url="https://outlet.test"))
    mine, other = StoreRegistry(1), StoreRegistry(2)
    for n, url in enumerate([*odd, *many]):
        mine.remember(IMAGE, url, 100 + n)
    other.remember(IMAGE, many[0], 7)
    with db.session() as session:
        mine.flush(session)
        other.flush(session)

    registry = StoreRegistry(1)
    registry._db = db
    statements: list[str] = []
    with db.session() as session:
        session.connection().connection.dbapi_connection.set_trace_callback(statements.append)  # type: ignore[union-attr]
        registry.load_images(session, [*odd, *many, "https://img.example/never.jpg"])
        session.connection().connection.dbapi_connection.set_trace_callback(None)  # type: ignore[union-attr]
    assert registry._refs[(IMAGE, odd[0])] == 100 and registry._refs[(IMAGE, odd[1])] == 101
    assert registry._refs[(IMAGE, many[0])] == 102  # this store's id, not the other's 7
    assert registry._refs[(IMAGE, many[-1])] == 100 + len(odd) + len(many) - 1
    assert (IMAGE, "https://img.example/never.jpg") not in registry._refs
    assert len([s for s in statements if "store_refs" in s]) == 1
