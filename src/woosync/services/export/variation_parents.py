"""The variable parent's side of a variation export: ``type: variable`` and every attribute its
variations name marked ``variation: true`` with its options, sent in ``/products/batch`` updates
(100 a request) before any variation; a store product of another type holding the parent's SKU
(adopted by the product pass) is never turned into a variable product."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from woosync.db.engine import Database
from woosync.db.models import ProductSync
from woosync.services.export.registry import ATTRIBUTE, StoreRegistry
from woosync.services.export.variation_records import Family
from woosync.services.sync import targets as sync_targets
from woosync.woo import ItemError, WooClient
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.errors import WooError

log = logging.getLogger("woosync.export")


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
    ) -> None:
        self.db = db
        self.client = client
        self.connection_id = connection_id
        self.registry = registry
        self.slugs = slugs
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.writes = 0  # /products/batch requests sent

    def prepare(self, families: Sequence[Family], created: frozenset[int]) -> dict[int, str]:
        """Make each linked parent ``variable`` with its variation attributes marked so; returns
        the parents that could not be (product id -> why): their variations are not sent."""
        wanted = {
            f.product_id: attributes
            for f in families
            if f.woo_id and (attributes := self._attributes(f)) is not None
        }
        unready = self._not_variable(
            [f for f in families if f.product_id in wanted and f.product_id not in created]
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
            self.writes += 1
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
                for family in families:
                    if family.woo_id == int(answer.get("id") or 0):
                        family.store_attributes = sync_targets.normalize_store_attributes(
                            answer.get("attributes")
                        )
                        rows.append(family)
            self._remember_parents(rows)
        return unready

    def _not_variable(self, families: Sequence[Family]) -> dict[int, str]:
        """Parents the store holds as another type (a simple product adopted by its SKU): never
        turned into a variable product silently."""
        unready: dict[int, str] = {}
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
                unready[family.product_id] = (
                    f'"{family.sku}" is a {kind} product in the store (#{family.woo_id}); woosync '
                    "does not turn it into a variable product: delete it in the store (or give "
                    "the catalog product another SKU) and export again"
                )
        return unready

    def _attributes(self, family: Family) -> list[dict[str, Any]] | None:
        """The parent's attribute list with every variation attribute marked ``variation`` and
        holding its options; ``None`` when the store's already is so."""
        held = [dict(a) for a in family.store_attributes or []]
        changed = False
        for position, (name, options) in enumerate(family.attributes.items()):
            names = [str(o) for o in (options if isinstance(options, list) else [options])]
            slug = self.slugs.get(name)
            attribute_id = self.registry.get(ATTRIBUTE, slug) if slug else None
            entry = next(
                (
                    a
                    for a in held
                    if (attribute_id and a.get("id") == attribute_id)
                    or (
                        not attribute_id
                        and not a.get("id")
                        and str(a.get("name", "")).casefold() == name.casefold()
                    )
                ),
                None,
            )
            if entry is None:
                entry = {"id": attribute_id} if attribute_id else {"name": name}
                entry.update(position=position, visible=True)
                held.append(entry)
                changed = True
            if not entry.get("variation") or sorted(entry.get("options") or []) != sorted(names):
                entry["variation"] = True
                entry["options"] = names
                changed = True
        if not changed:
            return None
        return [_attribute_body(a) for a in held]

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


def _attribute_body(entry: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": int(entry["id"])} if entry.get("id") else {"name": entry["name"]}
    body.update(
        position=int(entry.get("position") or 0),
        visible=bool(entry.get("visible", True)),
        variation=bool(entry.get("variation", False)),
        options=list(entry.get("options") or []),
    )
    return body
