"""The trash as WordPress keeps it: the ``__trashed`` slug and the protected meta entries.

Trashing adds ``_wp_trash_meta_status`` (the status before), ``_wp_trash_meta_time`` (a Unix time)
and ``_wp_desired_post_slug`` (the slug before) to the product's ``meta_data``, every time (a second
trashing adds three more). Leaving the trash by an update (``PUT {"status": "publish"}``) gives the
desired slug back and drops that one entry; the other two stay. Checked against a real store
(``tests/realstore/test_differential.py``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from woosync.sandbox.state import State

DESIRED_SLUG = "_wp_desired_post_slug"


def move_to_trash(state: State, record: dict[str, Any]) -> None:
    moment = state.clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    for key, value in (
        ("_wp_trash_meta_status", record["status"]),
        ("_wp_trash_meta_time", str(int(moment.timestamp()))),
        (DESIRED_SLUG, record["slug"]),
    ):
        record["meta_data"].append({"id": state.new_meta_id(), "key": key, "value": value})
    record["status"] = "trash"
    record["slug"] = f"{record['slug']}__trashed"


def leave_trash(state: State, record: dict[str, Any]) -> None:
    """``record`` was in the trash and an update gave it another status."""
    desired = [meta for meta in record["meta_data"] if meta["key"] == DESIRED_SLUG]
    if not desired:
        return
    record["meta_data"] = [meta for meta in record["meta_data"] if meta["key"] != DESIRED_SLUG]
    record["slug"] = state.unique_product_slug(str(desired[-1]["value"]), record["id"])
