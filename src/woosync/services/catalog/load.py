"""``products load``: a CSV, JSON or YAML product file upserted by SKU in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from woosync.files.product_files import detect_format, read_product_file
from woosync.products.rows import validate_rows
from woosync.services.catalog.upsert import upsert_rows
from woosync.services.catalog.views import LoadReport

if TYPE_CHECKING:
    from woosync.db.engine import Database


def load_products(
    db: Database,
    path: Path | str,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    decimal_comma: bool = False,
) -> LoadReport:
    """Upsert a CSV, JSON or YAML product file by SKU in one transaction (see ``upsert_products``).

    ``decimal_comma`` reads European spreadsheets: ``12,50`` is 12.50 in money and measure columns
    and in custom fields that look like such numbers.
    """
    fmt = detect_format(path, fmt)
    valid, errors = validate_rows(read_product_file(path, fmt), decimal_comma=decimal_comma)
    with db.session() as session:
        result = upsert_rows(
            session, valid, errors, skip_invalid=skip_invalid, dry_run=dry_run, update_existing=True
        )
    return LoadReport(str(path), fmt, dry_run, result)
