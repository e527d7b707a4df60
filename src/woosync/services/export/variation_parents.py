"""The variable parent's side of an export: ``type: variable`` and every attribute its variations
name marked ``variation: true`` with its options.

The product pass carries them in the parent's own write (:class:`VariableWrites`, on every
chunk): a create is ``type: variable`` with its variation attributes from the start, an update
carries them only when the store's last known list differs. A store product of another
type holding the parent's SKU is never turned into a variable product: the parent fails, saying
what to do. :class:`VariableParents` is the variation stage's safety net for a parent the product
pass did not write (unchanged, its attributes not exported): it sends the attributes in
``/products/batch`` updates (100 a request) before any variation, and nothing when the store's
list is right already.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from woosync.db.engine import Database
from woosync.db.models import Product, ProductSync
from woosync.products.variations import varied_attributes
from woosync.services.export import decide
from woosync.services.export.payload import MissingRefError
from woosync.services.export.registry import StoreRegistry
from woosync.services.export.state import CREATE, UPDATE, Item, Run
from woosync.services.export.variation_attributes import explicit_locals, marked
from woosync.services.export.variation_records import VARIABLE, Family
from woosync.services.sync import targets as sync_targets
from woosync.woo import ItemError
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.errors import WooError

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

log = logging.getLogger("woosync.export")

_CHUNK = 500


class VariableWrites:
    """The variable products among one chunk's items, and what makes their writes variable.

    :meth:`of` (after the plan) finds them with one query; :meth:`complete` (once the bodies are
    built) puts ``type: variable`` and the attributes in. A parent the product pass does not
    write (``--partial``, its exported fields unchanged) gets a changed attribute list from
    :class:`VariableParents`, before its variations.
    """

    def __init__(self, run: Run, attributes_of: dict[int, dict[str, Any]]) -> None:
        self.run = run
        self.attributes_of = attributes_of
        self.slugs = run.variation_slugs
        self.explicit_local = explicit_locals(run.targets)

    @classmethod
    def of(cls, run: Run, items: Sequence[Item]) -> VariableWrites:
        # the variable ones as the chunk's read found them (a simple catalog: no query)
        writing = [i for i in items if i.variable and not i.done and i.action in (CREATE, UPDATE)]
        return cls(run, _variable_products(run, writing) if not run.options.dry_run else {})

    def wanted(self, item: Item, payload: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        """The attribute list the item's write must carry (``None``: the one it has, or the
        store's last known one, is right)."""
        attributes = self.attributes_of.get(item.product_id)
        if attributes is None:
            return None
        base = (payload or {}).get("attributes", item.known.store_attributes)
        held_back = item.known.conflicts or {}
        try:
            registry, local = self.run.registry, self.explicit_local
            return marked(attributes, base, self.slugs, registry, held_back, local)
        except MissingRefError as exc:  # the store's global attribute of a local name
            item.fail(str(exc))
            return None

    def complete(self, writing: Sequence[Item]) -> list[Item]:
        """Put what makes a variable product variable into its write; returns the items still to
        write (a parent whose SKU a store product of another type holds fails here)."""
        if not self.attributes_of:
            return list(writing)
        mine = [i for i in writing if i.product_id in self.attributes_of and i.payload is not None]
        stale = [
            i
            for i in mine
            if i.action == UPDATE
            and i.store_product is None
            and "attributes" not in (i.payload or {})
            and self.wanted(i, i.payload) is not None
        ]
        if stale:  # the merge starts from the store's list as it is now, and its type is checked
            decide.load_store_state(self.run, stale, with_products=True)
        for item in mine:
            if item.done or item.payload is None:
                continue
            wanted = self.wanted(item, item.payload)
            if item.done:
                continue
            if item.action == UPDATE:
                if wanted is None and "attributes" not in item.payload:
                    continue  # the store's list is right already: the update does not carry it
                kind = str((item.store_product or {}).get("type") or VARIABLE)
                if kind != VARIABLE:
                    item.fail(not_variable_message(item.sku, kind, item.woo_id))
                    continue
            item.payload["type"] = VARIABLE
            if wanted is not None:
                item.payload["attributes"] = wanted
        return [i for i in writing if not i.done]


def _variable_products(run: Run, items: Sequence[Item]) -> dict[int, dict[str, Any]]:
    """product id -> the attributes its variations vary by, for the variable products among
    ``items``."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    ids = [i.product_id for i in items]
    found: dict[int, dict[str, Any]] = {}
    if not ids:
        return found
    options: dict[int, list[dict[str, Any]]] = {}
    with run.db.session() as session:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(table.c.id, table.c.attributes).where(
                table.c.id.in_(chunk), table.c.type == VARIABLE
            )
            found.update({int(i): dict(a or {}) for i, a in session.execute(query)})
            query = select(table.c.parent_id, table.c.attributes).where(
                table.c.parent_id.in_(chunk)
            )
            for parent_id, held in session.execute(query):
                options.setdefault(int(parent_id), []).append(dict(held or {}))
    return {i: varied_attributes(a, options.get(i, ())) for i, a in found.items()}


def not_variable_message(sku: str, kind: str, woo_id: int) -> str:
    return (
        f'"{sku}" is a {kind} product in the store (#{woo_id}); woosync does not turn it into a '
        "variable product: delete it in the store (or give the catalog product another SKU) and "
        "export again"
    )


class VariableParents:
    """Makes the parents of one run ready for their variations."""

    def __init__(
        self,
        db: Database,
        client: WooClient,
        connection_id: int,
        registry: StoreRegistry,
        slugs: Mapping[str, str],
        *,
        batch_size: int = MAX_BATCH,
        concurrency: int = 4,
        explicit_local: Collection[str] = (),
    ) -> None:
        self.db = db
        self.client = client
        self.connection_id = connection_id
        self.registry = registry
        self.slugs = slugs
        self.explicit_local = explicit_local
        self.refused: dict[int, str] = {}  # parents whose attributes cannot go (product id -> why)
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.written: list[Family] = []  # linked parents whose attributes were sent
        self.typed: set[int] = set()  # parents (product ids) whose store type was read

    def prepare_terms(self, variations: Sequence[Any], *, create: bool) -> None:
        """The store's terms of the options the variations name of global attributes (created
        when missing and ``create``)."""
        wanted: dict[str, tuple[str, set[str]]] = {}
        for variation in variations:
            for name, option in (variation.attributes or {}).items():
                slug = self.slugs.get(name)
                if slug is not None:
                    wanted.setdefault(slug, (name, set()))[1].add(str(option))
        if wanted:
            self.registry.prepare(self.client, attributes=wanted, create=create)

    def prepare(self, families: Sequence[Family], created: frozenset[int]) -> dict[int, str]:
        """Make each linked parent ``variable`` with its variation attributes marked so; returns
        the parents that could not be (product id -> why): their variations are not sent."""
        wanted = {
            f.product_id: attributes
            for f in families
            if f.woo_id and (attributes := self._attributes(f)) is not None
        }
        unready = self.not_variable(
            [f for f in families if f.product_id in wanted and f.product_id not in created]
        )
        unready.update(
            {
                f.product_id: self.refused[f.product_id]
                for f in families
                if f.product_id in self.refused
            }
        )
        updates = [
            {"id": f.woo_id, "type": "variable", "attributes": wanted[f.product_id]}
            for f in families
            if f.product_id in wanted and f.product_id not in unready
        ]
        by_woo = {f.woo_id: f for f in families}
        for chunk, result in self.client.batch_chunks(
            "/products/batch", updates, "update", size=self.batch_size, concurrency=self.concurrency
        ):
            if isinstance(result, WooError):
                for body in chunk:
                    unready[by_woo[int(body["id"])].product_id] = (
                        f"its variable product's attributes could not be sent: {result}"
                    )
                continue
            rows = []
            for answer in result.update:
                if answer.get("error"):
                    family = by_woo.get(int(answer.get("id") or 0))
                    if family is not None:
                        error = ItemError.from_answer(answer["error"])
                        unready[family.product_id] = (
                            f"its variable product's attributes could not be sent: {error}"
                        )
                    continue
                family = by_woo.get(int(answer.get("id") or 0))
                if family is not None:
                    family.store_attributes = sync_targets.normalize_store_attributes(
                        answer.get("attributes")
                    )
                    rows.append(family)
                    if family.product_id not in created:
                        self.written.append(family)
            self._remember_parents(rows)
        return unready

    def not_variable(self, families: Sequence[Family]) -> dict[int, str]:
        """Parents the store holds as another type (a simple product adopted by its SKU, a
        variable product a shop manager made simple): never turned into a variable product
        silently, and no variation is made under them. One request per 100 parents, each
        parent's type read once per run."""
        unready: dict[int, str] = {}
        families = [f for f in families if f.product_id not in self.typed]
        self.typed.update(f.product_id for f in families)
        ids = [f.woo_id for f in families]
        types: dict[int, str] = {}
        for start in range(0, len(ids), MAX_BATCH):
            group = ",".join(str(i) for i in ids[start : start + MAX_BATCH])
            params = {"include": group, "_fields": "id,type", "status": "any"}
            for product in self.client.list_all("/products", params, concurrency=1):
                types[int(product["id"])] = str(product.get("type") or "")
        for family in families:
            kind = types.get(family.woo_id, "variable")
            if kind != "variable":
                unready[family.product_id] = not_variable_message(family.sku, kind, family.woo_id)
        return unready

    def _attributes(self, family: Family) -> list[dict[str, Any]] | None:
        held = family.store_attributes or []
        attributes = family.varied_attributes()
        try:
            return marked(
                attributes, held, self.slugs, self.registry, family.conflicts, self.explicit_local
            )
        except MissingRefError as exc:  # the store's global attribute of a local name
            self.refused[family.product_id] = str(exc)
            return None

    def _remember_parents(self, families: Sequence[Family]) -> None:
        if not families:
            return
        with self.db.session() as session:
            table: Any = ProductSync.__table__  # type: ignore[attr-defined]
            for family in families:
                session.execute(
                    table.update()
                    .where(
                        table.c.connection_id == self.connection_id,
                        table.c.product_id == family.product_id,
                    )
                    .values(store_attributes=family.store_attributes)
                )
