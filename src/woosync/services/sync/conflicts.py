"""An import's three-way decision, field by field: the base (the last sync), the store's value and
its echo, the catalog's value; a field changed on both sides is a :class:`Conflict`, resolved by
``on_conflict`` (see :mod:`woosync.services.sync.echoes` for what the sync record keeps)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from woosync.services.sync import clears, stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.echoes import compact_echoes
from woosync.services.sync.prints import NOTHING, catalog_print

ON_CONFLICT = ("skip", "catalog", "store")
# a variable product's fields WooCommerce works out from its variations (a variable product is
# created "outofstock" and turns "instock" when its variations come): never the parent's own edit
DERIVED_ON_A_VARIABLE = frozenset({"stock_status"})


@dataclass(frozen=True, slots=True)
class Conflict:
    """A field changed on both sides since the last sync: its key (``wooField``), the catalog
    field, and both values."""

    key: str
    field: str
    catalog: Any
    store: Any

    def as_dict(self) -> dict[str, Any]:
        """The form kept in ``product_sync.conflicts`` (and shown by ``sync-status``)."""
        return {
            "field": self.field,
            "wooField": self.key,
            "catalog": self.catalog,
            "store": self.store,
        }


class FieldState:
    """One field an import compares: its target, the store's print and value (in local terms),
    the catalog's value (its print is made only when the store changed the field). The catalog's
    value may be given as ``read_catalog``, read only when it is needed (the store changed the
    field): an unchanged field costs no look at the catalog."""

    __slots__ = (
        "_catalog",
        "_print",
        "_read",
        "lands_in_base",
        "store_print",
        "store_value",
        "target",
    )

    def __init__(
        self,
        target: sync_targets.Target,
        store_print: str,
        store_value: Any,
        catalog_value: Any = None,
        lands_in_base: bool = True,
        *,
        read_catalog: Callable[[], Any] | None = None,
    ) -> None:
        self.target = target
        self.store_print = store_print
        self.store_value = store_value
        # False when the store's value goes to another catalog field than the one export reads
        # for this key (asymmetric mappings): taking it then leaves the base (export's field) as
        # it was
        self.lands_in_base = lands_in_base
        self._catalog = catalog_value
        self._read = read_catalog
        self._print: str | None = None

    @property
    def catalog_value(self) -> Any:
        if self._read is not None:
            self._catalog, self._read = self._read(), None
        return self._catalog

    @property
    def catalog_print(self) -> str:
        if self._print is None:
            self._print = catalog_print(self.target, self.catalog_value)
        return self._print


@dataclass
class Reconciled:
    """What an import does with one linked product: the keys whose store value comes in, the
    bookkeeping to write, the conflicts found."""

    taken: list[str] = field(default_factory=list)
    evaluated: set[str] = field(default_factory=set)
    base: dict[str, str] = field(default_factory=dict)
    echoes: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    found: list[Conflict] = field(default_factory=list)
    image_sources: dict[str, str] = field(default_factory=dict)
    # store values the catalog cannot hold (a plugin's object in a meta key): left as they are
    refused: list[sync_targets.ValueRefused] = field(default_factory=list)


def reconcile(
    states: Sequence[FieldState],
    base: Mapping[str, str],
    echoes: Mapping[str, str],
    conflicts: Mapping[str, Any],
    on_conflict: str,
    *,
    unchanged: Sequence[str] = (),
) -> Reconciled:
    """Decide, per field, whether the store's value comes in. ``unchanged``: the keys of fields
    already seen to equal their echo (evaluated, nothing comes in; no state made for them).

    - never synced (no base): the store's value comes in when the catalog has none or the same
      one (a blank store value never wipes the catalog); both holding different values is a
      conflict, as neither side is known to be the newer, even when the store changed what it
      filled in itself for a product woosync created without that field (its echo);
    - the store's value equals its echo: the store did not change it, the catalog is left alone;
    - the store changed it and the catalog did not (or both now agree): it comes in;
    - both changed a stock quantity: both changes are added up (:mod:`.stock`);
    - both changed anything else: a conflict, resolved by ``on_conflict`` (``skip`` keeps both sides and reports
      it; ``catalog`` keeps the catalog's value for the next export to push; ``store`` takes it);
    - a store value the catalog cannot hold (an object a plugin keeps in a meta key) never comes
      in: the field stays as it is, its base and echo too, and it is listed in ``refused``.
    """
    result = Reconciled(base=dict(base), echoes=dict(echoes), conflicts=dict(conflicts or {}))
    result.evaluated.update(unchanged)
    if result.conflicts:
        for key in unchanged:  # the store's side of a conflict went back: no conflict now
            result.conflicts.pop(key, None)
    empty = NOTHING
    for state in states:
        key = state.target.key
        result.evaluated.add(key)
        try:
            value = sync_targets.local_value(state.target, state.store_value)
        except sync_targets.ValueRefused as exc:
            result.refused.append(exc)
            continue
        result.conflicts.pop(key, None)
        known = base.get(key)
        echo = echoes.get(key, known)
        if known is None:  # never synced (an echo alone is what the store filled in itself)
            if state.store_print == echo:
                continue
            if value is None:
                continue  # a blank store value never wipes the catalog
            if state.lands_in_base and state.catalog_print not in (empty, state.store_print):
                # never synced and both sides hold a value (a store product adopted by SKU, a
                # field the mapping took on later): which one is newer cannot be known
                _both_changed(result, state, on_conflict)
            else:
                _take(result, state, empty)
            continue
        if state.store_print == echo:
            continue
        if state.catalog_print in (state.store_print, known):  # the catalog did not change it
            _take(result, state, empty)
        elif not (key == stock.KEY and _added_up(result, state)):
            _both_changed(result, state, on_conflict)
    result.echoes = compact_echoes(result.echoes, result.base)
    return result


def _added_up(result: Reconciled, state: FieldState) -> bool:
    """A stock quantity changed on both sides (sales in this store and in others): the catalog
    takes the sum of both changes (:mod:`.stock`); its base stays what this store holds, so the
    next export sends the sum here too. ``False`` when the quantities cannot be added up."""
    store = state.store_value
    total = stock.merged(result.base, state.catalog_value, store)
    if total is None:
        return False
    key = state.target.key
    result.taken.append(key)
    result.base[key] = catalog_print(state.target, store)
    result.echoes[key] = state.store_print
    stock.remember(result.base, store)
    clears.note(result.base, holds=[key])
    state.store_value = total  # what comes into the catalog
    return True


def _both_changed(result: Reconciled, state: FieldState, on_conflict: str) -> None:
    """The catalog and the store hold different values and both may be the edit: ``on_conflict``
    decides (``store`` takes the store's, ``catalog`` keeps the catalog's for the next export to
    send, ``skip`` keeps both and reports a :class:`Conflict`)."""
    key = state.target.key
    if on_conflict == "store":
        _take(result, state, NOTHING)
    elif on_conflict == "catalog":
        result.echoes[key] = state.store_print  # seen; the next export sends the catalog's
    else:
        conflict = Conflict(key, state.target.field, state.catalog_value, state.store_value)
        result.conflicts[key] = conflict.as_dict()
        result.found.append(conflict)


def drifted(result: Reconciled, store_prints: Mapping[str, str]) -> list[str]:
    """Fields the import does not own (not evaluated) that the store changed: their base becomes
    the store's value, so that ``export --partial`` sends the catalog's value back (the catalog owns
    them). Their keys, for the run to tell."""
    moved = []
    for key, value in store_prints.items():
        if key in result.evaluated:
            continue
        if value != result.echoes.get(key, result.base.get(key)):
            result.base[key] = value
            result.echoes.pop(key, None)
            moved.append(key)
    return moved


def _take(result: Reconciled, state: FieldState, empty: str) -> None:
    """The store's value comes in: the catalog's new value is the base, the store's the echo."""
    key = state.target.key
    result.taken.append(key)
    if not state.lands_in_base:
        result.echoes[key] = state.store_print  # seen; export's field keeps its base
        return
    landed = catalog_print(state.target, state.store_value)
    if landed == empty:
        result.base.pop(key, None)
        result.echoes.pop(key, None)
    else:
        result.base[key] = landed
        result.echoes[key] = state.store_print
    if landed == empty:  # the catalog holds the store's value (or its clear)
        clears.note(result.base, drops=[key])
    else:
        clears.note(result.base, holds=[key])
    if key == stock.KEY:
        stock.remember(result.base, state.store_value)
