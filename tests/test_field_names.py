"""``--fields`` checked like a mapping file: a name that is no field is an error naming the valid ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from woosync.core.errors import ValidationError
from woosync.db.engine import Database, open_database
from woosync.db.models import Product
from woosync.services.field_names import check_field_names


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_database(db_path)
    with db.session() as session:
        session.add(
            Product(
                sku="A-1",
                name="Mug",
                attributes={"Color": "red"},
                custom_fields={"wholesalePrice": "3"},
            )
        )
    return db


def test_standard_catalog_and_explicit_names_pass(db: Database) -> None:
    check_field_names(db, ["name", "sku", "price", "length", "Color", "wholesalePrice"])
    check_field_names(db, ["attribute:Size", "custom:note"])


def test_a_typo_is_refused_with_the_closest_name_and_the_valid_ones(db: Database) -> None:
    with pytest.raises(ValidationError) as refused:
        check_field_names(db, ["name", "sku", "prise"])
    assert '"prise" is not a field (did you mean price?)' in str(refused.value)
    assert "regular_price" not in str(refused.value.hint)  # local names, not store fields
    assert "price" in str(refused.value.hint) and "attribute:NAME" in str(refused.value.hint)
    with pytest.raises(ValidationError, match='"colour"'):
        check_field_names(db, ["colour"])  # attribute names are exact, as in the catalog
    with pytest.raises(ValidationError, match='"attribute:"'):
        check_field_names(db, ["attribute:"])
