"""Upsells and cross-sells in one export: the catalog's SKUs as this store's product ids.

Each chunk's writes look up the SKUs they name in this store's sync records (a few queries a
chunk: :meth:`ExportLinks.prepare`). A SKU the store does not hold yet (a product this run
creates later, or one never exported to it) is left out of the write, which records what it
sent, and the product is remembered. Once every product of the run is written,
:meth:`ExportLinks.finish` sends those products' links again where more of them now resolve
(100 a request), and says which are still not in the store: those go out with the product's next
full export, or when its links change. The store's answer (ids) is read back as SKUs
(:meth:`ExportLinks.name`), so an import compares the store's links with the catalog's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from woosync.db.models import Product, ProductSync
from woosync.services.catalog.reading import field_value
from woosync.services.sync import product_links
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.prints import value_print
from woosync.woo import ItemError
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.errors import WooError

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient


class Run(Protocol):
    """What of an export run (``state.Run``) the links use."""

    db: Database
    connection_id: int

    @property
    def client(self) -> WooClient: ...

    def warn(self, message: str) -> None: ...


class Item(Protocol):
    """What of a product in a run (``state.Item``) the links use."""

    product_id: int
    values: dict[str, Any]
    prints: dict[str, str] | None
    keys: list[str]

    @property
    def woo_id(self) -> int: ...


_SAMPLE = 5  # products named in the warning


class ExportLinks:
    """What one run knows of this store's ids for the catalog's SKUs."""

    def __init__(self, targets: Sequence[sync_targets.Target]) -> None:
        self.targets = [t for t in targets if t.kind == sync_targets.LINKS]
        self.ids: dict[str, int] = {}  # case-folded SKU -> store id
        self.skus: dict[int, str] = {}  # store id -> SKU
        self.asked: set[str] = set()  # case-folded SKUs looked up (found or not)
        # product id -> the keys of its links that went out short (seen to in finish)
        self.pending: dict[int, set[str]] = {}
        self.absent: dict[str, set[str]] = {}  # SKU not in the store -> products naming it
        # product id -> the store ids its store copy links that no catalog product is linked to
        # in this store (a product without a SKU): kept in its writes (:meth:`_keep_store_only`)
        self.kept: dict[int, dict[str, list[int]]] = {}

    @classmethod
    def of(cls, targets: Sequence[sync_targets.Target]) -> ExportLinks | None:
        """``None`` when the run sends no upsells nor cross-sells."""
        found = cls(targets)
        return found if found.targets else None

    # resolving ---------------------------------------------------------------------------------
    def prepare(self, run: Run, items: Iterable[Item]) -> None:
        """Look up the SKUs these items' writes send as links (those not asked yet), and what
        else the store copies they update link to."""
        items = list(items)
        wanted = {
            sku
            for item in items
            for target in self.targets
            if target.key in item.keys
            for sku in item.values.get(target.key) or ()
            if sku.casefold() not in self.asked
        }
        self._look_up(run, wanted)
        self._keep_store_only(run, items)

    def _keep_store_only(self, run: Run, items: Sequence[Item]) -> None:
        """WooCommerce replaces a product's links with the list it is sent, and a store may link
        a product the catalog cannot name (one without a SKU, a shop manager's): before an update
        sends links, its store copy's are read (one request per 100 products), and those to no
        product linked in this store are kept in the write."""
        writing = {
            item.woo_id: item.product_id
            for item in items
            if item.woo_id and any(target.key in item.keys for target in self.targets)
        }
        if not writing:
            return
        fields = ",".join(["id", *(target.woo for target in self.targets)])
        current: list[Mapping[str, Any]] = []
        ids = sorted(writing)
        for start in range(0, len(ids), MAX_BATCH):
            group = ",".join(map(str, ids[start : start + MAX_BATCH]))
            params = {"include": group, "_fields": fields, "status": "any"}
            try:
                current += run.client.list_all("/products", params, per_page=MAX_BATCH)
            except WooError as exc:
                run.warn(
                    f"could not read the store's upsells and cross-sells before sending them "
                    f"({exc}): a link there to a product the catalog does not hold is replaced"
                )
                return
        with run.db.session() as session:
            linked = product_links.linked_skus(
                session, run.connection_id, product_links.link_ids(current)
            )
        for product in current:
            own = {
                target.woo: [
                    woo_id
                    for woo_id in product.get(target.woo) or ()
                    if type(woo_id) is int and woo_id > 0 and woo_id not in linked
                ]
                for target in self.targets
            }
            kept = {key: found for key, found in own.items() if found}
            if kept and int(product.get("id") or 0) in writing:
                self.kept[writing[int(product["id"])]] = kept

    def _with_kept(self, product_id: int, woo_field: str, ids: list[int], own_id: int) -> list[int]:
        """``ids`` and the store's own links of that product (:meth:`_keep_store_only`)."""
        kept = self.kept.get(product_id, {}).get(woo_field, ())
        return ids + [woo_id for woo_id in kept if woo_id not in ids and woo_id != own_id]

    def _look_up(self, run: Run, skus: Iterable[str]) -> None:
        wanted = list(skus)
        if not wanted:
            return
        with run.db.session() as session:
            found = product_links.store_ids(session, run.connection_id, wanted)
        self.asked.update(sku.casefold() for sku in wanted)
        for folded, woo_id in found.items():
            self.ids[folded] = woo_id
        for sku in wanted:
            linked = found.get(sku.casefold())
            if linked is not None:
                self.skus[linked] = sku

    def resolve(self, skus: Sequence[str], own_id: int = 0) -> tuple[list[int], list[str]]:
        """The store ids of ``skus`` it holds (never the product's own), and those SKUs."""
        ids: list[int] = []
        sent: list[str] = []
        for sku in skus:
            woo_id = self.ids.get(sku.casefold())
            if woo_id is not None and woo_id != own_id and woo_id not in ids:
                ids.append(woo_id)
                sent.append(sku)
        return ids, sent

    def fill(self, item: Item, body: dict[str, Any], *, dry_run: bool) -> None:
        """The write's links as store ids; what it sends short of the catalog's is what it
        records as sent, and the product is seen to again once the run's creates are done (a
        dry run shows the catalog's: its creates would be linked)."""
        for target in self.targets:
            if target.woo not in body:
                continue
            wanted = list(item.values.get(target.key) or ())
            ids, sent = self.resolve(wanted, item.woo_id)
            body[target.woo] = self._with_kept(item.product_id, target.woo, ids, item.woo_id)
            if len(sent) != len(wanted) and not dry_run:
                item.values = {**item.values, target.key: sent}
                if item.prints is not None:
                    item.prints = {**item.prints, target.key: value_print(target.kind, sent)}
                self.pending.setdefault(item.product_id, set()).add(target.key)

    def sent(self, keys: Iterable[str]) -> bool:
        """Whether a write of ``keys`` sent links (its answer names them as sent)."""
        return any(target.key in keys for target in self.targets)

    def name(self, run: Run, products: Iterable[MutableMapping[str, Any]]) -> None:
        """Store products' links as SKUs, in place (ids this run did not resolve are looked up
        in the sync records)."""
        listed = list(products)
        unknown = [i for i in product_links.link_ids(listed) if i not in self.skus]
        if unknown:
            with run.db.session() as session:
                self.skus.update(product_links.linked_skus(session, run.connection_id, unknown))
        product_links.name_links(listed, self.skus)

    # after the run's writes --------------------------------------------------------------------
    def finish(self, run: Run) -> None:
        """Send again the links that went out short and now resolve; record the rest as the
        catalog's (so a partial export does not send them every time) and warn about them."""
        pending, self.pending = self.pending, {}
        ids = sorted(pending)
        for start in range(0, len(ids), MAX_BATCH):
            chunk = ids[start : start + MAX_BATCH]
            self._finish_chunk(run, {product_id: pending[product_id] for product_id in chunk})
        if self.absent:
            run.warn(self._absent_warning(run.connection_id))

    def _finish_chunk(self, run: Run, short: Mapping[int, set[str]]) -> None:
        """``short``: product id -> the keys of its links that went out short."""
        with run.db.session() as session:
            rows = session.execute(
                select(Product, ProductSync)
                .join(ProductSync, ProductSync.product_id == Product.id)  # type: ignore[arg-type]
                .where(
                    ProductSync.connection_id == run.connection_id,  # type: ignore[arg-type]
                    Product.id.in_(list(short)),  # type: ignore[union-attr]
                )
            ).all()
            wanted = {  # the creates of this run are linked now: asked again
                sku
                for product, _sync in rows
                for target in self._short(short, product)
                for sku in self._catalog(product, target)
                if sku.casefold() not in self.ids
            }
            self.asked.difference_update(sku.casefold() for sku in wanted)
            self._look_up(run, wanted)
            updates: dict[int, dict[str, Any]] = {}
            plans: dict[int, tuple[Any, dict[str, list[str]], dict[str, list[str]]]] = {}
            for product, sync in rows:
                full, sent = {}, {}
                body: dict[str, Any] = {"id": sync.woo_product_id}
                for target in self._short(short, product):
                    catalog = self._catalog(product, target)
                    ids, resolved = self.resolve(catalog, sync.woo_product_id)
                    full[target.key], sent[target.key] = catalog, resolved
                    for sku in catalog:
                        if sku not in resolved and sku.casefold() != product.sku.casefold():
                            self.absent.setdefault(sku, set()).add(product.sku)
                    held = (sync.exported_values or {}).get(target.key)
                    if held != value_print(target.kind, resolved):
                        own = sync.woo_product_id
                        body[target.woo] = self._with_kept(product.id or 0, target.woo, ids, own)
                if len(body) > 1:
                    updates[sync.woo_product_id] = body
                plans[sync.woo_product_id] = (sync, full, sent)
        answers = self._send(run, list(updates.values()))
        with run.db.session() as session:
            for woo_id, (sync, full, sent) in plans.items():
                if woo_id in updates and woo_id not in answers:
                    continue  # not taken: the next export sends them again
                self._book(session, sync, full, sent)

    def _send(self, run: Run, updates: list[dict[str, Any]]) -> set[int]:
        """The updates the store took."""
        taken: set[int] = set()
        if not updates:
            return taken
        for _chunk, result in run.client.batch_chunks(
            "/products/batch", updates, "update", size=MAX_BATCH, concurrency=1
        ):
            if isinstance(result, WooError):
                run.warn(f"upsells and cross-sells could not be sent: {result}")
                continue
            for answer in result.update:
                if answer.get("error"):
                    error = ItemError.from_answer(answer["error"])
                    run.warn(f"store product #{answer.get('id')}: links not sent: {error}")
                elif answer.get("id"):
                    taken.add(int(answer["id"]))
        return taken

    def _book(
        self,
        session: Any,
        sync: ProductSync,
        full: Mapping[str, list[str]],
        sent: Mapping[str, list[str]],
    ) -> None:
        """The catalog's links as the base (a partial export does not send them again until
        they change), and what the store holds of them as its echo when that is less."""
        values = dict(sync.exported_values or {})
        echoes = dict(sync.store_echoes or {})
        for target in (t for t in self.targets if t.key in full):
            values[target.key] = value_print(target.kind, full[target.key] or None)
            held = value_print(target.kind, sent[target.key] or None)
            if held != values[target.key]:
                echoes[target.key] = held
            else:
                echoes.pop(target.key, None)
        table: Any = ProductSync.__table__  # type: ignore[attr-defined]
        session.execute(
            table.update()
            .where(table.c.id == sync.id)
            .values(exported_values=values, store_echoes=echoes or None)
        )

    def _short(self, short: Mapping[int, set[str]], product: Product) -> list[sync_targets.Target]:
        keys = short.get(product.id or 0, set())
        return [target for target in self.targets if target.key in keys]

    def _catalog(self, product: Product, target: sync_targets.Target) -> list[str]:
        value = sync_targets.local_value(target, field_value(product, target.field))
        return list(value or ())

    def _absent_warning(self, connection_id: int) -> str:
        named = sorted(self.absent)
        products = sorted({sku for skus in self.absent.values() for sku in skus})
        more = f" and {len(named) - _SAMPLE} more" if len(named) > _SAMPLE else ""
        return (
            f"upsells or cross-sells not in this store (connection {connection_id}): "
            f"{', '.join(named[:_SAMPLE])}{more} (named by {', '.join(products[:_SAMPLE])}"
            f"{' ...' if len(products) > _SAMPLE else ''}); left out of those products' links "
            "until they are exported to it, then sent with those products' next full export"
        )
