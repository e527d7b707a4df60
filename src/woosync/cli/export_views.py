"""What ``woosync export`` prints: each product's result (or plan) as it comes, capped tables for
humans, the one ``--json`` document with its long list streamed (``cli/json_stream.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from woosync.cli.json_stream import JsonList, emit
from woosync.cli.options import emit_result
from woosync.core.timeutil import iso
from woosync.services.export.results import ExportPlan, ExportResult, PlannedProduct, ProductResult
from woosync.services.selection import Excluded
from woosync.shapes import export as shapes

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

SHOWN = 50  # rows of a human table; --json has them all


@dataclass(frozen=True)
class Outcome:
    """One store's run as the CLI prints it: the ``--json`` document (its long lists spooled),
    the lines for stderr about the products that failed, whether any did, and the warnings about
    products named but left out of the store."""

    document: dict[str, Any]
    problems: list[str]
    failed: bool
    warnings: list[str]


class LeftOut:
    """The products left out of the store: spooled under ``--json``; the first ones kept."""

    def __init__(self, output: Output) -> None:
        self.spool = JsonList() if output.json_mode else None
        self.kept: list[dict[str, Any]] = []
        self.count = 0

    def add(self, entry: Excluded) -> None:
        shaped = shapes.excluded(entry)
        self.count += 1
        if self.spool is not None:
            self.spool.add(shaped)
        if len(self.kept) < SHOWN:
            self.kept.append(shaped)

    def value(self) -> JsonList | list[dict[str, Any]]:
        return self.spool if self.spool is not None else self.kept

    def warnings(self, named: bool) -> list[str]:
        """A product named with --products/--sku that the store does not take gets a warning (so
        it is not silently dropped); with --all the count in the summary line says it."""
        if not named:
            return []
        found = []
        for entry in self.kept:
            undo = (
                "edit the store's mapping file to take it"
                if entry["reason"] == "selection"
                else "add --include to export it again"
            )
            found.append(
                f"product {entry['productId']} ({entry['sku']}) not exported: "
                f"{entry['message']}; {undo}"
            )
        if self.count > len(self.kept):
            found.append(f"... and {self.count - len(self.kept)} more not exported (see --json)")
        return found


class ResultsView:
    """Each product's result as it is finished: under ``--json`` into the document's
    ``results`` (kept on disk, not in memory); otherwise the first rows of the table. The first
    failures are kept either way (for stderr), and how many there are."""

    def __init__(self, output: Output, spell: Callable[[str], str], named: bool = False) -> None:
        self.output = output
        self.spell = spell
        self.named = named
        self.spool = JsonList() if output.json_mode else None
        self.left_out = LeftOut(output)
        self.rows: list[list[Any]] = []
        self.failures: list[str] = []
        self.failed = 0
        self.count = 0

    def add(self, result: ProductResult) -> None:
        self.count += 1
        shaped = shapes.product_result(result, self.spell)
        if result.failed:
            self.failed += 1
            if len(self.failures) < SHOWN:
                self.failures.append(f"product {result.product_id}: {shaped['message']}")
        if self.spool is not None:
            self.spool.add(shaped)
        elif len(self.rows) < SHOWN:
            self.rows.append(
                [
                    result.product_id,
                    result.woo_product_id or "",
                    result.status,
                    _exported(result),
                    iso(result.last_exported_at) or "",
                ]
            )

    def outcome(self, result: ExportResult) -> Outcome:
        """The spec's result (``results`` spooled under ``--json``; a human summary needs none)."""
        document = shapes.export_result(result, self.spell)
        document["results"] = self.spool if self.spool is not None else []
        document["excluded"] = self.left_out.value()
        problems = _lines(self.failures, self.failed)
        warnings = self.left_out.warnings(self.named)
        return Outcome(document, problems, bool(self.failed), warnings)

    def render(self, result: ExportResult) -> None:
        outcome = self.outcome(result)
        for warning in outcome.warnings:
            self.output.warn(warning)
        for problem in outcome.problems:
            self.output.error(problem)
        if self.spool is not None:
            emit(self.output, outcome.document)
            return

        def human(console: Console) -> None:
            columns = ["Product", "Woo ID", "Status", "Exported fields", "Last exported"]
            _capped(console, self.output, columns, self.rows, self.count)
            line = result_line(outcome.document)
            console.print(f"{line} (connection {result.connection_id})")

        emit_result(self.output, outcome.document, human)


def _lines(failures: list[str], failed: int) -> list[str]:
    more = [f"... and {failed - len(failures)} more failed (see --json)"]
    return failures + (more if failed > len(failures) else [])


def _capped(
    console: Console,
    output: Output,
    columns: list[str],
    rows: list[list[Any]],
    total: int,
    *,
    what: str = "",
    title: str | None = None,
) -> None:
    """The rows kept (none: no table) and a line counting the ``total - len(rows)`` others."""
    if rows:
        console.print(output.table(columns, rows, title=title))
    if total > len(rows):
        console.print(f"... and {total - len(rows)} more{' ' + what if what else ''} (see --json)")


def result_line(result: dict[str, Any]) -> str:
    excluded = result.get("excludedCount", 0)
    return f"{result['syncedCount']} synced, {result['failedCount']} failed" + (
        f", {excluded} excluded from this store" if excluded else ""
    )


def plan_line(plan: dict[str, Any]) -> str:
    summary = plan["summary"]
    excluded = summary.get("excluded", 0)
    return (
        f"{summary['create']} to create, {summary['update']} to update, "
        f"{summary['unchanged']} unchanged, {summary['error']} with errors"
        + (f", {excluded} excluded from this store" if excluded else "")
        + " (dry run: nothing was written)"
    )


def _exported(result: ProductResult) -> str:
    if result.failed:
        return "(failed, see the error above)"
    return ", ".join(result.exported_fields) or "(no change)"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class PlanView:
    """Each product's plan as it is made: under ``--json`` into the document's ``products``;
    otherwise the first rows of the table (products to create, update or fix). The first
    products in error are kept either way."""

    LIMIT = SHOWN * 4

    def __init__(self, output: Output, spell: Callable[[str], str], named: bool = False) -> None:
        self.output = output
        self.spell = spell
        self.named = named
        self.spool = JsonList() if output.json_mode else None
        self.left_out = LeftOut(output)
        self.rows: list[list[Any]] = []
        self.count = 0  # rows, shown or not
        self.errors: list[str] = []
        self.failed = 0

    def add(self, product: PlannedProduct) -> None:
        shaped = shapes.planned_product(product, self.spell)
        if product.action == "error":
            self.failed += 1
            if len(self.errors) < SHOWN:
                self.errors.append(f"product {product.product_id}: {shaped['message']}")
        if self.spool is not None:
            self.spool.add(shaped)
            return
        rows = _plan_rows(shaped)
        self.count += len(rows)
        self.rows += rows[: max(0, self.LIMIT - len(self.rows))]

    def outcome(self, plan: ExportPlan) -> Outcome:
        """The plan (``products`` spooled under ``--json``)."""
        document = shapes.export_plan(plan, self.spell)
        document["products"] = self.spool if self.spool is not None else []
        document["excluded"] = self.left_out.value()
        problems = _lines(self.errors, self.failed)
        warnings = self.left_out.warnings(self.named)
        return Outcome(document, problems, bool(self.failed), warnings)

    def render(self, plan: ExportPlan) -> None:
        outcome = self.outcome(plan)
        for warning in outcome.warnings:
            self.output.warn(warning)
        document = outcome.document
        if self.spool is not None:
            emit(self.output, document)
            return

        def human(console: Console) -> None:
            _capped(
                console,
                self.output,
                ["Product", "SKU", "Action", "Field", "Old -> new"],
                self.rows,
                self.count,
                what="rows",
                title=f"Export plan for connection {plan.connection_id} (dry run)",
            )
            for created in plan.would_create:
                console.print(f"would create {created.kind} {created.name!r} in the store")
            for entry in self.left_out.kept:
                console.print(
                    f"left out: product {entry['productId']} ({entry['sku']}): {entry['message']}",
                    markup=False,
                    highlight=False,
                )
            console.print(plan_line(document))

        emit_result(self.output, document, human)


def _plan_rows(product: dict[str, Any]) -> list[list[Any]]:
    """The table rows of one product's plan (none for an unchanged product)."""
    if product["action"] == "unchanged" and not product.get("heldConflicts"):
        return []
    rows: list[list[Any]] = []
    action = product["action"]
    if product.get("restoreFromTrash"):
        action += " (restore from trash)"
    head = [product["productId"], product["sku"], action]
    if product["action"] == "error":
        return [[*head, "", product.get("message", "")]]
    for index, change in enumerate(product.get("fields", [])):
        old = _show(change["old"]) if product["action"] == "update" else ""
        arrow = f"{old} -> {_show(change['new'])}" if old else _show(change["new"])
        cells = head if index == 0 else ["", "", ""]
        rows.append([*cells, change["field"], arrow])
    for problem in product.get("missing", []):
        rows.append(["", "", "", "", problem])
    for field in product.get("heldConflicts", []):
        rows.append([*head, field, "left out: in conflict (woosync sync-status --conflicts)"])
    return rows
