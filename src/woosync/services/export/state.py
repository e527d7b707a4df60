"""The state of one export run: its settings and shared memory (:class:`Run`) and one product on
its way through the stages (:class:`Item`).

An :class:`Item` is what we want in the store (``values``), what the sync record knew of it
(:class:`Known`), and what happens to it in this run (the action, the keys to send, the payload,
the outcome). Only a chunk of items lives at a time (``run.py``); the :class:`Run` lives for the
whole run and holds what every chunk shares: the client, the targets, the store's registry, the
adaptive batch size, and a few memos.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from woosync.services.export.links import ExportLinks
from woosync.services.export.payload import sent_fields
from woosync.services.export.registry import ATTRIBUTE, StoreRegistry
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.category_paths import CategoryPaths
from woosync.services.sync.default_options import TERMS_LISTING, TERMS_PATH, TermNames
from woosync.woo.api_limits import MAX_BATCH, MAX_PER_PAGE

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
ERROR = "error"

_Arg = TypeVar("_Arg")
_Out = TypeVar("_Out")

log = logging.getLogger("woosync.export")


@dataclass(slots=True)
class Known:
    """What the product's sync record for this store says (empty for a product never synced)."""

    woo_id: int = 0
    previous: dict[str, str] = field(default_factory=dict)  # fingerprints of the last sync
    store_attributes: list[dict[str, Any]] | None = None
    last_exported_at: datetime | None = None
    prior_status: str | None = None
    prior_fields: list[str] | None = None
    # the two-way sync's memory of this store (see sync.echoes): kept, updated for what is sent
    echoes: dict[str, str] | None = None
    image_sources: dict[str, str] | None = None
    conflicts: dict[str, Any] | None = None
    digest: str | None = None  # of the export's inputs when it was last in step (unchanged.py)


@dataclass(slots=True)
class Item:
    """One product in a run: what we want in the store, what we know of it, what happens to it."""

    product_id: int
    sku: str
    values: dict[str, Any]
    known: Known = field(default_factory=Known)
    basis: str | None = None  # its stamp, booked when it is in step (unchanged.stamp)
    variable: bool = False  # a variable product (its variations go out after it)
    # its catalog status when not published and the store is not sent status: a create carries
    # it, so the store never publishes what the catalog holds as a draft
    unpublished: str | None = None
    # its catalog type when external or grouped and the store is not sent type: a create carries
    # it, so the store never sells as its own (a simple product) what the catalog links elsewhere
    created_type: str | None = None
    # the decision (plan, match)
    action: str = ""
    keys: list[str] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    restore: bool = False  # the store product is in the trash: the write restores it
    held: bool = False  # fields the store changed are held as conflicts (store_edits.py)
    store_product: dict[str, Any] | None = None  # read from the store in this run
    prints: dict[str, str] | None = None  # fingerprints of ``values``, made once
    # sending
    attempts: int = 0
    relinked: bool = False
    image_retry: bool = False
    # the outcome
    message: str | None = None
    exported_fields: list[str] = field(default_factory=list)
    exported_at: datetime | None = None
    done: bool = False

    @property
    def woo_id(self) -> int:
        return self.known.woo_id

    def fail(self, message: str) -> None:
        self.action = ERROR
        self.message = message
        self.done = True


@dataclass(frozen=True, slots=True)
class Options:
    """How a run exports (the caller's options, checked by ``run.py``)."""

    partial: bool = False
    dry_run: bool = False
    concurrency: int = 4
    batch_size: int = MAX_BATCH
    create_terms: bool = True
    restore_trashed: bool = False


class Run:
    """What every chunk of one run shares."""

    def __init__(
        self,
        db: Database,
        connection_id: int,
        client: Callable[[], WooClient],
        targets: Sequence[sync_targets.Target],
        registry: StoreRegistry,
        options: Options,
        progress: Callable[[int], None] | None = None,
        variation_slugs: Mapping[str, str] | None = None,
    ) -> None:
        self.db = db
        self.connection_id = connection_id
        self._open_client = client
        self._client: WooClient | None = None
        self.targets = list(targets)
        self.registry = registry
        self.options = options
        self.progress = progress
        self.keys = [t.key for t in self.targets]
        self.kinds = {t.key: t.kind for t in self.targets}
        self.by_key = {t.key: t for t in self.targets}
        self.attribute_targets = [t for t in self.targets if t.kind in sync_targets.ATTRIBUTE_KINDS]
        self.attribute_keys = frozenset(t.key for t in self.attribute_targets)
        self.global_slugs = {
            t.woo: t.field for t in self.targets if t.kind == sync_targets.GLOBAL_ATTRIBUTE
        }
        # name -> pa_ slug the variation attributes go under: the targets' global ones, and the
        # store's other global attributes by name (job.variation_slugs_of)
        self.variation_slugs = dict(
            variation_slugs
            if variation_slugs is not None
            else {field: slug for slug, field in self.global_slugs.items()}
        )
        self.memo: dict[tuple[str, ...], str] = {}  # fingerprints of name lists (decide.prints)
        # the standard fields a create does not send, by the keys it sent (book.learn_echoes)
        # (the targets, and the answer's fields their values are read from)
        self.unsent: dict[frozenset[str], tuple[list[sync_targets.Target], tuple[str, ...]]] = {}
        # their store_defaults by the store's answer for them (book._store_defaults)
        self.defaults: dict[frozenset[str], dict[str, dict[str, str]]] = {}
        # the local fields of the keys a write sent, by those keys (book.succeeded): one list
        # per distinct set, shared by the records (never changed in place; encoded once)
        self._sent_fields: dict[tuple[str, ...], list[str]] = {}
        # the store's category and brand trees, listed when a path is not in the registry
        self.category_trees: dict[str, CategoryPaths] = {}
        # store product id -> local products linked to it in this store (match; per chunk)
        self.owners: dict[int, set[int]] = {}
        # the store had no products when the run began (match: no SKU to look up in it)
        self.store_was_empty = False
        self.warnings: list[str] = []  # the result's (warn)
        # (field, value) -> (SKUs named, how many): values the store dropped (notices.dropped)
        self.dropped: dict[tuple[str, str], tuple[list[str], int]] = {}
        self.links = ExportLinks.of(self.targets)  # upsells and cross-sells, when sent
        # the store's term names by slug, read back into default options (book.succeeded)
        self.term_names = TermNames(
            lambda attribute_id: self.client.list_all(
                TERMS_PATH.format(attribute_id), dict(TERMS_LISTING), per_page=MAX_PER_PAGE
            )
        )

    @property
    def client(self) -> WooClient:
        """The store's client, opened when first needed (an unchanged partial export needs none)."""
        if self._client is None:
            self._client = self._open_client()
        return self._client

    def all_keys(self, item: Item) -> list[str]:
        """Every key the item has a value for, in target order (a full write)."""
        return [key for key in self.keys if key in item.values]

    def sent_fields(self, keys: Sequence[str]) -> list[str]:
        """Local field names of the keys sent, in selection order (the result's
        ``exportedFields``): ``payload.sent_fields``, one list per distinct set of keys."""
        wanted = tuple(keys)
        found = self._sent_fields.get(wanted)
        if found is None:
            if len(self._sent_fields) >= 256:
                self._sent_fields.clear()
            found = self._sent_fields[wanted] = sent_fields(self.targets, wanted)
        return found

    def warn(self, message: str) -> None:
        """A warning of the run's result (the shells print it once, ``--json`` lists it);
        logged at info for ``--log-file``, so stderr does not get it twice."""
        log.info("%s", message)
        self.warnings.append(message)

    def note_dropped(self, key: str, value: str, sku: str) -> None:
        """A value of ``key`` the store dropped from ``sku``'s write (told once per value)."""
        skus, count = self.dropped.get((key, value), ([], 0))
        if len(skus) < 5:
            skus.append(sku)
        self.dropped[(key, value)] = (skus, count + 1)

    def attribute_ids(self) -> dict[str, int]:
        """The store's ids of the global attributes exported (those it has)."""
        found = {}
        for slug in self.global_slugs:
            attribute_id = self.registry.get(ATTRIBUTE, slug)
            if attribute_id is not None:
                found[slug] = attribute_id
        return found

    def parallel(self, call: Callable[[_Arg], _Out], args: Sequence[_Arg]) -> list[_Out]:
        """``call`` on every arg, ``concurrency`` at a time; the answers in order."""
        concurrency = self.options.concurrency
        if len(args) <= 1 or concurrency == 1:
            return [call(arg) for arg in args]
        with ThreadPoolExecutor(max_workers=min(concurrency, len(args))) as pool:
            return list(pool.map(call, args))

    def report(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(count)
