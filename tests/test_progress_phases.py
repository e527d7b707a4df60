"""The export and import services announce their phases to a Progress, with counts and the
totals they know (the CLI draws a labelled bar per phase)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_variation_export import FIELDS, shop
from woosync.core.progress import Phase, Progress
from woosync.db.engine import open_database
from woosync.services.catalog.lookup import find_product
from woosync.services.export.request import ExportRequest
from woosync.services.export.run import export_products
from woosync.services.imports.options import ImportRequest
from woosync.services.imports.run import import_products

__all__ = ["shop"]  # the fixture, used by name


class Recording:
    """A Progress that keeps each phase as ``[label, total, count]``."""

    def __init__(self) -> None:
        self.phases: list[list[Any]] = []

    def phase(self, phase: Phase | str, total: int | None = None) -> None:
        self.phases.append([str(phase), total, 0])

    def set_total(self, total: int) -> None:
        self.phases[-1][1] = total

    def advance(self, count: int = 1) -> None:
        assert self.phases, "a count before any phase"
        self.phases[-1][2] += count

    def __call__(self, count: int) -> None:
        self.advance(count)


def test_an_export_and_an_import_announce_their_phases(db_path: Path, shop: Any) -> None:
    _sandbox, conn = shop
    db = open_database(db_path)
    try:
        first = Recording()
        assert isinstance(first, Progress)
        result = export_products(
            db, ExportRequest(conn, all_products=True, fields=FIELDS.split(",")), progress=first
        )
        assert result.synced_count == 5
        # two products planned (the total known from the start) and sent in one chunk, then
        # the three variations (their total known before any is sent)
        assert first.phases == [
            [str(Phase.PLANNING), 2, 2],
            [str(Phase.SENDING), 2, 2],
            ["sending variations", 3, 3],
        ]

        again = Recording()
        request = ExportRequest(conn, all_products=True, fields=FIELDS.split(","), partial=True)
        export_products(db, request, progress=again)
        # nothing to send: every product settled while planning, the variations unchanged
        assert again.phases == [[str(Phase.PLANNING), 2, 2], ["sending variations", 3, 3]]

        with db.session() as session:
            named = find_product(session, "TEE-M-RED")
        one = Recording()
        named_only = ExportRequest(conn, product_ids=[int(named.id or 0)], fields=FIELDS.split(","))
        export_products(db, named_only, progress=one)
        # a variation named: its variable product goes out in its place, then that one variation
        assert one.phases == [
            [str(Phase.PLANNING), 1, 1],
            [str(Phase.SENDING), 1, 1],
            ["sending variations", 1, 1],
        ]

        imported = Recording()
        import_products(db, ImportRequest(conn), progress=imported)
        # the store's two products read (and written) page by page, out of the total its first
        # page announced, then the last commit
        assert imported.phases == [
            [str(Phase.READING), 2, 2],
            [str(Phase.RECORDING), None, 0],
        ]
    finally:
        db.dispose()
