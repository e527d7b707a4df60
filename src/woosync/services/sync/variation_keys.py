"""What both pipelines compare for a variation: the fields a variation has of its own (its
scalars, dimensions and one image) and its options, fingerprinted under :data:`OPTIONS_KEY`.

The export sends these (``services/export/variation_payload.py``); the import records the same
fingerprints for the variations it takes, so an export right after an import sends nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from woosync.core import jsontext
from woosync.products.variations import ANY, NOT_ON_A_VARIATION
from woosync.services.sync import echoes as echo_rules
from woosync.services.sync import targets as sync_targets
from woosync.woo.variation_values import option_set, unrendered

OPTIONS_KEY = "attributes:options"  # the variation's options, as a key of exported_values
# the scalar fields of a product a variation has of its own (WooCommerce's variation schema)
VARIATION_SCALARS = frozenset(
    {
        "sku",
        "global_unique_id",
        "description",
        "status",
        "regular_price",
        "sale_price",
        "date_on_sale_from",
        "date_on_sale_to",
        "virtual",
        "downloadable",
        "tax_status",
        "tax_class",
        "manage_stock",
        "stock_quantity",
        "stock_status",
        "backorders",
        "low_stock_amount",
        "weight",
        "shipping_class",
        "menu_order",
    }
)
_OWN_KINDS = frozenset(
    {
        sync_targets.DIMENSIONS,
        sync_targets.DIMENSION,
        sync_targets.IMAGES,
        sync_targets.META,
        sync_targets.DOWNLOADS,
    }
)


# What the store sends of a variation that is not one of its own fields in the catalog.
# (``type`` is always ``variation``: no value of a product's type, so never compared)
_NOT_MAPPED = frozenset({*NOT_ON_A_VARIATION, "attributes", "image", "parent_id", "type"})


# A variation whose stock its parent manages: WooCommerce answers ``manage_stock: "parent"``
# with the parent's quantity and backorders. Of its own, it manages no stock and holds none.
_PARENT_STOCK: dict[str, Any] = {"manage_stock": False, "stock_quantity": None, "backorders": None}


def as_product(variation: Mapping[str, Any]) -> dict[str, Any]:
    """The variation in product shape for the field mapping, reconciling and fingerprints: its
    ``image`` as ``images``, without what it takes from its parent or holds as options (its
    parent's stock among them). The import reads a store variation through it, and the export
    its answers: both make the same store fingerprints of a variation."""
    found = {key: value for key, value in variation.items() if key not in _NOT_MAPPED}
    _as_given(found)
    image = variation.get("image")
    found["images"] = [image] if isinstance(image, Mapping) and image.get("src") else []
    if found.get("manage_stock") == "parent":
        found.update(_PARENT_STOCK)
    return found


def _as_given(variation: dict[str, Any]) -> None:
    """Its description as it was given, not as the store formats it for display
    (:func:`~woosync.woo.variation_values.unrendered`): compared with the catalog's and taken
    into it as written."""
    description = variation.get("description")
    if isinstance(description, str) and description:
        variation["description"] = unrendered(description)


def variation_targets(targets: Sequence[sync_targets.Target]) -> list[sync_targets.Target]:
    """The export's targets a variation has: its scalars, dimensions and image."""
    return [
        target
        for target in targets
        if target.kind in _OWN_KINDS
        or (target.kind == sync_targets.SCALAR and target.woo in VARIATION_SCALARS)
    ]


def global_slugs(targets: Sequence[sync_targets.Target]) -> dict[str, str]:
    """Local attribute name -> the ``pa_`` slug the export mapping sends it to."""
    return {t.field: t.woo for t in targets if t.kind == sync_targets.GLOBAL_ATTRIBUTE}


def store_options(options: Mapping[str, Any], slugs: Mapping[str, str]) -> dict[str, str]:
    """A variation's options in store terms: a global attribute by its slug, a local one by name
    (what :func:`woosync.woo.variations.store_option_set` reads back); an option "any" is the
    attribute left out, as the store holds it."""
    return {slugs.get(name, name): str(option) for name, option in options.items() if option != ANY}


def options_print(options: Mapping[str, Any], slugs: Mapping[str, str]) -> str:
    """The fingerprint of a variation's options (order and case do not matter, as in the store)."""
    pairs = sorted(f"{name}={option}" for name, option in option_set(store_options(options, slugs)))
    return sync_targets.fingerprint(sync_targets.LOCAL_ATTRIBUTE, pairs)


def remembered_options_print(options: Mapping[str, Any], slugs: Mapping[str, str]) -> str:
    """:func:`options_print`, remembered: a catalog's variations share a few option sets."""
    try:
        return _remembered_options(tuple(options.items()), tuple(slugs.items()))
    except TypeError:  # an option that is not text
        return options_print(options, slugs)


@functools.lru_cache(maxsize=4096)
def _remembered_options(
    options: tuple[tuple[str, Any], ...], slugs: tuple[tuple[str, str], ...]
) -> str:
    return options_print(dict(options), dict(slugs))


def product_shaped(
    answer: Mapping[str, Any], targets: Sequence[sync_targets.Target]
) -> Mapping[str, Any]:
    """What :func:`as_product` gives for what ``targets`` read of a variation's answer: its
    fields as they are (a variation's targets are its own fields, none of those ``as_product``
    leaves out, but its parent's stock), and its ``image`` as ``images`` when an image is
    exported (not copied else)."""
    if answer.get("manage_stock") == "parent":
        answer = {**answer, **_PARENT_STOCK}
    if answer.get("description"):
        answer = dict(answer)
        _as_given(answer)
    if not any(target.kind == sync_targets.IMAGES for target in targets):
        return answer
    return {**answer, "images": as_product({"image": answer.get("image")})["images"]}


class Written(NamedTuple):
    """What an export sent for one variation: the targets it exports, the body of the write,
    and the variation's map from store media ids to catalog image URLs after it."""

    targets: Sequence[sync_targets.Target]
    payload: Mapping[str, Any]
    image_sources: Mapping[str, str] | None


def memory_after_write(
    variation: Any,
    answer: Mapping[str, Any],
    base: Mapping[str, str],
    action: str,
    written: Written,
) -> tuple[dict[str, str] | None, dict[str, Any] | None]:
    """A variation's echoes and conflicts after an export wrote the keys ``variation.keys``
    (``variation.family.syncs`` holds its sync record before; ``answer`` is the store's, ``base``
    the fingerprints now in step). As for a product (``echoes.echoes_after_write``), a key sent
    that the store answered otherwise (a ``stock_quantity`` it keeps only on a variation that
    manages its stock, an option it lower-cased ...) is remembered as the store's echo of the
    catalog's value, so that an import does not take it for an edit made in the store; a key
    answered as sent has no echo. What it knew of the keys not sent stays (an import's echoes
    and conflicts), and a create remembers the store's defaults of the standard fields it did
    not send (status, stock status ...: not edits made in the store either)."""
    sent = list(variation.keys)
    sync = variation.family.syncs.get(int(variation.row.id))
    kept = {k: v for k, v in (getattr(sync, "store_echoes", None) or {}).items() if k not in sent}
    echoes = echo_rules.echoes_after_write(
        written.targets,
        set(sent),
        product_shaped(answer, written.targets),
        written.payload,
        variation.values,
        base,
        kept,
        written.image_sources or {},
        {},  # a variation's options are not among its targets (they print under OPTIONS_KEY)
    )
    conflicts = {k: v for k, v in (getattr(sync, "conflicts", None) or {}).items() if k not in sent}
    if action != "create":
        return echoes, conflicts or None  # (compacted against the base already)
    defaults = _defaults(_create_plan(tuple(sorted(sent)), frozenset(base)), answer, base)
    if not echoes:
        # the remembered dict itself (its keys are none of the base's): every variation a batch
        # created holds the same object, which the bulk write encodes once
        return defaults or None, conflicts or None
    return echo_rules.compact_echoes({**echoes, **defaults}, base) or None, conflicts or None


class _Plan:
    """What a create's defaults are read from: the standard targets it did not send and whose
    key its base lacks (``todo``), the store fields of the scalars among them (read in one pass)
    and the other targets (read by :func:`_read`); ``token`` names them in the memory."""

    __slots__ = ("others", "scalars", "todo", "token")

    def __init__(self, unsent: Sequence[sync_targets.Target], base_keys: Collection[str]) -> None:
        self.todo = tuple(target for target in unsent if target.key not in base_keys)
        self.token = tuple((target.key, target.woo, target.kind) for target in self.todo)
        self.scalars = tuple(t.woo for t in self.todo if t.kind == sync_targets.SCALAR)
        self.others = tuple(t for t in self.todo if t.kind != sync_targets.SCALAR)


@functools.lru_cache(maxsize=128)
def _create_plan(sent: tuple[str, ...], base_keys: frozenset[str]) -> _Plan:
    """The plan of a create that sent the keys ``sent`` (the same few per run)."""
    return _Plan(_unsent_targets(sent), base_keys)


_DEFAULTS: dict[tuple[Any, ...], dict[str, str]] = {}  # (targets, store values) -> echoes


def _store_defaults(
    unsent: Sequence[sync_targets.Target], answer: Mapping[str, Any], base: Mapping[str, str]
) -> dict[str, str]:
    """``echoes.store_defaults`` of the ``unsent`` targets whose key ``base`` lacks, remembered
    (:func:`_defaults`; a copy of its own)."""
    return dict(_defaults(_Plan(unsent, base), answer, base))


def _defaults(plan: _Plan, answer: Mapping[str, Any], base: Mapping[str, str]) -> dict[str, str]:
    """``echoes.store_defaults``, remembered: the store answers every created variation with
    the same defaults (status, stock status ...), so their prints are worked out once per run.
    Remembered by the parts of the answer they are read from; the dict returned is the one
    remembered, shared by the variations that got the same answer: never change it in place."""
    try:
        values = tuple(map(answer.get, plan.scalars))
        # True and 1 are equal keys but print differently: the types are part of the key
        key = (
            plan.token,
            values,
            tuple(map(type, values)),
            *(_read(t, answer) for t in plan.others),
        )
        found = _DEFAULTS.get(key)
    except (TypeError, LookupError):  # a value that cannot be a key (a list), another kind
        return echo_rules.store_defaults(plan.todo, answer, base)
    if found is None:
        if len(_DEFAULTS) >= 256:
            _DEFAULTS.clear()
        found = _DEFAULTS[key] = echo_rules.store_defaults(plan.todo, answer, base)
    return found


def _read(target: sync_targets.Target, answer: Mapping[str, Any]) -> Any:
    """What of ``answer`` the store value of a target that is not a scalar is read from
    (``targets.store_value``), as a key; LookupError for a kind read otherwise."""
    kind = target.kind
    if kind in (sync_targets.DIMENSIONS, sync_targets.DIMENSION):
        dims = answer.get("dimensions")
        return tuple(sorted(dims.items())) if isinstance(dims, Mapping) else dims
    if kind in (sync_targets.IMAGES, sync_targets.DOWNLOADS):  # lists: none, mostly
        held = answer.get(target.woo)
        return jsontext.dumps_sorted(held) if isinstance(held, list) and held else repr(held)
    raise LookupError(kind)


@functools.lru_cache(maxsize=64)
def _unsent_targets(sent: tuple[str, ...]) -> list[sync_targets.Target]:
    """The standard targets of a variation a create with the keys ``sent`` did not send (the
    same few key sets for every variation of a run: worked out once each)."""
    return [
        target
        for target in echo_rules.unsent_standard_targets(sent)
        if target.woo in VARIATION_SCALARS or target.kind in _OWN_KINDS
    ]
