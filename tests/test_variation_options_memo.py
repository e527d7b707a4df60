"""An import reads each store variation's options through a remembering reader
(``variation_fields.OptionReader``): whatever it remembered, it says what ``variation_options``
says for that variation under that parent."""

from __future__ import annotations

from typing import Any

from woosync.products.variations import allowed_options
from woosync.services.imports.fields import ImportRules
from woosync.services.imports.variation_fields import (
    OptionReader,
    allowed_key,
    variation_options,
)


def entry(name: str, option: Any, slug: str = "", attribute_id: int = 0) -> dict[str, Any]:
    return {"id": attribute_id, "name": name, "slug": slug, "option": option}


VARIATIONS: list[dict[str, Any]] = [
    {"id": 1, "attributes": [entry("Size", "S", "pa_size", 3), entry("Color", "Red")]},
    {"id": 2, "attributes": [entry("Size", "S", "pa_size", 3), entry("Color", "Red")]},
    {"id": 3, "attributes": [entry("Size", "m", "pa_size", 3), entry("Color", "blue")]},  # lowered
    {"id": 4, "attributes": [entry("Size", "XL", "pa_size", 3), entry("Color", "&amp;Red")]},
    {"id": 5, "attributes": [entry("Size", "", "pa_size", 3), entry("Color", "Red")]},
    {"id": 6, "attributes": ["not an entry", entry("Color", "Red")]},
    {"id": 7, "attributes": [entry("Size", ["S"], "pa_size", 3)]},  # a list: not a key
    {"id": 8},
]
PARENTS: list[dict[str, Any]] = [
    {"Size": ["S", "M", "L"], "Color": ["Red", "Blue"]},
    {"size": ["s", "M"], "Color": "Red"},  # another spelling: remembered apart
]


def test_remembered_options_are_those_of_each_variation_under_each_parent() -> None:
    for rules in (ImportRules.default(), ImportRules.from_mapping({"pa_size": "Taille"}, None)):
        reader = OptionReader(rules, {3: "pa_size"})
        for _round in range(2):  # the second round comes from the memory
            for attributes in PARENTS:
                allowed = allowed_options(attributes)
                for variation in VARIATIONS:
                    got = reader.options(variation, allowed, allowed_key(allowed))
                    expected = variation_options(variation, rules, {3: "pa_size"}, allowed)
                    assert got == expected, (variation, attributes)
                    got["Size"] = "changed"  # a caller's copy: the memory is not changed by it
        assert reader.memo  # it did remember
