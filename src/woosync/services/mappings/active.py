"""A connection's active mapping row, read alone: the export reads its active export mapping on
every run and needs nothing else of the mapping services (no rules, views nor records)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from sqlmodel import col, select

from woosync.db.models import ExportMapping, ImportMapping

if TYPE_CHECKING:
    from sqlmodel import Session

M = TypeVar("M", ExportMapping, ImportMapping)


def active_row(session: Session, model: type[M], connection_id: int) -> M | None:
    """The connection's active mapping of ``model``'s direction (the latest updated), or None."""
    return session.exec(
        select(model)
        .where(model.connection_id == connection_id, col(model.is_active).is_(True))
        .order_by(col(model.updated_at).desc(), col(model.id).desc())
    ).first()
