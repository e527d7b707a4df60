"""The import's request (issue 12, a typed service API): one frozen value that ``import_products``
takes, checked when it is made, before anything is read; the callbacks, the lock wait and an
injected client stay apart from it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.engine import Database
from woosync.services.imports.options import ImportRequest
from woosync.services.imports.run import import_products


def test_ids_are_kept_once_in_order_and_the_value_is_frozen() -> None:
    request = ImportRequest("Retail", woo_ids=[457, 456, 457], update_existing=True)
    assert request.woo_ids == (457, 456) and request.ids == [457, 456]
    assert ImportRequest().woo_ids is None and ImportRequest().ids is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.dry_run = True  # type: ignore[misc]
    assert hash(request) == hash(ImportRequest("Retail", woo_ids=(457, 456), update_existing=True))
    # another store, the same request (what a command over several stores does)
    assert dataclasses.replace(request, connection=2).woo_ids == (457, 456)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"woo_ids": []}, "no WooCommerce product ids given"),
        ({"woo_ids": [0]}, "0 is not a WooCommerce product id"),
        ({"woo_ids": [1], "incremental": True}, "{{woo_ids}} and {{incremental}} exclude"),
        (
            {"since": datetime(2026, 1, 1, tzinfo=UTC), "incremental": True},
            "{{since}} and {{incremental}} exclude",
        ),
        ({"concurrency": 0}, "{{concurrency}} must be between 1 and"),
        ({"on_conflict": "mine", "update_existing": True}, "{{on_conflict}} 'mine' is not one of"),
        ({"on_conflict": "store"}, "{{on_conflict}} needs {{update_existing}}"),
    ],
)
def test_a_bad_request_names_the_parameter(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ImportRequest(1, **options)  # type: ignore[arg-type]
    assert message in caught.value.message


def test_an_unknown_connection_is_not_found_before_any_request(db: Database) -> None:
    with pytest.raises(NotFoundError):
        import_products(db, ImportRequest("Nowhere", dry_run=True))
