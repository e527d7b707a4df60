"""A product's meta data as a mapping target: ``meta:KEY`` (``wholesalePrice: meta:_wholesale_price``).

WooCommerce keeps what it has no field for (a plugin's wholesale price, a brand, an ERP id) in a
product's or variation's ``meta_data: [{id, key, value}]``; a write merges it by key. Some keys
are WooCommerce's own fields: written through ``meta_data`` they are not meta at all (checked on a
real WooCommerce 11.0.1 store: ``_sku`` changes the SKU), so a mapping may not name them.
"""

from __future__ import annotations

from woosync.core.text import control_character_problem

META_PREFIX = "meta:"
# Keys WooCommerce keeps its own fields under. Written through ``meta_data`` they do not become
# meta: WooCommerce calls the field's setter instead (``_sku`` changes the SKU, checked on a real
# store), or WordPress keeps its own state there (trash, slugs, edit locks).
INTERNAL_META_KEYS: frozenset[str] = frozenset(
    {
        "_visibility", "_sku", "_price", "_regular_price", "_sale_price",
        "_sale_price_dates_from", "_sale_price_dates_to", "total_sales", "_tax_status",
        "_tax_class", "_manage_stock", "_stock", "_stock_status", "_backorders",
        "_low_stock_amount", "_sold_individually", "_weight", "_length", "_width", "_height",
        "_upsell_ids", "_crosssell_ids", "_purchase_note", "_default_attributes",
        "_product_attributes", "_virtual", "_downloadable", "_download_limit",
        "_download_expiry", "_featured", "_downloadable_files", "_wc_rating_count",
        "_wc_average_rating", "_wc_review_count", "_variation_description", "_thumbnail_id",
        "_file_paths", "_product_image_gallery", "_product_version", "_wp_old_slug",
        "_edit_last", "_edit_lock", "_global_unique_id", "_children", "_product_url",
        "_button_text", "_wp_trash_meta_status", "_wp_trash_meta_time",
        "_wp_desired_post_slug", "_wp_old_date", "_transient_wc_product_children",
        "_cogs_total_value", "_cogs_value", "_cogs_value_is_additive",
    }
)  # fmt: skip


def is_meta_target(target: str) -> bool:
    return target.startswith(META_PREFIX)


def meta_key(target: str) -> str:
    """``_wholesale_price`` of ``meta:_wholesale_price``."""
    return target[len(META_PREFIX) :]


def meta_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a meta data target (``None``: it can)."""
    if not key:
        return "names no meta key (write meta:KEY, e.g. meta:_wholesale_price)"
    if key != key.strip():
        return "has spaces around its meta key"
    if key in INTERNAL_META_KEYS or key.startswith(("_wp_", "_edit_")):
        return (
            f"names {key!r}, where WooCommerce keeps a field of its own (writing it would "
            "change that field, not meta data)"
        )
    problem = control_character_problem(key)
    return None if problem is None else f"names a meta key that {problem}"


META_KEY_HINT = "use a meta key of your own, e.g. meta:_wholesale_price"


def meta_target_problem(target: str) -> str | None:
    """Why ``target`` (``meta:KEY``) cannot be a target; ``None`` when it can, or when it is no
    meta data target at all."""
    return meta_key_problem(meta_key(target)) if is_meta_target(target) else None
