"""The transaction an import writes its pages in.

Kept open across pages that are already downloaded (fewer commits), committed before waiting for
the store and every ``COMMIT_EVERY`` products, so other woosync runs sharing the database never
wait long for it. Each page takes SQLite's write lock before it reads the catalog
(``BEGIN IMMEDIATE``): an import from another store (its own run lock, the same catalog) may insert
the same SKUs, and a match read outside this transaction would be stale by the insert (UNIQUE
``products.sku``). A second import waits there (busy timeout), then finds those products by SKU.
After each commit ``on_commit`` runs: the results of the committed pages are handed out then.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

COMMIT_EVERY = 1000  # products written in one transaction at most


class PageTransaction:
    """One open transaction at a time; a dry run rolls back where a run commits."""

    def __init__(self, db: Database, dry_run: bool, on_commit: Callable[[], None]) -> None:
        self.db = db
        self.dry_run = dry_run
        self._on_commit = on_commit
        self._context: AbstractContextManager[Session] | None = None
        self._session: Session | None = None
        self._written = 0

    def session(self) -> Session:
        if self._session is None:
            self._context = self.db.session()
            self._session = self._context.__enter__()
            if not self.dry_run:
                self._session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return self._session

    def wrote(self, count: int) -> None:
        self._written += count
        if self._written >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Commit what was written (a dry run: roll it back), then hand out its results."""
        if self._session is not None and self._context is not None:
            if self.dry_run:
                self._session.rollback()
            context, self._context, self._session, self._written = self._context, None, None, 0
            context.__exit__(None, None, None)
        self._on_commit()

    def close(self) -> None:
        """After an error: roll back what was not committed."""
        if self._session is not None and self._context is not None:
            self._session.rollback()
            context, self._context, self._session = self._context, None, None
            context.__exit__(None, None, None)  # closes the session; nothing left to commit
