"""The dry run (:func:`plan_export`) and its view of planned items: what each would change in the store (only the values that
differ from the store's), and what the store lacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from woosync.core.progress import Progress
from woosync.services.export import decide, match, notices
from woosync.services.export.job import Job, linked_sync
from woosync.services.export.payload import MissingRefError, NeverSentError, build_payload
from woosync.services.export.phases import Phases
from woosync.services.export.registry import (
    ATTRIBUTE,
    BRAND,
    CATEGORY,
    StoreRegistry,
    category_key,
)
from woosync.services.export.request import ExportRequest
from woosync.services.export.results import (
    ExportPlan,
    FieldChange,
    PlannedProduct,
    PlanSummary,
    WouldCreate,
)
from woosync.services.export.state import CREATE, ERROR, UNCHANGED, UPDATE, Item, Run
from woosync.services.export.store_edits import as_the_catalog_names
from woosync.services.export.variation_run import plan_variations_of, variable_parents, with_parents
from woosync.services.selection import Excluded
from woosync.services.sync import targets as sync_targets

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient


def planned(run: Run, item: Item) -> PlannedProduct:
    """What a real run would do with the item (planned with ``dry_run``)."""
    held = tuple(decide.held_conflicts(run, item))
    if item.action == ERROR:
        return PlannedProduct(
            item.product_id,
            item.sku,
            ERROR,
            item.woo_id or None,
            message=item.message,
            held_conflicts=held,
        )
    if item.action not in (CREATE, UPDATE):
        return PlannedProduct(
            item.product_id, item.sku, item.action, item.woo_id or None, held_conflicts=held
        )
    refused, missing = _payload_problems(run, item)
    if refused is not None:  # a write the real run never sends: the product fails
        return PlannedProduct(
            item.product_id, item.sku, ERROR, item.woo_id or None, message=refused
        )
    store = (
        sync_targets.store_values(run.targets, as_the_catalog_names(run, item), run.attribute_ids())
        if item.store_product
        else None
    )
    keys = item.keys
    if item.action == UPDATE and store is not None:
        keys = [key for key in keys if _differs(run, item, key, store.get(key))]
    changes = tuple(
        FieldChange(
            field=run.by_key[key].field,
            woo_field=_woo_name(run.by_key[key]),
            old=(store or {}).get(key) if item.action == UPDATE else None,
            new=item.values.get(key),
        )
        for key in keys
    )
    if item.action == CREATE and item.unpublished:
        changes += (FieldChange("status", "status", None, item.unpublished),)
    if item.action == CREATE and item.created_type:
        changes += (FieldChange("type", "type", None, item.created_type),)
    if item.action == UPDATE and not changes and not item.restore:
        # the store already holds every value the write would send
        return PlannedProduct(
            item.product_id, item.sku, UNCHANGED, item.woo_id or None, held_conflicts=held
        )
    return PlannedProduct(
        item.product_id,
        item.sku,
        item.action,
        item.woo_id or None,
        fields=changes,
        missing=tuple(missing),
        held_conflicts=held,
        restore_from_trash=item.restore,
    )


def _differs(run: Run, item: Item, key: str, old: Any) -> bool:
    """Whether the store's value of ``key`` (local terms) differs from ours, compared in the
    canonical form the fingerprints use (``12.5`` is ``12.50``, entities and order do not
    count)."""
    new = item.values.get(key)
    if _empty(old) or _empty(new):
        return _empty(old) != _empty(new)
    return sync_targets.fingerprint(run.kinds[key], old) != decide.prints(run, item).get(key)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _payload_problems(run: Run, item: Item) -> tuple[str | None, list[str]]:
    """Why the real run would fail the item's write (``None``: it would not), and the names the
    store lacks that may not be created (``--no-create-terms``). With terms created, only a
    write sending attributes (the one that may clash with the store's kind) or naming what the
    store cannot hold is built."""
    if (
        run.options.create_terms
        and not run.registry.unmakeable
        and not run.attribute_keys.intersection(item.keys)
    ):
        return None, []
    try:
        build_payload(
            run.targets,
            decide.sendable(run, item),
            item.keys,
            _DryRefs(run.registry),
            item.known.store_attributes,
        )
    except NeverSentError as exc:  # a local attribute over the store's global one; a brand in a
        return str(exc), []  # store that has none
    except MissingRefError as exc:  # what the store lacks is created unless --no-create-terms
        return None, [] if run.options.create_terms else [str(exc)]
    return None, []


def would_create(run: Run) -> tuple[WouldCreate, ...]:
    """Categories, tags, brands, attributes and terms a real run would create in the store."""
    if not run.options.create_terms:
        return ()
    made = set(run.registry.missing) - run.registry.unmakeable
    return tuple(WouldCreate(kind, key) for kind, key in sorted(made))


class _DryRefs:
    """A resolver for dry-run: names the store lacks are only a problem when they cannot be made."""

    def __init__(self, registry: StoreRegistry) -> None:
        self.registry = registry

    def _check(self, kind: str, key: str) -> int:
        if self.registry.get(kind, key) is None and (kind, key) in self.registry.missing:
            if (kind, key) in self.registry.unmakeable:
                raise NeverSentError(self.registry.missing[(kind, key)])
            raise MissingRefError(self.registry.missing[(kind, key)])
        return self.registry.get(kind, key) or 0

    def category_id(self, name: str) -> int:
        return self._check(CATEGORY, category_key(name))

    def tag_id(self, name: str) -> int:
        return self._check("tag", name)

    def brand_id(self, name: str) -> int:
        return self._check(BRAND, category_key(name))

    def attribute_id(self, slug: str) -> int:
        return self._check(ATTRIBUTE, slug)

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        for name in names:
            self._check(f"term:{slug}", name)

    def image(self, src: str) -> dict[str, Any]:
        return self.registry.image(src)


def plan_export(
    db: Database,
    request: ExportRequest,
    *,
    progress: Progress | None = None,
    on_product: Callable[[PlannedProduct], None] | None = None,
    on_excluded: Callable[[Excluded], None] | None = None,
    client: WooClient | None = None,
) -> ExportPlan:
    """What :func:`export_products` would do with ``request`` (a dry run): nothing is written, in
    the store or the database; no lock is taken. Each product's plan goes to ``on_product`` (then
    the returned ``products`` is empty), else it is returned. ``progress`` hears the planning
    phase, its total the products chosen."""
    options = request.options(dry_run=True)
    choice, chosen = with_parents(db, request.choice)
    counts = dict.fromkeys(("create", "update", "unchanged", "error", "conflicts"), 0)
    parents: list[int] = []
    adopted: dict[int, int] = {}  # variable products in the store (linked, or by SKU): store ids
    quiet_parents: set[int] = set()  # variable products planned unchanged (a new option amends)
    kept: list[PlannedProduct] = []

    def add(product: PlannedProduct) -> None:
        counts[product.action if product.action in counts else "error"] += 1
        if product.held_conflicts:
            counts["conflicts"] += 1
        if on_product is None:
            kept.append(product)
        else:
            on_product(product)

    phases = Phases(progress)
    job = Job(db, request, choice, options, phases, on_excluded)
    with job.opened(None, client) as run:
        phases.start(job.total)
        if request.linked_only:
            with db.session() as session:
                for product_id in request.choice.product_ids:
                    linked_sync(session, run.connection_id, product_id)
        for chunk in job.chunks(run):
            if chunk.items:
                match.plan_chunk(run, chunk.items)
                phases.planned(len(chunk.items))  # those left out or unchanged: counted already
            done = {item.product_id: planned(run, item) for item in chunk.items}
            adopted.update(  # by SKU: the run would list their store variations and match them
                (item.product_id, item.woo_id)
                for item in chunk.items
                if item.variable and item.woo_id
            )
            for product_id, quiet in chunk.in_order():
                if quiet is not None:
                    add(PlannedProduct(product_id, chunk.skus[product_id], UNCHANGED, quiet[0]))
                elif product_id in done:
                    add(done[product_id])
            ready = [p for p, r in done.items() if r.action != "error"]
            ready += [p for p, quiet in chunk.in_order() if quiet is not None]
            chunk_parents = variable_parents(db, ready)
            parents += chunk_parents
            quiet_parents.update(
                p for p in chunk_parents if p not in done or done[p].action == UNCHANGED
            )
        creates = would_create(run)
        variations = plan_variations_of(
            run, parents, chosen, prune=request.prune_variations, adopted=adopted
        )
        job.leave_out(variations.excluded)
    for change in variations.parents:  # its attribute list goes out for a new option
        if change.product_id in quiet_parents:
            fields = tuple(
                FieldChange(n, "attributes", old, new) for n, old, new in change.attributes
            )
            parent = PlannedProduct(change.product_id, change.sku, UPDATE, change.woo_id, fields)
            counts["unchanged"] -= 1
            add(parent)  # the last entry is what would happen; counted once
            if on_product is None:
                kept[:] = [p for p in kept if p.product_id != parent.product_id or p is parent]
    for variation in variations.variations:
        counts[variation.action if variation.action in counts else "error"] += 1
        if variation.held_conflicts:
            counts["conflicts"] += 1
    summary = PlanSummary(**counts, excluded=job.excluded_count)
    return ExportPlan(
        job.connection_id,
        request.partial,
        summary,
        creates,
        tuple(kept),
        tuple(job.excluded),
        tuple(variations.variations),
        tuple(variations.pruned),
        _warnings(summary, job.connection_id),
    )


def _warnings(summary: PlanSummary, connection_id: int) -> tuple[str, ...]:
    if not summary.conflicts:
        return ()
    return (notices.held_conflicts_warning(summary.conflicts, connection_id, dry_run=True),)


def _woo_name(target: sync_targets.Target) -> str:
    """Where a field goes, as a mapping names it (``meta:KEY`` for a meta data key)."""
    return target.key if target.kind == sync_targets.META else target.woo
