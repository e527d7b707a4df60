"""Tombstones: SKUs removed from the catalog, so an import does not bring them back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete

from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import upsert_many
from woosync.db.models import RemovedProduct

if TYPE_CHECKING:
    from sqlmodel import Session

_TABLE: Any = RemovedProduct.__table__  # type: ignore[attr-defined]


def tombstones(session: Session) -> dict[str, str]:
    """The removed SKUs, case-folded -> as they were written (few: read whole)."""
    rows = session.execute(_TABLE.select().with_only_columns(_TABLE.c.sku))
    return {sku.casefold(): sku for (sku,) in rows}


def add_tombstones(session: Session, removed: Iterable[tuple[str, str]]) -> None:
    """Remember these ``(sku, name)`` as removed."""
    now = utcnow()
    rows = [{"sku": sku, "name": name, "removed_at": now} for sku, name in removed]
    if rows:
        upsert_many(session, _TABLE, rows, conflict=("sku",))


def drop_tombstones(session: Session, skus: Iterable[str]) -> None:
    """Forget that these SKUs were removed (without regard to case, as SKUs are compared)."""
    wanted = {sku.casefold() for sku in skus if sku}
    if not wanted:
        return
    found = [sku for folded, sku in tombstones(session).items() if folded in wanted]
    if found:
        session.execute(delete(_TABLE).where(_TABLE.c.sku.in_(found)))
