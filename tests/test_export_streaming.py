"""Export in chunks (issue 12): each chunk is planned, sent and booked before the next is read,
each product's result is handed over as it is finished, and an unchanged ``--partial`` is decided
from the stored digest of the export's inputs, without decoding the product."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from queued_runs import connection
from test_export_sandbox import client_for
from test_export_support import add_products, edit_product, export_request, sync_of, tee
from test_progress_phases import Recording
from woosync.cli.progress_bar import PhaseBar
from woosync.core.progress import Phase
from woosync.db.engine import Database, open_database
from woosync.db.models import ProductSync
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.export import match, select
from woosync.services.export.dry_run import plan_export
from woosync.services.export.request import ExportRequest
from woosync.services.export.results import ExportPlan, ExportResult, PlannedProduct, ProductResult
from woosync.services.export.run import export_products
from woosync.services.selection import EXCLUDED, mark_excluded

FIELDS = ["name", "sku", "price", "categories"]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(select, "CHUNK", 3)


# woosync's clock stands still and a pause after a failed batch returns at once (conftest's clock)
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def shop(db: Database) -> tuple[SandboxStore, int, list[int]]:
    sandbox = SandboxStore()
    conn = connection(db, "Retail")
    ids = add_products(db, [tee(f"S-{n}", categories=["Tees"]) for n in range(8)])
    return sandbox, conn, ids


def export(db: Database, sandbox: SandboxStore, conn: int, **options: Any) -> ExportResult:
    request, call = export_request(conn, {"fields": FIELDS, **options})
    with client_for(sandbox) as client:
        return export_products(db, request, client=client, **call)


def test_a_catalog_goes_through_chunk_by_chunk_and_results_come_as_they_are_finished(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    sandbox, conn, ids = shop
    seen: list[tuple[ProductResult, int]] = []  # each result, and the store's size when it came
    result = export(
        db,
        sandbox,
        conn,
        all_products=True,
        on_result=lambda r: seen.append((r, len(sandbox.products))),
    )
    assert (result.synced_count, result.failed_count, result.results) == (8, 0, ())
    assert [r.product_id for r, _size in seen] == ids
    # a chunk's results are handed over once its writes are answered, before the chunk after
    # next is sent (the next one may be on its way: it is queued behind the last answers)
    sizes = [size for _r, size in seen]
    assert sizes == sorted(sizes)
    assert set(sizes[:3]) <= {3, 6} and set(sizes[3:6]) <= {6, 8} and sizes[6:] == [8, 8]
    assert all(r.status == "success" and r.woo_product_id for r, _size in seen)
    assert sandbox.stats.items_created == 8

    again = export(db, sandbox, conn, all_products=True)  # kept: no callback
    assert [r.product_id for r in again.results] == ids
    assert sandbox.stats.items_created == 8  # matched by link, nothing created twice


def test_an_unchanged_partial_export_decodes_no_product_and_asks_the_store_nothing(
    db: Database, shop: tuple[SandboxStore, int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, conn, ids = shop
    export(db, sandbox, conn, all_products=True)
    loaded: list[list[int]] = []
    load_items = select.load_items

    def load_and_note(session: Any, cid: int, wanted: Any, *rest: Any) -> Any:
        loaded.append([row[0] for row in wanted])
        return load_items(session, cid, wanted, *rest)

    monkeypatch.setattr(select, "load_items", load_and_note)
    sandbox.stats.reset()
    quiet = export(db, sandbox, conn, all_products=True, partial=True)
    assert (quiet.synced_count, quiet.failed_count) == (8, 0)
    assert all(r.exported_fields == () for r in quiet.results)
    assert [r.last_exported_at for r in quiet.results] == [
        sync.last_exported_at for sync in (sync_of(db, conn, i) for i in ids) if sync
    ]
    assert sandbox.stats.requests == 0 and all(not wanted for wanted in loaded)

    edit_product(db, ids[4], price="12.50")  # one price: that product alone is decoded and sent
    edit_product(db, ids[6], price="10.0")  # decoded, found unchanged (10.0 == 10.00)
    # any write of the row makes it decoded once (the stamp names the row's revision), even of a
    # field not exported: found unchanged, stamped anew, nothing sent
    edit_product(db, ids[7], description="not exported")
    loaded.clear()
    changed = export(db, sandbox, conn, all_products=True, partial=True)
    assert [r.exported_fields for r in changed.results if r.exported_fields] == [("price",)]
    assert sorted(i for wanted in loaded for i in wanted) == [ids[4], ids[6], ids[7]]
    assert sandbox.find_sku("S-4")["regular_price"] == "12.50"  # type: ignore[index]

    loaded.clear()
    sandbox.stats.reset()
    export(db, sandbox, conn, all_products=True, partial=True)
    assert all(not wanted for wanted in loaded) and sandbox.stats.requests == 0


def test_a_caller_that_shows_no_unchanged_product_gets_only_the_others_and_the_counts(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    """``quiet_results=False`` (the CLI without ``--json`` or ``--verbose``): products a partial
    export finds unchanged without reading them are counted, and no result is made for each."""
    sandbox, conn, ids = shop
    export(db, sandbox, conn, all_products=True)
    edit_product(db, ids[2], price="13.00")
    handed: list[ProductResult] = []
    request, _call = export_request(conn, {"fields": FIELDS, "all_products": True, "partial": True})
    with client_for(sandbox) as client:
        done = export_products(
            db, request, client=client, on_result=handed.append, quiet_results=False
        )
    assert [(r.product_id, r.change) for r in handed] == [(ids[2], "updated")]
    assert (done.counts.updated, done.counts.unchanged, done.synced_count) == (1, 7, 8)


def test_a_base_moved_by_an_import_or_other_fields_are_never_taken_for_unchanged(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    sandbox, conn, ids = shop
    export(db, sandbox, conn, all_products=True)
    with db.session() as session:  # as an import does: the base is now the store's value
        sync = session.get(ProductSync, sync_of(db, conn, ids[1]).id)  # type: ignore[union-attr]
        assert sync is not None
        sync.exported_values = {**sync.exported_values, "regular_price": "0" * 16}
        session.add(sync)
    moved = export(db, sandbox, conn, all_products=True, partial=True)
    assert [r.product_id for r in moved.results if r.exported_fields] == [ids[1]]

    with client_for(sandbox) as client:  # another field list: decided the full way
        other = export_products(
            db,
            ExportRequest(conn, fields=["name", "sku"], all_products=True, partial=True),
            client=client,
        )
    assert other.synced_count == 8


def test_a_dry_run_plans_chunk_by_chunk_and_writes_nothing(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    sandbox, conn, ids = shop
    export(db, sandbox, conn, product_ids=ids[:4])
    edit_product(db, ids[0], price="11.00")
    planned: list[PlannedProduct] = []
    with client_for(sandbox) as client:
        plan = plan_export(
            db,
            ExportRequest(conn, fields=FIELDS, all_products=True, partial=True),
            client=client,
            on_product=planned.append,
        )
    assert isinstance(plan, ExportPlan) and plan.products == ()
    assert [p.action for p in planned] == ["update", *["unchanged"] * 3, *["create"] * 4]
    assert [c.field for c in planned[0].fields] == ["price"]
    assert (plan.summary.create, plan.summary.update, plan.summary.unchanged) == (4, 1, 3)
    assert sync_of(db, conn, ids[5]) is None and sandbox.stats.items_created == 4


def test_retry_failed_goes_through_in_chunks(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    sandbox, conn, ids = shop
    export(db, sandbox, conn, all_products=True)
    with db.session() as session:
        for product_id in ids[1:8:2]:
            sync = session.get(ProductSync, sync_of(db, conn, product_id).id)  # type: ignore[union-attr]
            assert sync is not None
            sync.sync_status = "error"
            session.add(sync)
    retried = export(db, sandbox, conn, retry_failed=True)
    assert [r.product_id for r in retried.results] == ids[1:8:2]
    assert all(sync_of(db, conn, i).sync_status == "synced" for i in ids)  # type: ignore[union-attr]


def test_export_json_is_streamed_as_one_document(cli, db_path: Path) -> None:
    """``--json`` is the document ``Output.emit`` would print (the same bytes), its ``results``
    written from the products as they were finished."""
    sandbox = SandboxStore()
    with sandbox.serve() as url:
        db = open_database(db_path)
        key, secret = sandbox.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        ids = add_products(db, [tee(f"J-{n}") for n in range(5)])
        db.dispose()
        result = cli("--json", "export", "--all", "--fields", "name,sku,price")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert [r["productId"] for r in data["results"]] == ids
    assert (data["success"], data["syncedCount"], data["excluded"]) == (True, 5, [])


def test_a_spooled_document_is_written_as_json_dumps_writes_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Lists kept on disk, at any depth, come out byte for byte as ``Output.emit`` prints them."""
    from woosync.cli.json_stream import JsonList, emit
    from woosync.cli.render import Output

    items = [
        {"productId": n, "fields": ["a", "ü"], "nested": {"x": [1, {"y": None}]}} for n in range(3)
    ]
    spooled = JsonList()
    for item in items:
        spooled.add(item)
    empty = JsonList()
    document = {
        "success": True,
        "stores": [{"result": {"results": spooled, "excluded": []}, "error": None}],
        "empty": empty,
        "tail": {"a": 1},
    }
    plain = {**document, "stores": [{"result": {"results": items, "excluded": []}, "error": None}]}
    plain["empty"] = []
    emit(Output(json_mode=True), document)
    assert capsys.readouterr().out == json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


def test_several_stores_stream_each_store_s_results_into_the_envelope(cli, db_path: Path) -> None:
    first, second = SandboxStore(), SandboxStore()
    with first.serve() as one, second.serve() as two:
        db = open_database(db_path)
        for name, (shop, url) in {"A": (first, one), "B": (second, two)}.items():
            key, secret = shop.create_key("read_write")
            create_connection(db, name=name, url=url, consumer_key=key, consumer_secret=secret)
        ids = add_products(db, [tee(f"M-{n}") for n in range(4)])
        db.dispose()
        result = cli(
            "--json", "export", "--connection", "all", "--all", "--fields", "name,sku,price"
        )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert [store["storeName"] for store in data["stores"]] == ["A", "B"]
    for store in data["stores"]:
        assert [r["productId"] for r in store["result"]["results"]] == ids
        assert store["result"]["syncedCount"] == 4 and store["error"] is None


def test_the_next_chunk_is_planned_while_the_last_batch_of_the_one_before_is_in_flight(
    db: Database, shop: tuple[SandboxStore, int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is not left idle while a chunk is planned: the first chunk's batch is still
    unanswered when the second chunk's planning begins (it waits for it here)."""
    sandbox, conn, ids = shop
    second_planned = threading.Event()
    planned: list[list[int]] = []
    plan_chunk = match.plan_chunk

    def plan(run: Any, items: Any) -> Any:
        planned.append([item.product_id for item in items])
        if len(planned) == 2:
            second_planned.set()
        return plan_chunk(run, items)

    monkeypatch.setattr(match, "plan_chunk", plan)
    waited: list[bool] = []
    with client_for(sandbox) as client:
        batch = client.batch

        def first_waits(path: str, **writes: Any) -> Any:
            if any(body.get("sku") == "S-0" for body in writes.get("create", [])):
                waited.append(second_planned.wait(timeout=10))
            return batch(path, **writes)

        monkeypatch.setattr(client, "batch", first_waits)
        request, call = export_request(conn, {"fields": FIELDS, "all_products": True})
        result = export_products(db, request, client=client, **call)
    assert waited == [True]
    assert planned == [ids[:3], ids[3:6], ids[6:]]
    assert (result.synced_count, result.failed_count) == (8, 0)
    assert sandbox.stats.items_created == 8


def test_the_next_chunk_is_sent_while_the_last_batch_of_the_one_before_is_answered(
    db: Database, shop: tuple[SandboxStore, int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store never waits for a chunk to drain: the second chunk's batch goes out while the
    first chunk's batch is still unanswered (it waits for it here); the results stay in order
    and the progress hears each chunk's writes in its own sending phase."""
    sandbox, conn, ids = shop
    second_sent = threading.Event()
    waited: list[bool] = []
    heard = Recording()
    with client_for(sandbox) as client:
        batch = client.batch

        def first_waits(path: str, **writes: Any) -> Any:
            skus = {body.get("sku") for body in writes.get("create", [])}
            if "S-3" in skus:
                second_sent.set()
            if "S-0" in skus:
                waited.append(second_sent.wait(timeout=10))
            return batch(path, **writes)

        monkeypatch.setattr(client, "batch", first_waits)
        results: list[ProductResult] = []
        request, call = export_request(conn, {"fields": FIELDS, "all_products": True})
        call.update(on_result=results.append, progress=heard)
        result = export_products(db, request, client=client, **call)
    assert waited == [True]
    assert [r.product_id for r in results] == ids
    assert (result.synced_count, result.failed_count) == (8, 0)
    assert sandbox.stats.items_created == 8
    assert heard.phases == [
        [str(Phase.PLANNING), 8, 3],
        [str(Phase.SENDING), 3, 3],
        [str(Phase.PLANNING), 0, 3],
        [str(Phase.SENDING), 3, 3],
        [str(Phase.PLANNING), 0, 2],
        [str(Phase.SENDING), 2, 2],
    ]


def test_products_left_out_of_the_store_are_handed_over_as_they_are_found(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    from woosync.services.selection import Excluded, save_selection
    from woosync.services.selection_rules import SelectionRules

    sandbox, conn, ids = shop
    with db.session() as session:
        save_selection(
            session, conn, SelectionRules.from_dict({"exclude": {"skus": ["S-1", "S-6"]}})
        )
    left_out: list[Excluded] = []
    result = export(db, sandbox, conn, all_products=True, on_excluded=left_out.append)
    assert [entry.product_id for entry in left_out] == [ids[1], ids[6]]
    assert (result.excluded, result.excluded_count, result.synced_count) == ((), 2, 6)
    kept = export(db, sandbox, conn, all_products=True, partial=True)  # no callback: returned
    assert [entry.sku for entry in kept.excluded] == ["S-1", "S-6"] and kept.excluded_count == 2


def test_the_planning_phase_knows_its_total_and_every_phase_ends_full(
    db: Database, shop: tuple[SandboxStore, int, list[int]]
) -> None:
    """Issue 14: planning shows done/total (so a rate and an ETA) like the other phases."""
    sandbox, conn, ids = shop
    export(db, sandbox, conn, product_ids=ids[:2])
    edit_product(db, ids[0], price="11.00")  # one update, one unchanged, five to create
    with db.session() as session:
        mark_excluded(session, conn, [ids[5]], EXCLUDED)  # and one left out
    heard = Recording()
    export(db, sandbox, conn, all_products=True, partial=True, progress=heard)
    # chunks of 3: each planned (its products counted) then sent; the total known from the start
    assert heard.phases == [
        [str(Phase.PLANNING), 8, 3],
        [str(Phase.SENDING), 2, 2],  # S-0 updated, S-2 created (S-1 unchanged)
        [str(Phase.PLANNING), 0, 3],  # the line resumes: its total was given
        [str(Phase.SENDING), 2, 2],  # S-3, S-4 (S-5 left out)
        [str(Phase.PLANNING), 0, 2],
        [str(Phase.SENDING), 2, 2],
    ]

    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    edit_product(db, ids[1], price="9.00")
    with PhaseBar(console, "Exporting products", None) as bar:
        export(db, sandbox, conn, all_products=True, partial=True, progress=bar)
        lines = [(t.description, t.completed, t.total) for t in bar._progress.tasks]
    assert lines == [("Planning", 8, 8), ("Sending", 1, 1)]

    edit_product(db, ids[2], price="8.00")
    dry = Recording()
    with client_for(sandbox) as client:
        plan = plan_export(db, ExportRequest(conn, fields=FIELDS, all_products=True,
                                             partial=True), progress=dry, client=client)  # fmt: skip
    assert (plan.summary.update, plan.summary.excluded) == (1, 1)
    assert dry.phases == [[str(Phase.PLANNING), 8, 8]]  # one line, every product counted once
