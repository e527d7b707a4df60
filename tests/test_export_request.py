"""The export's request (issue 12, a typed service API): one frozen value that ``export_products``
and ``plan_export`` both take, checked when it is made, before anything is read."""

from __future__ import annotations

import dataclasses

import pytest

from test_export_support import add_products, sync_of, tee
from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.engine import Database
from woosync.db.models import Connection
from woosync.services.export.dry_run import plan_export
from woosync.services.export.request import ExportRequest
from woosync.services.export.run import count_products, export_products


def test_lists_given_are_kept_as_tuples_and_the_value_is_frozen() -> None:
    request = ExportRequest(
        "Retail", skus=["A", "B"], fields=["name", "sku"], allow_empty=["price"], batch_size=20
    )
    assert request.skus == ("A", "B") and request.fields == ("name", "sku")
    assert request.allow_empty == ("price",) and request.product_ids == ()
    assert request.choice.skus == ("A", "B")
    assert request.options(dry_run=False).batch_size == 20
    assert request.options(dry_run=True).batch_size == 100  # a dry run reads in full batches
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.partial = True  # type: ignore[misc]
    assert hash(request) == hash(ExportRequest("Retail", skus=("A", "B"), fields=("name", "sku"),
                                               allow_empty=("price",), batch_size=20))  # fmt: skip
    # another store, the same request (what a command over several stores does)
    assert dataclasses.replace(request, connection=2).skus == ("A", "B")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "exactly one of {{product_ids}}, {{skus}}, {{all_products}} or {{retry_failed}}"),
        ({"all_products": True, "skus": ["A"]}, "exactly one of"),
        ({"all_products": True, "concurrency": 0}, "{{concurrency}} must be at least 1"),
        ({"all_products": True, "batch_size": 101}, "{{batch_size}} must be between 1 and 100"),
        ({"all_products": True, "include": True}, "{{include}} needs the products named"),
        ({"skus": ["A"], "linked_only": True}, "{{linked_only}} needs the products named"),
    ],
)
def test_a_bad_request_names_the_parameter(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ExportRequest(1, **options)  # type: ignore[arg-type]
    assert message in caught.value.message


def test_the_run_and_its_dry_run_take_the_same_request(db: Database) -> None:
    with db.session() as session:
        session.add(Connection(store_name="Shop", store_url="https://shop.test"))
    ids = add_products(db, [tee("R-1"), tee("R-2"), tee("R-3")])
    request = ExportRequest(1, product_ids=[ids[0], ids[0], ids[2]], fields=["name", "sku"])
    assert count_products(db, request) == 2  # named twice, counted once
    assert count_products(db, ExportRequest(1, all_products=True)) == 3
    # Update product's request: a product never exported is not found, in the plan as in the run
    linked = dataclasses.replace(request, linked_only=True)
    with pytest.raises(NotFoundError):
        plan_export(db, linked)
    with pytest.raises(NotFoundError):
        export_products(db, linked)
    assert sync_of(db, 1, ids[0]) is None
