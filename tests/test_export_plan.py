"""The pure planning layer of export: targets, values, fingerprints, diffs, attributes, payloads."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pytest

from woosync.core.errors import ValidationError
from woosync.services.export import payload, plan
from woosync.services.sync import targets as sync_targets


class Refs:
    """A resolver with a fixed store vocabulary."""

    def __init__(self) -> None:
        self.categories = {"Shoes": 12, "Summer & Sun": 13}
        self.tags = {"new": 7}
        self.brands = {"Acme": 21}
        self.attributes = {"pa_color": 3}
        self.terms = {"pa_color": {"Red", "Blue"}}
        self.images = {"https://img.example/a.jpg": 501}

    def category_id(self, name: str) -> int:
        if name not in self.categories:
            raise payload.MissingRefError(f'category "{name}" does not exist in the store')
        return self.categories[name]

    def tag_id(self, name: str) -> int:
        return self.tags[name]

    def brand_id(self, name: str) -> int:
        if name not in self.brands:
            raise payload.MissingRefError(f'brand "{name}" does not exist in the store')
        return self.brands[name]

    def attribute_id(self, slug: str) -> int:
        if slug not in self.attributes:
            raise payload.MissingRefError(f'global attribute "{slug}" does not exist in the store')
        return self.attributes[slug]

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        for name in names:
            if name not in self.terms.get(slug, set()):
                raise payload.MissingRefError(
                    f'term "{name}" of {slug} does not exist in the store'
                )

    def image(self, src: str) -> dict[str, Any]:
        found = self.images.get(src)
        return {"id": found} if found else {"src": src}


def targets_for(
    fields: list[str], mappings: dict[str, str] | None = None
) -> list[sync_targets.Target]:
    return sync_targets.resolve_targets(fields, mappings or {})


def test_targets_follow_the_mapping_then_the_standard_defaults() -> None:
    targets = targets_for(
        ["name", "sku", "price", "wholesalePrice", "COLOR", "Dimension", "length"],
        {"wholesalePrice": "sale_price", "COLOR": "pa_color"},
    )
    by_field = {t.field: (t.key, t.kind) for t in targets}
    assert by_field == {
        "name": ("name", sync_targets.SCALAR),
        "sku": ("sku", sync_targets.SCALAR),
        "price": ("regular_price", sync_targets.SCALAR),
        "wholesalePrice": ("sale_price", sync_targets.SCALAR),
        "COLOR": ("attribute:pa_color", sync_targets.GLOBAL_ATTRIBUTE),
        "Dimension": ("attribute:Dimension", sync_targets.LOCAL_ATTRIBUTE),
        "length": ("dimensions.length", sync_targets.DIMENSION),
    }


def test_name_and_sku_are_required_with_the_spec_message() -> None:
    with pytest.raises(
        ValidationError, match='Export mapping must include "name" and "sku" fields'
    ):
        targets_for(["name", "price"])


def test_two_fields_landing_on_one_woo_field_are_refused() -> None:
    with pytest.raises(ValidationError, match="both export to 'regular_price'"):
        targets_for(["name", "sku", "price", "wholesalePrice"], {"wholesalePrice": "regular_price"})


def test_a_mapping_to_an_unknown_woo_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a WooCommerce product field"):
        targets_for(["name", "sku", "price"], {"price": "cost"})


def test_values_are_strings_and_empty_values_are_left_out() -> None:
    targets = targets_for(
        ["name", "sku", "price", "description", "weight", "images", "COLOR", "dimensions"]
    )
    source = {
        "name": "Tee",
        "sku": "T-1",
        "price": 12.5,
        "description": "  ",
        "weight": None,
        "images": [],
        "COLOR": ["Red", "Blue"],
        "dimensions": {"length": 10, "width": "", "height": None},
    }
    values = plan.desired_values(targets, source.get)
    assert values == {
        "name": "Tee",
        "sku": "T-1",
        "regular_price": "12.5",
        "attribute:COLOR": ["Red", "Blue"],
        "dimensions": {"length": "10"},
    }


def test_allow_empty_sends_the_clearing_value() -> None:
    targets = targets_for(["name", "sku", "description", "images"])
    values = plan.desired_values(targets, {"name": "A", "sku": "B"}.get, ["description", "images"])
    assert values["description"] == "" and values["images"] == []


def test_canonical_form_removes_html_escapes_number_spellings_and_order() -> None:
    assert sync_targets.canonical(sync_targets.SCALAR, "Salt &amp; Pepper") == "Salt & Pepper"
    assert (
        sync_targets.canonical(sync_targets.SCALAR, "10.00")
        == sync_targets.canonical(sync_targets.SCALAR, "10")
        == "10"
    )
    assert sync_targets.canonical(sync_targets.CATEGORIES, ["B", "A &amp; C"]) == ["A & C", "B"]
    assert sync_targets.canonical(sync_targets.IMAGES, ["b.jpg", "a.jpg"]) == ["b.jpg", "a.jpg"]


def test_fingerprints_of_what_we_send_equal_those_of_what_the_store_answers() -> None:
    targets = targets_for(
        ["name", "sku", "price", "categories", "COLOR", "Size"], {"COLOR": "pa_color"}
    )
    ours = plan.desired_values(
        targets,
        {
            "name": "Salt & Pepper",
            "sku": "SP-1",
            "price": "10",
            "categories": ["Summer & Sun", "Shoes"],
            "COLOR": ["Red", "Blue"],
            "Size": "M|L",
        }.get,
    )
    answered = {
        "id": 9,
        "name": "Salt &amp; Pepper",
        "sku": "SP-1",
        "regular_price": "10.00",
        "categories": [{"id": 12, "name": "Shoes"}, {"id": 13, "name": "Summer &amp; Sun"}],
        "attributes": [
            {"id": 3, "name": "Color", "options": ["Blue", "Red"]},
            {"id": 0, "name": "size", "options": ["M", "L"]},
        ],
    }
    theirs = sync_targets.store_values(targets, answered, {"pa_color": 3})
    assert plan.changed_keys(targets, ours, sync_targets.fingerprints(targets, theirs)) == []


def test_changed_keys_name_only_what_differs() -> None:
    targets = targets_for(["name", "sku", "price", "description"])
    before = plan.desired_values(
        targets, {"name": "A", "sku": "S", "price": "5", "description": "x"}.get
    )
    after = plan.desired_values(
        targets, {"name": "A", "sku": "S", "price": "6", "description": "x"}.get
    )
    previous = sync_targets.fingerprints(targets, before)
    assert plan.changed_keys(targets, before, previous) == []
    assert plan.changed_keys(targets, after, previous) == ["regular_price"]
    assert payload.sent_fields(targets, ["regular_price"]) == ["price"]


def test_merge_keeps_attributes_we_do_not_manage_and_replaces_ours() -> None:
    targets = targets_for(["name", "sku", "COLOR", "Size"], {"COLOR": "pa_color"})
    color, size = targets[2], targets[3]
    base = [
        {"id": 3, "name": "Color", "position": 0, "visible": True, "options": ["Red"]},
        {
            "id": 0,
            "name": "Material",
            "position": 1,
            "visible": False,
            "options": ["Cotton &amp; Silk"],
        },
        {"id": 0, "name": "size", "position": 2, "visible": True, "options": ["S"]},
    ]
    merged = payload.merge_attributes(base, [(color, ["Red", "Blue"], 3), (size, ["M"], None)])
    assert merged == [
        {"id": 3, "position": 0, "visible": True, "variation": False, "options": ["Red", "Blue"]},
        {
            "name": "Material",
            "position": 1,
            "visible": False,
            "variation": False,
            "options": ["Cotton & Silk"],
        },
        {"name": "size", "position": 2, "visible": True, "variation": False, "options": ["M"]},
    ]


def test_a_mapping_turning_an_attribute_global_or_back_replaces_the_stores_entry() -> None:
    """``Size`` was sent as a local attribute; the mapping now sends it as ``pa_size`` (or the
    other way round, selected as ``attribute:Size``): the store's entry of the other kind is
    replaced in its place, never left as a second "Size" beside it (a store product showing two
    Size choices)."""
    as_global = targets_for(["name", "sku", "Size"], {"Size": "pa_size"})[2]
    as_local = targets_for(["name", "sku", "Size"])[2]
    local = {"id": 0, "name": "Size", "position": 1, "visible": False, "options": ["S"]}
    other = {"id": 0, "name": "Material", "position": 0, "visible": True, "options": ["Oak"]}
    merged = payload.merge_attributes([other, local], [(as_global, ["S", "M"], 7)])
    assert [(e.get("id"), e.get("name"), e["position"], e["visible"]) for e in merged] == [
        (None, "Material", 0, True),
        (7, None, 1, False),
    ]
    labelled = {"id": 7, "name": "Size", "slug": "pa_size", "position": 1, "options": ["S"]}
    # back only when asked for by name (attribute:Size): an unmapped Size never replaces the
    # store's global one (its variations would lose their options)
    explicit = targets_for(["name", "sku", "attribute:Size"])[2]
    back = payload.merge_attributes([other, labelled], [(explicit, ["S"], None)])
    assert [(e.get("id"), e.get("name")) for e in back] == [(None, "Material"), (None, "Size")]
    with pytest.raises(payload.MissingRefError, match="global attribute pa_size"):
        payload.merge_attributes([other, labelled], [(as_local, ["S"], None)])
    # both already there (left by an earlier export): the twin goes
    repaired = payload.merge_attributes([local, labelled], [(as_global, ["S"], 7)])
    assert [(e.get("id"), e.get("name")) for e in repaired] == [(7, None)]


def test_merge_removes_an_attribute_only_when_emptied_on_purpose() -> None:
    targets = targets_for(["name", "sku", "Size"])
    base = [{"id": 0, "name": "Size", "options": ["S"]}]
    assert payload.merge_attributes(base, [(targets[2], None, None)])[0]["options"] == ["S"]
    assert payload.merge_attributes(base, [(targets[2], [], None)]) == []


def test_payload_has_only_selected_keys_resolved_to_store_ids() -> None:
    targets = targets_for(
        [
            "name",
            "sku",
            "price",
            "categories",
            "tags",
            "brands",
            "images",
            "COLOR",
            "Dimension",
            "width",
        ],
        {"COLOR": "pa_color"},
    )
    values = plan.desired_values(
        targets,
        {
            "name": "Tee",
            "sku": "T-1",
            "price": 9,
            "categories": ["Shoes"],
            "tags": ["new"],
            "brands": ["Acme"],
            "images": ["https://img.example/a.jpg", "https://img.example/b.jpg"],
            "COLOR": ["Red"],
            "Dimension": "10x20",
            "width": "4",
        }.get,
    )
    body = payload.build_payload(targets, values, values.keys(), Refs())
    assert body == {
        "name": "Tee",
        "sku": "T-1",
        "regular_price": "9",
        "categories": [{"id": 12}],
        "tags": [{"id": 7}],
        "brands": [{"id": 21}],  # objects: WooCommerce 11 refuses a bare id
        "images": [{"id": 501}, {"src": "https://img.example/b.jpg"}],
        "attributes": [
            {"id": 3, "position": 0, "visible": True, "variation": False, "options": ["Red"]},
            {
                "name": "Dimension",
                "position": 1,
                "visible": True,
                "variation": False,
                "options": ["10x20"],
            },
        ],
        "dimensions": {"width": "4"},
    }
    only_price = payload.build_payload(targets, values, ["regular_price"], Refs())
    assert only_price == {"regular_price": "9"}


def test_one_changed_attribute_sends_the_complete_merged_list() -> None:
    targets = targets_for(["name", "sku", "COLOR", "Dimension"], {"COLOR": "pa_color"})
    values = plan.desired_values(targets, {"COLOR": ["Blue"], "Dimension": "10x20"}.get)
    store_state = [
        {"id": 3, "name": "Color", "options": ["Red"]},
        {"id": 0, "name": "Dimension", "options": ["10x20"]},
        {"id": 0, "name": "Care", "options": ["Hand wash"]},
    ]
    body = payload.build_payload(targets, values, ["attribute:pa_color"], Refs(), store_state)
    assert [a.get("id") or a["name"] for a in body["attributes"]] == [3, "Dimension", "Care"]
    assert body["attributes"][0]["options"] == ["Blue"]
    assert set(body) == {"attributes"}


def test_unresolvable_names_raise_missing_ref() -> None:
    targets = targets_for(["name", "sku", "categories", "COLOR"], {"COLOR": "pa_color"})
    values = plan.desired_values(targets, {"categories": ["Hats"]}.get)
    with pytest.raises(payload.MissingRefError, match='category "Hats"'):
        payload.build_payload(targets, values, values.keys(), Refs())
    values = plan.desired_values(targets, {"COLOR": ["Green"]}.get)
    with pytest.raises(payload.MissingRefError, match='term "Green" of pa_color'):
        payload.build_payload(targets, values, values.keys(), Refs())


def test_text_formats_numbers_without_float_noise() -> None:
    assert sync_targets.text(0.1 + 0.2) == "0.30000000000000004"
    assert sync_targets.text(19.9) == "19.9"
    assert sync_targets.text(20.0) == "20"
    assert sync_targets.text(7) == "7"


class _Name(str):
    """A str subclass: read as text like any other value."""


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ([" Red ", "Blue"], ["Red", "Blue"]),
        (["Red", "  ", ""], ["Red"]),
        (["Red", 2, None, 1.5], ["Red", "2", "1.5"]),
        ([_Name(" Tall "), "Short"], ["Tall", "Short"]),
        ("Red | Blue", ["Red", "Blue"]),
        ([], []),
    ],
)
def test_name_lists_are_read_the_same_whatever_their_items(raw: Any, names: list[str]) -> None:
    target = sync_targets.resolve_targets(["name", "sku", "COLOR"], None)[-1]
    assert sync_targets.local_value(target, raw) == (names or None)


def test_a_create_s_attribute_list_is_what_the_merge_would_make(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no store list (a create) the list is made directly; it is the merge's, whatever the
    attributes: local and global, unset, emptied, a name given twice, a global one without id."""
    targets = targets_for(
        ["name", "sku", "COLOR", "Size", "size ", "Fabric"], {"Fabric": "pa_fabric"}
    )
    color, size, size_again, fabric = targets[2:]
    cases: list[list[tuple[sync_targets.Target, list[str] | None, int | None]]] = [
        [(color, ["Navy", "Grey"], None), (size, ["S"], None)],
        [(color, None, None), (size, ["S"], None), (fabric, ["Silk"], 7)],
        [(color, [], None), (fabric, ["Silk"], 7), (size, ["M", "L"], None)],
        [(size, ["S"], None), (size_again, ["M"], None)],  # one entry: the merge decides
        [(fabric, ["Silk"], None), (color, ["Red"], None)],  # a global attribute without id
        [(fabric, ["Silk"], 7), (fabric, ["Wool"], 7)],
        [],
    ]
    direct = [payload.merge_attributes(None, ours) for ours in cases]
    monkeypatch.setattr(payload, "_new_attributes", lambda ours: None)
    assert direct == [payload.merge_attributes([], ours) for ours in cases]
    assert direct[0] == [
        {
            "name": "COLOR",
            "position": 0,
            "visible": True,
            "variation": False,
            "options": ["Navy", "Grey"],
        },
        {"name": "Size", "position": 1, "visible": True, "variation": False, "options": ["S"]},
    ]
    assert direct[3] == [
        {"name": "Size", "position": 0, "visible": True, "variation": False, "options": ["M"]}
    ]


def test_a_create_whose_store_has_attributes_still_merges() -> None:
    """A store list known for a create (an adopted product, a lost answer) is merged, never
    replaced by the direct list: an attribute we do not manage stays."""
    targets = targets_for(["name", "sku", "Size"])
    base = [{"id": 0, "name": "Material", "position": 0, "options": ["Cotton"]}]
    assert payload.merge_attributes(base, [(targets[2], ["S"], None)]) == [
        {
            "name": "Material",
            "position": 0,
            "visible": True,
            "variation": False,
            "options": ["Cotton"],
        },
        {"name": "Size", "position": 1, "visible": True, "variation": False, "options": ["S"]},
    ]


def _row(**values: Any) -> Any:
    """A decoded product row as ``select.load_items`` reads it (every column present)."""
    from types import SimpleNamespace

    columns = dict.fromkeys(
        (
            "name",
            "sku",
            "price",
            "sale_price",
            "description",
            "status",
            "weight",
            "length",
            "width",
            "height",
            "stock_quantity",
            "manage_stock",
            "images",
            "categories",
            "tags",
            "brands",
            "attributes",
            "custom_fields",
        )
    )
    return SimpleNamespace(**{**columns, **values})


def _outcome(make: Any) -> Any:
    try:
        return make()
    except sync_targets.ValueRefused as exc:
        return ("refused", exc.target, exc.value, exc.reason)


@pytest.mark.parametrize(
    "row",
    [
        _row(name=" Tee ", sku="T-1", price="12.50", images=[" https://img.example/a.jpg ", ""]),
        _row(name="Tee", sku="T-2", price=12.5, description="  ", categories=[" Hats ", ""]),
        _row(name="Tee", sku="T-3", price="abc"),  # refused: not a number
        _row(name="Tee", sku="T-4", images=["ftp://img.example/a.jpg"]),  # refused: not http(s)
        _row(name="Tee", sku="T-5", images=[{"src": "https://img.example/b.jpg"}]),
        _row(name="Tee", sku="T-6", images=None, categories=None, attributes=None),
        _row(name="Tee", sku="T-7", categories=["Shoes", 3], tags=("new", "old")),
        _row(name="Tee", sku="T-7b", brands=[" Acme ", "", "acme", "Zeta"]),
        _row(name="Tee", sku="T-8", categories=["bad\x07name"]),  # refused: a control character
        _row(
            name="Tee",
            sku="T-9",
            attributes={"COLOR": [" Red ", "Blue", ""], "Size": "M|L"},
            custom_fields={"Material": ["Wool"], "COLOR": ["Green"]},
        ),
        _row(name="Tee", sku="T-10", custom_fields={"Material": "Cotton", "Size": 3}),
        _row(name="Tee", sku="T-11", attributes={"COLOR": {"not": "a list"}}),
        _row(name="Tee", sku="T-12", length="10", width=" ", weight="2.5", manage_stock=True),
        _row(name="Tee", sku="T-13", stock_quantity="x"),  # refused: not an integer
        _row(name="   ", sku="T-14", status="Draft"),
    ],
)
def test_values_of_a_run_equal_desired_values_row_by_row(row: Any) -> None:
    from woosync.services.export.select import field_readers

    fields = [
        "name",
        "sku",
        "price",
        "status",
        "weight",
        "length",
        "width",
        "stock_quantity",
        "manage_stock",
        "images",
        "categories",
        "tags",
        "brands",
        "COLOR",
        "Size",
        "attribute:COLOR",
        "custom:Material",
        "dimensions",
    ]
    mappings = {"Size": "pa_size", "attribute:COLOR": "description"}
    targets = targets_for(fields, mappings)  # attribute:COLOR's text goes to the description
    readers = field_readers([t.field for t in targets])
    for allow_empty in ((), ("description", "images", "pa_size", "stock_quantity")):
        quick = plan.ValuesOf(targets, readers, allow_empty)
        expected = _outcome(
            functools.partial(
                plan.desired_values, targets, lambda name: readers[name](row), allow_empty
            )
        )
        assert _outcome(functools.partial(quick, row)) == expected
