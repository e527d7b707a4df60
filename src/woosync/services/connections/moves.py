"""A connection given a new URL: the same store at a new address, or another store.

Sync records hold the old store's product ids, so a URL of a different store (see
:func:`~woosync.core.store_urls.same_store_url`) is refused while there are any, unless
the caller says which it is: ``move_to_new_store`` drops them (with the old store's ids of
categories, tags, attributes and images, and the import bookmark; the mappings stay), and
``same_store`` keeps everything. Without sync records a different store's ids and bookmark go too.
"""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from woosync.core.errors import ValidationError, param
from woosync.core.store_urls import same_store_url
from woosync.db.models import (
    Connection,
    ExportMapping,
    ImportMapping,
    ProductSync,
    StoreRef,
    SyncCursor,
)

# the tables whose rows belong to one connection
ConnectionTable = (
    type[ProductSync]
    | type[StoreRef]
    | type[SyncCursor]
    | type[ExportMapping]
    | type[ImportMapping]
)

# what a move to another store drops: label (in the warning) -> table
_STORE_DATA: tuple[tuple[str, ConnectionTable], ...] = (
    ("syncRecords", ProductSync),
    ("storeRefs", StoreRef),
    ("cursors", SyncCursor),
)


def count_rows(session: Session, model: ConnectionTable, connection_id: int) -> int:
    """How many rows of ``model`` belong to the connection."""
    statement = select(func.count()).select_from(model).where(model.connection_id == connection_id)
    return int(session.exec(statement).one())


def check_move_options(url: str | None, *, move: bool, same: bool) -> None:
    """``move_to_new_store`` and ``same_store`` go with a new URL, and only one of them."""
    if (move or same) and url is None:
        given = param("move_to_new_store") if move else param("same_store")
        raise ValidationError(
            f"{given} goes with a new {param('url')}", hint=f"pass {param('url')} NEW_ADDRESS"
        )
    if move and same:
        raise ValidationError(
            f"{param('move_to_new_store')} and {param('same_store')} exclude each other",
            hint="pass only one",
        )


def check_store_change(
    session: Session, conn: Connection, new_url: str, *, move: bool, same: bool
) -> None:
    """Refuse a different store's URL while sync records hold the old store's product ids."""
    if move or same or same_store_url(conn.store_url, new_url):
        return
    assert conn.id is not None
    records = count_rows(session, ProductSync, conn.id)
    if records:
        raise ValidationError(
            f"connection {conn.id} {conn.store_name!r} has {records} sync record(s) with product "
            f"ids of {conn.store_url}; {new_url} is another store",
            hint=f"pass {param('move_to_new_store')} to drop them (mappings stay), or "
            f"{param('same_store')} if the same store moved to this address",
        )


def leaves_the_store(conn: Connection, new_url: str, *, move: bool, same: bool) -> bool:
    """Whether the new URL is another store, whose ids and bookmark must go."""
    return move or not (same or same_store_url(conn.store_url, new_url))


def forget_store(session: Session, connection_id: int) -> dict[str, int]:
    """Delete the connection's sync records, store ids and bookmarks (in the caller's
    transaction); how many of each, by label."""
    dropped: dict[str, int] = {}
    for label, model in _STORE_DATA:
        dropped[label] = count_rows(session, model, connection_id)
        statement = delete(model).where(col(model.connection_id) == connection_id)
        session.execute(statement.execution_options(synchronize_session=False))
    return dropped
