"""The rules of variable products and their variations (pure: no database, no file format).

A variable product (``type: variable``) lists, per variation attribute, the options allowed
(``{"Size": ["S", "M", "L"]}``). Each variation is a product row of its own: ``type: variation``,
its own SKU (unique catalog-wide without regard to case), one option per attribute it varies by
(``{"Size": "S"}``; every attribute a variation names is a variation attribute; ``*`` is its
option "any"), and its name is the parent's name and its options (``Organic Tee - S, Red``).
It has its own prices, stock,
weight, dimensions, image, status, description and custom fields; categories, tags and brands are the
parent's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from woosync.core.errors import param

VARIABLE = "variable"
VARIATION = "variation"
# A variation's option "any" (WooCommerce's "Any Size"): it varies by the attribute, and the
# shopper's choice of it does not change the variation. The store omits the attribute then.
ANY = "*"
# field-dict keys a variation does not have of its own
NOT_ON_A_VARIATION: tuple[str, ...] = (
    "name",
    "categories",
    "tags",
    "brands",
    "variations",
    "default_attributes",
    "upsells",
    "cross_sells",
    "grouped_products",
)


def variation_name(parent_name: str, options: Mapping[str, Any]) -> str:
    """``Organic Tee - S, Red``: the parent's name and the variation's options, in their order
    (an option "any" left out, as WooCommerce does)."""
    values = [str(option) for option in options.values() if option != ANY]
    return f"{parent_name} - {', '.join(values)}" if values else parent_name


def allowed_options(attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """A variable product's attributes as lists of options (one value is a one-option list)."""
    return {
        name: list(value) if isinstance(value, list) else [str(value)]
        for name, value in attributes.items()
    }


def varied_attributes(
    attributes: Mapping[str, Any], options: Iterable[Mapping[str, Any] | None]
) -> dict[str, Any]:
    """The attributes of a variable product that its variations vary by: those some variation
    (of ``options``, each variation's) names. One none of them names (a material shown on the
    product page) is a plain attribute: marking it a variation attribute in a store would put a
    choice on the product page that the shop never had."""
    named = {name for found in options for name in found or {}}
    return {name: value for name, value in attributes.items() if name in named}


def anys(options: Mapping[str, Any]) -> frozenset[str]:
    """The attributes a variation takes any option of."""
    return frozenset(name for name, option in options.items() if option == ANY)


def with_any(options: dict[str, str], varied: Iterable[str]) -> dict[str, str]:
    """``options`` with any option (:data:`ANY`) of each attribute of ``varied`` (those its
    parent varies by) that it does not name."""
    for name in varied:
        options.setdefault(name, ANY)
    return options


def options_problem(parent_attributes: Mapping[str, Any], options: Mapping[str, Any]) -> str | None:
    """Why a variation's options do not fit its parent's attributes, else None. WooCommerce would
    store an option the parent does not list (lower-cased), so the catalog refuses it."""
    if not options:
        return (
            "attributes: a variation names one option of each attribute it varies by, "
            "e.g. {Size: S}"
        )
    allowed = allowed_options(parent_attributes)
    for name, option in options.items():
        if isinstance(option, list):
            return f"attributes: {name}: a variation has one option, not a list"
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            return f"attributes: the parent has no attribute {name!r} (it has {known})"
        if option != ANY and option not in allowed[name]:
            spelled = [o for o in allowed[name] if o.casefold() == str(option).casefold()]
            fix = f" (write {spelled[0]!r})" if spelled else ""
            return (
                f"attributes: {name} {option!r} is not one of the parent's options "
                f"{', '.join(allowed[name])}{fix}"
            )
    return None


def default_options_problem(
    product_type: str | None, attributes: Mapping[str, Any], defaults: Mapping[str, str] | None
) -> str | None:
    """Why a product's default options (``default_attributes``) do not fit it, else None: only
    a variable product has them, each an option its attribute lists (WooCommerce would keep
    one it does not list, and the page would open on no variation)."""
    if not defaults:
        return None
    if kind(product_type) != VARIABLE:
        return (
            f"default_attributes: only a variable product has default options, not a "
            f"{kind(product_type)} one"
        )
    allowed = allowed_options(attributes)
    for name, option in defaults.items():
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            return f"default_attributes: the product has no attribute {name!r} (it has {known})"
        if option not in allowed[name]:
            spelled = [o for o in allowed[name] if o.casefold() == option.casefold()]
            fix = f" (write {spelled[0]!r})" if spelled else ""
            return (
                f"default_attributes: {name} {option!r} is not one of its options "
                f"{', '.join(allowed[name])}{fix}"
            )
    return None


def grouped_products_problem(product_type: str | None, skus: Sequence[str] | None) -> str | None:
    """Why a product cannot hold these products (``grouped_products``), else None: only a
    grouped product does (WooCommerce ignores them on any other type)."""
    if skus and product_type != "grouped":
        return (
            f"grouped_products: only a grouped product holds products, not a "
            f"{product_type or 'simple'} one (type: grouped)"
        )
    return None


def options_key(options: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What makes two variations of one parent the same (WooCommerce ignores case in options;
    an option "any" is the attribute left out, as the store holds it)."""
    return tuple(
        sorted(
            (name.casefold(), str(option).casefold())
            for name, option in options.items()
            if option != ANY
        )
    )


def same_options_message(sku: str, other_sku: str) -> str:
    return f"variation {sku!r} has the same options as variation {other_sku!r} of the same parent"


def kind(product_type: str | None) -> str:
    """``variable``, ``variation`` or ``simple`` (every other type: simple, grouped, external)."""
    return product_type if product_type in (VARIABLE, VARIATION) else "simple"


def type_change_problem(sku: str, old_type: str | None, new_type: str | None) -> str | None:
    """A product turning from simple to variable (or back) is refused, with what to do: the
    stores hold it as the other kind, and WooCommerce cannot turn one into the other safely."""
    if new_type is None or kind(old_type) == kind(new_type):
        return None
    return (
        f"type: {sku!r} is a {kind(old_type)} product in the catalog and cannot become "
        f"{kind(new_type)}: remove it first ('woosync products remove {sku}', "
        f"{param('from_stores')} to delete the stores' copies too) and add it again as "
        f"{kind(new_type)}, or keep its type"
    )


def store_type_change_problem(
    sku: str, catalog_type: str | None, store_type: str | None, connection_id: int, woo_id: int
) -> str | None:
    """A store product of the other kind than its catalog product (a shop manager turned it
    from simple to variable, or back): refused by an import, with the two ways out that lose
    nothing in this store."""
    if store_type is None or kind(catalog_type) == kind(store_type):
        return None
    return (
        f"{sku!r} is {kind(store_type)} in this store but {kind(catalog_type)} in the catalog, "
        "and woosync never changes a product's type: make it "
        f"{kind(catalog_type)} again in the store, or take the store's product with "
        f"'woosync products remove {sku} --yes' then 'woosync import --connection "
        f"{connection_id} --woo-id {woo_id} --restore-removed' (stores holding it as "
        f"{kind(catalog_type)} then need their copies deleted)"
    )


def variation_field_problem(fields: Mapping[str, Any]) -> str | None:
    """Why a field dict cannot apply to a variation (fields it takes from its parent)."""
    for key in NOT_ON_A_VARIATION:
        if key in fields:
            what = (
                "name is its parent's name and its options"
                if key == "name"
                else (f"{key} are its parent's")
            )
            return f"{key}: a variation's {what}; change the parent"
    images = fields.get("images")
    if isinstance(images, list) and len(images) > 1:
        return "images: a variation has one image"
    return None


def removed_options_problem(
    parent_attributes: Mapping[str, Any], variations: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """A parent's new attributes must still list every option its variations use
    (``variations``: SKU -> options)."""
    allowed = allowed_options(parent_attributes)
    for sku, options in variations.items():
        for name, option in options.items():
            if option != ANY and option not in allowed.get(name, ()):
                return (
                    f"attributes: its variation {sku!r} is {name} {option!r}, which they no longer "
                    f"list: keep it, or remove that variation first ('woosync products remove {sku}')"
                )
    return None
