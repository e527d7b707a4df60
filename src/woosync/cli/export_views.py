"""What ``woosync export`` prints: each product's result (or plan) as it comes, capped tables for
humans, the one ``--json`` document with its long list streamed (``cli/json_stream.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from woosync.cli import diff_lines as diff
from woosync.cli.json_stream import JsonList, emit
from woosync.cli.options import emit_line_result, emit_result
from woosync.cli.run_counts import counts_line
from woosync.core.errors import spell_params
from woosync.core.timeutil import iso
from woosync.services.export.results import (
    CREATED,
    NOT_WRITTEN,
    UNCHANGED,
    UPDATED,
    ExportPlan,
    ExportResult,
    PlannedProduct,
    ProductResult,
)
from woosync.services.export.variation_results import PlannedVariation, PrunedVariation
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
    details: tuple[str, ...] = ()  # the first rows as lines (several stores print them)


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


class _View:
    """What both views keep: the ``--json`` list spooled, the products left out, the first
    failures (for stderr) and how many there are."""

    def __init__(
        self,
        output: Output,
        spell: Callable[[str], str],
        named: bool = False,
        verbose: bool = False,
    ) -> None:
        self.output = output
        self.spell = spell
        self.named = named
        self.verbose = verbose
        self.spool = JsonList() if output.json_mode else None
        self.left_out = LeftOut(output)
        self.failures: list[str] = []
        self.failed = 0
        self._begin()

    def _begin(self) -> None:
        """What the view keeps of its own (the first rows or lines, and how many there are)."""

    def _failure(self, product_id: int, sku: str | None, message: str) -> None:
        self.failed += 1
        if len(self.failures) < SHOWN:
            named = f"product {product_id} ({sku})" if sku else f"product {product_id}"
            self.failures.append(f"{named}: {message}")

    def _outcome(self, document: dict[str, Any], listed: str, details: list[str]) -> Outcome:
        """``document`` with its ``listed`` products (spooled under ``--json``) and those left
        out."""
        document[listed] = self.spool if self.spool is not None else []
        document["excluded"] = self.left_out.value()
        problems = _lines(self.failures, self.failed)
        warnings = self.left_out.warnings(self.named)
        return Outcome(document, problems, bool(self.failed), warnings, tuple(details))


class ResultsView(_View):
    """Each product's result as it is finished: under ``--json`` into the document's
    ``results`` (kept on disk, not in memory); otherwise the first rows of the table, only
    those created, updated, in conflict or failed unless ``verbose``. The first failures are
    kept either way (for stderr), and how many there are."""

    def _begin(self) -> None:
        self.rows: list[list[Any]] = []
        self.parents: dict[int, int] = {}  # a variation's product id -> its variable product's
        self.shown = 0  # rows worth showing, kept or not

    @property
    def wants_unchanged(self) -> bool:
        """Whether each unchanged product's result is used (``--json`` lists it, ``--verbose``
        shows it); else the export only counts those it finds unchanged."""
        return self.spool is not None or self.verbose

    def add(self, result: ProductResult) -> None:
        if self.spool is not None or result.failed:  # shaped only where it is used
            shaped = shapes.product_result(result, self.spell)
            if result.failed:
                self._failure(result.product_id, result.sku, shaped["message"])
            if self.spool is not None:
                self.spool.add(shaped)
                return
        if not (self.verbose or _worth_a_row(result)):
            return
        self.shown += 1
        if len(self.rows) < SHOWN:
            if result.parent_product_id is not None:
                self.parents[result.product_id] = result.parent_product_id
            self.rows.append(
                [
                    result.product_id,
                    result.sku,
                    result.woo_product_id or "",
                    result.change,
                    _exported(result),
                    iso(result.last_exported_at) or "",
                ]
            )

    def outcome(self, result: ExportResult) -> Outcome:
        """The spec's result (``results`` spooled under ``--json``; a human summary needs none);
        the store variations ``--prune-variations`` deleted are lines of their own, and one it
        could not delete is a failure."""
        for stray in result.pruned:
            if not stray.deleted:
                self.failed += 1
                if len(self.failures) < SHOWN:
                    self.failures.append(
                        f"{_stray(stray, self.spell)} not deleted: {stray.message}"
                    )
        pruned = [
            f"{diff.DELETE} deleted {_stray(p, self.spell)}" for p in result.pruned if p.deleted
        ]
        outcome = self._outcome(
            shapes.export_result(result, self.spell), "results", [*self._details(), *pruned]
        )
        outcome.warnings.extend(outcome.document["warnings"])
        return outcome

    def _details(self) -> list[str]:
        """The rows as lines (several stores print them under the store's line); failures are
        on stderr already."""
        found = []
        for product_id, sku, _woo_id, change, exported, _last in self.rows:
            if change == NOT_WRITTEN:
                continue
            sign = {CREATED: diff.CREATE, UPDATED: diff.CHANGE}.get(change, diff.SAME)
            parent = self.parents.get(product_id)
            what = (
                f"variation {product_id} of product {parent}" if parent else f"product {product_id}"
            )
            found.append(f"{sign} {change} {sku} ({what}): {exported}")
        more = self.shown - len(self.rows)
        return found + ([f"... and {more} more (see --json)"] if more > 0 else [])

    def render(self, result: ExportResult) -> None:
        outcome = self.outcome(result)
        for warning in outcome.warnings:
            self.output.warn(warning)
        for problem in outcome.problems:
            self.output.error(problem)
        if self.spool is not None:
            emit(self.output, outcome.document)
            return

        summary = f"connection {result.connection_id}: {counts_line(outcome.document['counts'])}"
        deleted = [line for line in outcome.details if line.startswith(diff.DELETE)]
        if not self.rows and self.shown <= 0 and not deleted:  # no Rich console needed
            emit_line_result(self.output, outcome.document, summary)
            return

        def human(console: Console) -> None:
            columns = ["Product", "SKU", "Woo ID", "Change", "Exported fields", "Last exported"]
            _capped(console, self.output, columns, self.rows, self.shown)
            for line in deleted:
                console.print(line, highlight=False, markup=False)
            console.print(summary, highlight=False)

        emit_result(self.output, outcome.document, human)


def _stray(stray: PrunedVariation, spell: Callable[[str], str]) -> str:
    """``variation #19 (TEE-XL) of product 2 (--prune-variations)``."""
    return (
        f"variation #{stray.woo_variation_id} ({stray.sku or 'no SKU'}) of product "
        f"{stray.parent_product_id} ({spell('prune_variations')})"
    )


def _lines(failures: list[str], failed: int) -> list[str]:
    more = [f"... and {failed - len(failures)} more failed (see --json)"]
    return failures + (more if failed > len(failures) else [])


def _capped(
    console: Console,
    output: Output,
    columns: list[str],
    rows: list[list[Any]],
    total: int,
) -> None:
    """The rows kept (none: no table) and a line counting the ``total - len(rows)`` others."""
    if rows:
        from woosync.cli.formats import run_table  # not loaded for a run with no row to show

        run_table(output, columns, rows)
    if total > len(rows):
        console.print(f"... and {total - len(rows)} more (see --json)")


def _worth_a_row(result: ProductResult) -> bool:
    """A row of the human table: the product changed in the store, failed, or held a field."""
    return result.failed or result.change != UNCHANGED or bool(result.held_conflicts)


def _exported(result: ProductResult) -> str:
    if result.failed:
        return "(failed, see the error above)"
    held = (
        f" (held in conflict: {', '.join(result.held_conflicts)})" if result.held_conflicts else ""
    )
    return (", ".join(result.exported_fields) or "-") + held


class PlanView(_View):
    """Each product's plan as it is made: under ``--json`` into the document's ``products``;
    otherwise the first lines of the plan, terraform-style (:mod:`woosync.cli.diff_lines`):
    products to create, the values to change, problems; unchanged products too when
    ``verbose``. The first products in error are kept either way."""

    LIMIT = SHOWN * 4

    def _begin(self) -> None:
        self.lines: list[str] = []
        self.count = 0  # lines, shown or not

    def add(self, product: PlannedProduct) -> None:
        shaped = shapes.planned_product(product, self.spell)
        if product.action == "error":
            self._failure(product.product_id, product.sku, shaped["message"])
        if self.spool is not None:
            self.spool.add(shaped)
            return
        lines = plan_lines(shaped, self.verbose)
        self.count += len(lines)
        self.lines += lines[: max(0, self.LIMIT - len(self.lines))]

    def outcome(self, plan: ExportPlan) -> Outcome:
        """The plan (``products`` spooled under ``--json``); its lines: the products', then each
        variation's and each store variation ``--prune-variations`` would delete."""
        variations = [
            line
            for variation in plan.variations
            for line in variation_plan_lines(variation, self.verbose, self.spell)
        ]
        strays = [diff.deleted(_stray(stray, self.spell)) for stray in plan.prune_variations]
        lines = [*self._shown(), *variations, *strays]
        outcome = self._outcome(shapes.export_plan(plan, self.spell), "products", lines)
        outcome.warnings.extend(outcome.document["warnings"])
        return outcome

    def _shown(self) -> list[str]:
        more = self.count - len(self.lines)
        return self.lines + ([f"... and {more} more lines (see --json)"] if more > 0 else [])

    def render(self, plan: ExportPlan) -> None:
        outcome = self.outcome(plan)
        for warning in outcome.warnings:
            self.output.warn(warning)
        document = outcome.document
        if self.spool is not None:
            emit(self.output, document)
            return

        def human(console: Console) -> None:
            def say(text: str) -> None:
                console.print(text, markup=False, highlight=False, soft_wrap=True)

            if outcome.details:
                say(f"Export plan for connection {plan.connection_id} (dry run):")
            for line in outcome.details:
                say(line)
            for made in plan.would_create:
                say(diff.created(f"{made.kind} {diff.show(made.name)} in the store"))
            for entry in self.left_out.kept:
                say(f"left out: product {entry['productId']} ({entry['sku']}): {entry['message']}")
            say(f"connection {plan.connection_id}: {counts_line(document['counts'], dry_run=True)}")

        emit_result(self.output, document, human)


def variation_plan_lines(
    variation: PlannedVariation, verbose: bool = False, spell: Callable[[str], str] = str
) -> list[str]:
    """A variation's plan, terraform-style like a product's: ``+ create SKU (variation 14 of
    product 13)``, ``~ SKU (variation ...) update price, stock_quantity`` (the fields whose
    fingerprint changed), ``! SKU (variation ...) error: ...``; unchanged only when ``verbose``."""
    subject = (
        f"{variation.sku} (variation {variation.product_id} of product "
        f"{variation.parent_product_id})"
    )
    held = [
        diff.problem(variation.sku, f"{field} left out: in conflict")
        for field in variation.held_conflicts
    ]
    if variation.action == "create":
        return [diff.created(subject)]
    if variation.action == "update":
        return [f"{diff.CHANGE} {subject} update {', '.join(variation.fields)}".rstrip(), *held]
    if variation.action == "error":
        return [diff.problem(subject, f"error: {spell_params(variation.message or '', spell)}")]
    return [diff.same(subject), *held] if verbose else held


def plan_lines(product: dict[str, Any], verbose: bool = False) -> list[str]:
    """The lines of one product's plan (``product``: its JSON): none for an unchanged product
    unless ``verbose``; an update lists only the values that differ from the store's."""
    action = product["action"]
    subject = f"{product['sku']} (product {product['productId']})"
    lines: list[str] = []
    if action == "error":
        lines.append(diff.problem(subject, f"error: {product.get('message') or ''}"))
    elif action == "create":
        lines.append(diff.created(subject))
        if verbose:
            lines += [diff.value(c["field"], c["new"]) for c in product.get("fields", [])]
    elif action == "update":
        if product.get("restoreFromTrash"):
            lines.append(f"{diff.CHANGE} {subject} restore from the store's trash")
        lines += [
            diff.changed(product["sku"], c["field"], c["old"], c["new"])
            for c in product.get("fields", [])
        ]
    elif verbose:
        lines.append(diff.same(subject))
    lines += [diff.problem(product["sku"], f"missing: {m}") for m in product.get("missing", [])]
    lines += [
        diff.problem(product["sku"], f"{field} left out: in conflict")
        for field in product.get("heldConflicts", [])
    ]
    return lines
