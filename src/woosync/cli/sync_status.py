"""``woosync sync-status``: products x stores, a state per cell (the spec's Get sync status).

The human view is a matrix (one row per product, one column per store) with a summary line per
store; ``--json`` keeps the spec's shape (one store's object, or the several-store envelope),
streamed; csv/tsv/yaml/ids/count as every listing (:mod:`woosync.cli.formats`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.flags import flag_of
from woosync.cli.formats import Column, ListFormat, Listing, ListOptions, list_format, show_listing
from woosync.cli.multi_store import ConnectionsOption
from woosync.cli.option_groups import with_option_groups
from woosync.cli.options import ProductIdsOption, SkuOption, parse_ids, parse_names
from woosync.core.errors import spell_params

if TYPE_CHECKING:
    from woosync.cli.render import Output
    from woosync.db.engine import Database
    from woosync.services.sync_status import Filters, MatrixRow, StoreStatus, SyncRecord
    from woosync.shapes.sync_status import StoreOutcome


@with_option_groups
def sync_status_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATE",
            help="Only products in this state in a store: synced, pending, error or excluded.",
            show_default=False,
        ),
    ] = None,
    product: ProductIdsOption = None,
    sku: SkuOption = None,
    conflicts: Annotated[
        bool,
        typer.Option(
            "--conflicts",
            help="List the fields changed both in the catalog and in the store since the last "
            "sync (or different on both sides before their first sync), with both values.",
        ),
    ] = False,
    listing: ListOptions = ListOptions(),
) -> None:
    """Show each product's state in each store (a matrix), and a summary line per store."""
    from woosync.services.stores import several
    from woosync.services.sync_status import Filters

    state, chosen = list_format(ctx, listing)
    output = state.output
    filters = Filters(
        status,
        tuple(parse_ids(product, "--product", noun="product id", example="101,102") or ()),
        tuple(parse_names(sku, "--sku") or ()),
        conflicts,
    )
    db = state.db(create=False)
    outcomes = _outcomes(db, connection, filters)
    many = several(connection)
    for outcome in outcomes:
        if outcome.error_message is not None:
            hint = f" ({outcome.error_hint})" if outcome.error_hint else ""
            output.error(f"{_name(outcome)}: {outcome.error_message}{hint}")
    stores = [outcome.status for outcome in outcomes if outcome.status is not None]
    if chosen.name in ("json", "yaml"):
        _structured(output, chosen, outcomes, many)
    elif conflicts and chosen.name == "table":
        _conflicts(output, stores)
    else:
        _matrix(output, chosen, stores)
    if not connection and chosen.name == "table":
        _other_stores(output, db)
    worst = max((outcome.exit_code for outcome in outcomes), default=0)
    if worst:
        raise typer.Exit(worst)


def _outcomes(db: Database, refs: Sequence[str] | None, filters: Filters) -> list[StoreOutcome]:
    """Each store asked for, its filters checked; with several stores, one store's error (the
    product filters check the catalog, the same for every store) is that store's outcome."""
    from woosync.core.errors import WoosyncError
    from woosync.services.stores import resolve_connections, several
    from woosync.services.sync_status import store_status
    from woosync.shapes.sync_status import StoreOutcome

    if not several(refs):
        found = store_status(db, refs[0] if refs else None, filters)
        return [StoreOutcome(found.connection_id, found.store_name, found)]
    outcomes: list[StoreOutcome] = []
    for target in resolve_connections(db, refs):
        try:
            found = store_status(db, target.connection_id, filters)
        except WoosyncError as exc:
            outcomes.append(
                StoreOutcome(
                    target.connection_id,
                    target.store_name,
                    None,
                    spell_params(exc.message, flag_of),
                    None if exc.hint is None else spell_params(exc.hint, flag_of),
                    int(exc.exit_code),
                )
            )
            continue
        outcomes.append(StoreOutcome(target.connection_id, target.store_name, found))
    return outcomes


def _name(store: StoreOutcome | StoreStatus) -> str:
    return f"{store.store_name} (connection {store.connection_id})"


def _structured(
    output: Output, chosen: ListFormat, outcomes: Sequence[StoreOutcome], many: bool
) -> None:
    """The spec's JSON (streamed), or the same data as YAML; ``--limit N``: each store's first N
    records (its summary still counts them all), and a note on stderr saying how many more."""
    from woosync.cli.formats import yaml_text
    from woosync.shapes.sync_status import RecordLimit, store_json, stream_store, stream_stores

    cuts = {o.connection_id: RecordLimit(chosen.limit) for o in outcomes}
    if chosen.name == "json":  # a piece at a time: the records are never one list in memory
        status = outcomes[0].status
        pieces = (
            stream_stores(outcomes, flag_of, cuts)
            if many or status is None
            else stream_store(status, flag_of, cut=cuts[status.connection_id])
        )
        output.write_pieces(chain(pieces, ["\n"]))
    elif many:
        stores = [
            {
                "connectionId": o.connection_id,
                "storeName": o.store_name,
                "exitCode": o.exit_code,
                "result": (
                    store_json(o.status, flag_of, cuts[o.connection_id])
                    if o.status is not None
                    else None
                ),
                "error": None if o.error_message is None else {"message": o.error_message},
            }
            for o in outcomes
        ]
        output.write(yaml_text({"stores": stores}))
    elif outcomes[0].status is not None:
        chosen_cut = cuts[outcomes[0].connection_id]
        output.write(yaml_text(store_json(outcomes[0].status, flag_of, chosen_cut)))
    for outcome in outcomes:
        cut = cuts[outcome.connection_id]
        if cut.total > cut.shown:
            output.note(
                f"{_name(outcome)}: showing {cut.shown} of {cut.total} records "
                "(--all shows every one)"
            )


def _other_stores(output: Output, db: Database) -> None:
    """Without ``--connection`` only the default store is shown: say when there are others."""
    from woosync.core.errors import WoosyncError
    from woosync.services.stores import resolve_connections

    try:
        others = len(resolve_connections(db, ["all"])) - 1
    except WoosyncError:
        return
    if others > 0:
        output.note(f"{others} more active store(s): --connection all shows every store")


# the matrix ---------------------------------------------------------------------------------------
def _cell(record: SyncRecord | None) -> str | None:
    """A store's cell: its state (with why it is excluded, or its conflicts); None: no record
    (the table's ``-``)."""
    if record is None:
        return None
    if record.state == "excluded":
        why = record.excluded_reason
        return f"excluded ({'products exclude' if why == 'excluded' else why})"
    if record.conflict_count:
        return f"{record.state}, {record.conflict_count} conflict(s)"
    return record.state


def _columns(stores: Sequence[StoreStatus], *, nest: bool = False) -> list[Column[MatrixRow]]:
    """The matrix's columns; ``nest`` (the table) indents a variation's SKU under its product."""

    def store_cell(index: int) -> Callable[[MatrixRow], object]:
        return lambda row: _cell(row.cells[index])

    def store_text(index: int) -> Callable[[MatrixRow], object]:
        return lambda row: _cell(row.cells[index]) or "-"

    def detail(read: Callable[[SyncRecord], object]) -> Callable[[MatrixRow], object]:
        return lambda row: read(row.cells[0]) if row.cells[0] is not None else None

    columns: list[Column[MatrixRow]] = [
        Column("Product", "productId", lambda row: row.product_id),
        Column("SKU", "sku", _nested_sku if nest else lambda row: row.sku),
        Column("Name", "name", lambda row: row.name, drop=3),
    ]
    columns += [
        Column(store.store_name, store.store_name, store_cell(index), human=store_text(index))
        for index, store in enumerate(stores)
    ]
    if len(stores) == 1:  # one store: its details fit beside it
        columns += [
            Column("Woo ID", "wooProductId", detail(lambda r: r.woo_product_id or None), drop=1),
            _when_column("Last exported", "lastExportedAt", detail(lambda r: _when(r, True))),
            _when_column("Last imported", "lastImportedAt", detail(lambda r: _when(r, False))),
        ]
    return columns


def _when_column(header: str, key: str, read: Callable[[MatrixRow], object]) -> Column[MatrixRow]:
    """A time: ISO 8601 in csv/tsv, empty when it never happened; ``never`` in the table."""
    return Column(header, key, read, drop=2, human=lambda row: read(row) or "never")


def _nested_sku(row: MatrixRow) -> str:
    """A variation's SKU indented, under its product (product-id order keeps them together)."""
    return f"  {row.sku}" if row.parent_product_id is not None else row.sku


def _when(record: SyncRecord, exported: bool) -> str | None:
    from woosync.core.timeutil import iso

    value = record.last_exported_at if exported else record.last_imported_at
    return iso(value)


def _matrix(output: Output, chosen: ListFormat, stores: Sequence[StoreStatus]) -> None:
    from woosync.services.sync_status import status_matrix

    errors: list[tuple[MatrixRow, StoreStatus, SyncRecord]] = []

    def rows() -> Iterator[MatrixRow]:
        for row in status_matrix(stores):
            for store, cell in zip(stores, row.cells, strict=True):
                if cell is not None and cell.state == "error" and len(errors) < ERRORS_SHOWN:
                    errors.append((row, store, cell))
            yield row

    listing: Listing[MatrixRow] = Listing(
        _columns(stores, nest=chosen.name == "table"),
        rows(),
        json_of=lambda row: row.product_id,
        id_of=lambda row: row.product_id,
        empty="No sync records match.",
        what="products",
    )
    show_listing(output, chosen, listing)
    if chosen.name == "table":
        _errors(output, errors, stores)
        _summaries(output, stores)


ERRORS_SHOWN = 20  # error messages printed under the matrix, each in full


def _errors(
    output: Output,
    errors: Sequence[tuple[MatrixRow, StoreStatus, SyncRecord]],
    stores: Sequence[StoreStatus],
) -> None:
    for row, store, cell in errors:
        output.write(
            f"{row.sku} (product {row.product_id}) in {store.store_name}: "
            f"{spell_params(cell.error_message or 'error', flag_of)}\n"
        )
    total = sum(store.summary.error for store in stores)
    if total > len(errors):
        output.write(f"... and {total - len(errors)} more in error (see --status error --json)\n")


def summary_line(store: StoreStatus) -> str:
    summary = store.summary
    return (
        f"{summary.synced} synced, {summary.pending} pending, {summary.error} error"
        + (f", {summary.excluded} excluded" if summary.excluded else "")
        + f" ({summary.total} total)"
        + (f", {store.conflict_count} conflicts" if store.conflict_count else "")
    )


def _summaries(output: Output, stores: Sequence[StoreStatus]) -> None:
    for store in stores:
        cursor = ""
        if store.import_cursor is not None:
            from woosync.core.timeutil import iso

            cursor = f"; incremental import bookmark {iso(store.import_cursor)}"
        if store.scheduled:
            count = len(store.scheduled)
            cursor += f"; {count} scheduled store product(s) to come in once published"
        output.write(f"{_name(store)}: {summary_line(store)}{cursor}\n")
    for store in stores:
        cid = store.connection_id
        if store.conflict_count:
            output.write(
                f"{store.conflict_count} field(s) changed on both sides in {store.store_name}: "
                f"see 'woosync sync-status --connection {cid} --conflicts'.\n"
            )
        if store.summary.error:
            output.write(
                f"Retry the products in error with 'woosync export --connection {cid} "
                "--retry-failed'.\n"
            )


# conflicts ----------------------------------------------------------------------------------------
def _conflicts(output: Output, stores: Sequence[StoreStatus]) -> None:
    from woosync.cli.formats import print_table
    from woosync.cli.import_views import shown_pair
    from woosync.services.sync_status import Conflict

    found: list[tuple[StoreStatus, Conflict]] = []
    for store in stores:
        for _record in store.records():
            pass
        found += [(store, conflict) for conflict in store.conflicts]
    if not found:
        output.write("No conflicts.\n")
        return
    columns: list[Column[tuple[StoreStatus, Conflict]]] = [
        Column("Store", "store", lambda item: item[0].store_name),
        Column("Product", "productId", lambda item: item[1].product_id),
        Column("SKU", "sku", lambda item: item[1].sku),
        Column("Woo ID", "wooProductId", lambda item: item[1].woo_product_id or None, drop=1),
        Column("Field", "field", lambda item: item[1].field),
        Column(
            "Catalog", "catalog", lambda item: shown_pair(item[1].catalog, item[1].store, 200)[0]
        ),
        Column(
            "Store value",
            "storeValue",
            lambda item: shown_pair(item[1].catalog, item[1].store, 200)[1],
        ),
    ]
    print_table(output, columns, found, title="Conflicts: changed on both sides")
    connections = sorted({store.connection_id for store, _conflict in found})
    connection = str(connections[0]) if len(connections) == 1 else "ID"
    each = (
        f" (ID: {', '.join(str(c) for c in connections)}, one store at a time)"
        if len(connections) > 1
        else ""
    )
    output.write(
        f"Keep the catalog's values: 'woosync import --connection {connection} --update-existing "
        f"--on-conflict catalog'{each} (the next export sends them); take the store's: "
        "'--on-conflict store'; or edit one side.\n"
    )


def register(app: typer.Typer) -> None:
    app.command("sync-status")(sync_status_command)
