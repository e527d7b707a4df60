"""``woosync import``: pull products from a store into the local catalog; cron-ready.

Never prompts without a terminal (secrets then come from the environment or the keyring), holds the
store's run lock (``--wait SECONDS`` queues behind another run, else exit code 6), and ``--quiet`` /
``--log-file`` keep a cron job's mail and log short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli import diff_lines as diff
from woosync.cli.json_stream import JsonList, emit
from woosync.cli.multi_store import (
    ConnectionsOption,
    ParallelStoresOption,
    render_stores,
    run_stores,
    single,
)
from woosync.cli.option_groups import with_option_groups
from woosync.cli.options import (
    RunOptions,
    WooIdsAliasOption,
    emit_result,
    exit_if_failed,
    failure_logged,
    one_spelling,
    parse_ids,
    start_run,
)
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


class _Report:
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
                    f"store product {product.woo_product_id} {product.sku or '(no SKU)'}: "
                    f"{message or 'failed'}"
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
                        shown_value(conflict.catalog),
                        shown_value(conflict.store),
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
class _StoreImport:
    """One store's import among several: its result and what the command kept of its products."""

    result: ImportResult
    report: _Report


def change_lines(product: ProductResult, dry_run: bool, verbose: bool) -> list[str]:
    """One store product's lines, terraform-style: ``+ import SKU (store product 12)``, ``~ SKU
    price 12.50 -> 13.90`` per field a dry run would change (a real run: ``~ updated SKU (product
    3): price, name``); unchanged products only when ``verbose``; none for skipped or failed ones
    (a table and stderr say those)."""
    sku = product.sku or "(no SKU)"
    where = f"(store product {product.woo_product_id})"
    if product.parent_woo_product_id is not None:
        where = (
            f"(store variation {product.woo_product_id} of store product "
            f"{product.parent_woo_product_id})"
        )
    if product.status == "imported":
        if dry_run:
            return [f"{diff.CREATE} import {sku} {where}"]
        return [f"{diff.CREATE} imported {sku} {where} as product {product.product_id}"]
    if product.status == "updated":
        if product.changes:
            return [diff.changed(sku, c.field, c.old, c.new) for c in product.changes]
        fields = ", ".join(product.changed_fields or ())
        verb = "would update" if dry_run else "updated"
        return [f"{diff.CHANGE} {verb} {sku} (product {product.product_id}): {fields}"]
    if product.status == "unchanged" and verbose:
        return [diff.same(f"{sku} (product {product.product_id})")]
    return []


def _render(output: Output, result: ImportResult, report: _Report) -> None:
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
        console.print(_line(result))

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


def shown_value(value: Any, width: int = 60) -> str:
    """A catalog or store value in one table cell (long text cut)."""
    if isinstance(value, list):
        text = " | ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    else:
        text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _line(result: ImportResult) -> str:
    """The run's counts in the export's words (``created``: imported into the catalog)."""
    from woosync.shapes.counts import run_counts

    return counts_line(run_counts(result.counts), result.dry_run)


@with_option_groups
def import_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    woo_ids: Annotated[
        str | None,
        typer.Option(
            "--woo-id",
            metavar="IDS",
            help="Only these WooCommerce product ids, e.g. 456,457.",
            show_default=False,
        ),
    ] = None,
    woo_ids_alias: WooIdsAliasOption = None,
    update_existing: Annotated[
        bool,
        typer.Option(
            "--update-existing", help="Update products already in the catalog (else skip them)."
        ),
    ] = False,
    no_mapping: Annotated[
        bool,
        typer.Option("--no-mapping", help="Ignore the active import mapping; use the default one."),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="TIME",
            help="Only products changed after TIME (2025-12-11T10:00:00Z, or an age: 90m, 6h, 2d).",
        ),
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Only products changed since the last --incremental run (per-connection bookmark).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Page requests in flight (1-16).")
    ] = 4,
    on_conflict: Annotated[
        str,
        typer.Option(
            "--on-conflict",
            metavar="SIDE",
            help="A field changed both in the catalog and in the store since the last sync: "
            "skip (keep both, report it), catalog (keep the catalog's; the next export sends it) "
            "or store (take the store's).",
        ),
    ] = "skip",
    link_without_sku: Annotated[
        bool,
        typer.Option(
            "--link-without-sku",
            help="Import store products without a SKU, linked by store id, under the SKU "
            "woo-<connection>-<store id> (else they are skipped with a warning).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 1 when the run has warnings (skipped SKU-less products, conflicts).",
        ),
    ] = False,
    restore_removed: Annotated[
        bool,
        typer.Option(
            "--restore-removed",
            help="Import products removed from the catalog too (else skipped: removed locally).",
        ),
    ] = False,
    parallel_stores: ParallelStoresOption = 1,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="List every product, unchanged and skipped ones too (default: only what "
            "changed or failed).",
        ),
    ] = False,
    run: RunOptions = RunOptions(),
) -> None:
    """Import products from WooCommerce stores into the local catalog (cron-ready)."""
    from woosync.cli.flags import flag_of
    from woosync.services.imports.options import ImportRequest, parse_since
    from woosync.services.imports.run import import_products
    from woosync.services.stores import several

    state = start_run(ctx, run)
    output = state.output
    woo_ids = one_spelling(woo_ids, woo_ids_alias, "--woo-id", "--woo-ids")
    ids = parse_ids(woo_ids, "--woo-id", noun="WooCommerce product id", example="456,457")
    since_time = parse_since(since) if since is not None else None
    db = state.db(create=not dry_run)
    settings: dict[str, Any] = {
        "woo_ids": ids,
        "update_existing": update_existing,
        "use_mapping": not no_mapping,
        "since": since_time,
        "incremental": incremental,
        "dry_run": dry_run,
        "restore_removed": restore_removed,
        "concurrency": concurrency,
        "on_conflict": on_conflict.strip().lower(),
        "link_without_sku": link_without_sku,
    }
    if several(connection):

        def job(connection_id: int) -> _StoreImport:
            report = _Report(output.json_mode, flag_of, dry_run, verbose)
            with failure_logged("woosync.import", f"import from connection {connection_id}"):
                result = import_products(
                    db,
                    ImportRequest(connection_id, **settings),
                    on_product=report.add,
                    lock_wait=run.wait,
                )
            return _StoreImport(result, report)

        runs = run_stores(
            db,
            connection,
            job,
            failed=lambda r: bool(r.result.failed_count or (strict and r.result.warnings)),
            parallel=parallel_stores,
        )
        render_stores(
            output,
            runs,
            lambda r: _line(r.result),
            lambda r: r.report.problems(),
            lambda r: [spell_params(warning, flag_of) for warning in r.result.warnings],
            shape=lambda r: r.report.document(r.result),
            details=lambda r: r.report.lines,
        )
        return
    report = _Report(output.json_mode, flag_of, dry_run, verbose)
    with (
        failure_logged("woosync.import", "import"),
        output.progress("Importing products", None) as advance,
    ):
        result = import_products(
            db,
            ImportRequest(single(connection), **settings),
            on_product=report.add,
            progress=advance,
            lock_wait=run.wait,
        )
    _render(output, result, report)
    exit_if_failed(result.failed_count or (strict and result.warnings))


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
