"""What ``woosync import`` prints: the terraform-style change lines, the capped tables of skipped
and conflicting products, the counts line, and the ``--json`` document spooled as it goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from woosync.cli import diff_lines as diff
from woosync.cli.json_stream import JsonList, emit
from woosync.cli.options import emit_result
from woosync.cli.run_counts import counts_line
from woosync.core.errors import spell_params

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output
    from woosync.services.imports.results import ImportResult, ProductResult
    from woosync.shapes.imports import Spell

SHOWN_PROBLEMS = 20
LEFT_ALONE = ("skipped", "excluded")  # the statuses of store products left alone, with the reason
SHOWN_LINES = 50  # of what changed (--json has every product)


class Report:
    """What the command keeps of the products an import hands out: under ``--json`` the two lists
    of the document, spooled (:mod:`woosync.cli.json_stream`: a run of any size never holds them);
    for stderr and the human tables the first ``SHOWN_PROBLEMS`` failed, skipped and conflicting
    products and how many there were."""

    def __init__(
        self, json_mode: bool, spell: Spell, dry_run: bool = False, verbose: bool = False
    ) -> None:
        self.spell = spell
        self.json_mode = json_mode
        self.dry_run = dry_run
        self.verbose = verbose
        self.lines: list[str] = []  # what changed (or would), terraform-style
        self.line_count = 0
        self.products = JsonList() if json_mode else None
        self.conflicts = JsonList() if json_mode else None
        self.failed: list[str] = []
        self.failed_count = 0
        self.skipped: list[list[Any]] = []  # and excluded
        self.left_alone = dict.fromkeys(LEFT_ALONE, 0)
        self.conflicting: list[list[Any]] = []
        self.conflict_count = 0

    def add(self, product: ProductResult) -> None:
        from woosync.shapes.imports import conflicts_json, product_json

        if self.products is not None and self.conflicts is not None:
            self.products.add(product_json(product, self.spell))
            for entry in conflicts_json(product):
                self.conflicts.add(entry)
        message = spell_params(product.message or "", self.spell)
        if product.status == "failed":
            self.failed_count += 1
            if len(self.failed) < SHOWN_PROBLEMS:
                self.failed.append(
                    f"{_store_object(product)} {product.sku or '(no SKU)'}: {message or 'failed'}"
                )
        elif product.status in LEFT_ALONE:
            self.left_alone[product.status] += 1
            if self.verbose and len(self.skipped) < SHOWN_PROBLEMS:
                row = [product.woo_product_id, product.sku, product.product_id or "", message]
                self.skipped.append(row)
        if not self.json_mode:
            lines = change_lines(product, self.dry_run, self.verbose)
            self.line_count += len(lines)
            self.lines += lines[: max(0, SHOWN_LINES - len(self.lines))]
        for conflict in product.conflicts:
            self.conflict_count += 1
            if len(self.conflicting) < SHOWN_PROBLEMS:
                self.conflicting.append(
                    [
                        product.woo_product_id,
                        product.sku,
                        conflict.field,
                        *shown_pair(conflict.catalog, conflict.store),
                    ]
                )

    def problems(self) -> list[str]:
        """The failed products, one line each (at most ``SHOWN_PROBLEMS``, then a count)."""
        more = self.failed_count - len(self.failed)
        return self.failed + ([f"... and {more} more failed (see --json)"] if more > 0 else [])

    def document(self, result: ImportResult) -> dict[str, Any]:
        """The ``--json`` document, its two lists spooled (``--json`` only)."""
        from woosync.shapes.imports import import_head

        return import_head(result, self.spell) | {
            "conflicts": self.conflicts,
            "products": self.products,
        }


@dataclass(frozen=True, slots=True)
class StoreImport:
    """One store's import among several: its result and what the command kept of its products."""

    result: ImportResult
    report: Report


def change_lines(product: ProductResult, dry_run: bool, verbose: bool) -> list[str]:
    """One store product's lines, terraform-style: ``+ import SKU (store product 12)``, ``~ SKU
    price 12.50 -> 13.90`` per field a dry run would change (a real run: ``~ updated SKU (product
    3): price, name``, or ``(variation 4 of product 1)``); unchanged products only when ``verbose``; none for skipped or failed ones
    (a table and stderr say those)."""
    sku = product.sku or "(no SKU)"
    where = f"({_store_object(product)})"
    if product.status == "imported":
        if dry_run:
            return [f"{diff.CREATE} import {sku} {where}"]
        return [f"{diff.CREATE} imported {sku} {where} as product {product.product_id}"]
    if product.status == "updated":
        if product.changes:
            return [diff.changed(sku, c.field, c.old, c.new) for c in product.changes]
        fields = ", ".join(product.changed_fields or ())
        verb = "would update" if dry_run else "updated"
        return [f"{diff.CHANGE} {verb} {sku} ({_local_object(product)}): {fields}"]
    if product.status == "unchanged" and verbose:
        return [diff.same(f"{sku} ({_local_object(product)})")]
    return []


def _local_object(product: ProductResult) -> str:
    """``product 3``, or ``variation 4 of product 1`` (as an export's lines say)."""
    if product.parent_product_id is not None:
        return f"variation {product.product_id} of product {product.parent_product_id}"
    return f"product {product.product_id}"


def render(output: Output, result: ImportResult, report: Report) -> None:
    for warning in result.warnings:
        output.warn(spell_params(warning, report.spell))
    for problem in report.problems():
        output.error(problem)
    if output.json_mode:
        emit(output, report.document(result))
        return

    def human(console: Console) -> None:
        for line in report.lines:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if report.line_count > len(report.lines):
            console.print(f"... and {report.line_count - len(report.lines)} more (see --json)")
        left_alone = sum(report.left_alone.values())
        if report.verbose:
            _capped_table(
                console,
                output,
                ["Woo ID", "SKU", "Local ID", "Skipped because"],
                report.skipped,
                left_alone,
                what="skipped",
            )
        elif left_alone:
            counted = ", ".join(f"{n} {status}" for status, n in report.left_alone.items() if n)
            console.print(f"{counted}: --verbose lists them and why", highlight=False)
        _capped_table(
            console,
            output,
            ["Woo ID", "SKU", "Field", "Catalog", "Store"],
            report.conflicting,
            report.conflict_count,
            what="conflicts",
            title="Conflicts: changed on both sides since the last sync, neither overwritten",
        )
        if result.restored_skus:
            console.print(
                "restored (had been removed locally): " + ", ".join(result.restored_skus),
                markup=False,
                highlight=False,
            )
        console.print(run_line(result))

    emit_result(output, result, human)


def _capped_table(
    console: Console,
    output: Output,
    columns: list[str],
    rows: list[list[Any]],
    total: int,
    *,
    what: str,
    title: str | None = None,
) -> None:
    """The first rows (at most ``SHOWN_PROBLEMS``) and a line counting the rest."""
    if rows:
        from woosync.cli.formats import run_table

        run_table(output, columns, rows, title=title)
    if total > len(rows):
        console.print(f"... and {total - len(rows)} more {what} (see --json)")


def shown_value(value: Any, width: int = 60, *, ids: bool = False) -> str:
    """A catalog or store value in one table cell (long text cut): a list's items separated by
    ``|``, an object as ``key=value``, a downloadable product's file as ``name (file)`` (with
    ``ids``: ``name (file) id ID``)."""
    if isinstance(value, list):
        text = " | ".join(_shown_item(item, ids) for item in value)
    else:
        text = _shown_item(value, ids)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def shown_pair(catalog: Any, store: Any, width: int = 60) -> tuple[str, str]:
    """Both sides of a conflict as :func:`shown_value` shows them; when they would read the
    same (a product's files that differ only in their ids: each store made its own), with the
    ids, so the difference shows."""
    shown = shown_value(catalog, width), shown_value(store, width)
    if shown[0] == shown[1] and catalog != store:
        return shown_value(catalog, width, ids=True), shown_value(store, width, ids=True)
    return shown


def _shown_item(value: Any, ids: bool = False) -> str:
    if isinstance(value, dict):
        if "file" in value:  # one of a product's files (its id is in --json)
            named = f"{value.get('name') or ''} ({value['file']})"
            return f"{named} id {value.get('id') or '-'}" if ids else named
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    return "" if value is None else str(value)


def run_line(result: ImportResult) -> str:
    """The run's counts in the export's words (``created``: imported into the catalog)."""
    from woosync.shapes.counts import run_counts

    return counts_line(run_counts(result.counts), result.dry_run)


def _store_object(product: ProductResult) -> str:
    """``store product 12``, or ``store variation 14 of store product 12``."""
    if product.parent_woo_product_id is None:
        return f"store product {product.woo_product_id}"
    return (
        f"store variation {product.woo_product_id} of store product {product.parent_woo_product_id}"
    )
