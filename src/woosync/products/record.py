"""The schema of one product in a file (CSV row, JSON or YAML object), validated with pydantic."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from woosync.core.fields import ATTRIBUTE_PREFIX, CUSTOM_PREFIX, DIMENSION_PARTS
from woosync.products.fields import (
    normalize_attributes,
    normalize_custom_fields,
    normalize_field,
    normalize_fields,
)
from woosync.products.values import (
    normalize_attribute_value,
    normalize_default_options,
    normalize_number,
    normalize_text,
)
from woosync.products.variations import VARIABLE, VARIATION, grouped_products_problem


def _validator(name: str) -> BeforeValidator:
    return BeforeValidator(lambda value: normalize_field(name, value))


Number = Annotated[str | None, BeforeValidator(normalize_number)]


class Dimensions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length: Number = None
    width: Number = None
    height: Number = None


_READ_ONLY = frozenset({"id", "created_at", "updated_at"})


class _Record(BaseModel):
    """What products and variations share; keys left out leave the stored value alone."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: Any = None  # accepted (``products list --json`` output loads back) but ignored
    sku: Annotated[str, _validator("sku")]
    description: Annotated[str | None, _validator("description")] = None
    status: Annotated[str | None, _validator("status")] = None
    type: Annotated[str | None, _validator("type")] = None
    price: Number = None
    sale_price: Number = None
    weight: Number = None
    length: Number = None
    width: Number = None
    height: Number = None
    dimensions: Dimensions | None = None
    stock_status: Annotated[str | None, _validator("stock_status")] = None
    manage_stock: Annotated[bool | None, _validator("manage_stock")] = None
    stock_quantity: Annotated[int | None, _validator("stock_quantity")] = None
    backorders: Annotated[str | None, _validator("backorders")] = None
    low_stock_amount: Annotated[int | None, _validator("low_stock_amount")] = None
    date_on_sale_from: Annotated[str | None, _validator("date_on_sale_from")] = None
    date_on_sale_to: Annotated[str | None, _validator("date_on_sale_to")] = None
    images: Annotated[list[str], _validator("images")] = Field(default_factory=list)
    downloads: Annotated[list[dict[str, str]] | None, _validator("downloads")] = None
    custom_fields: Annotated[dict[str, Any], BeforeValidator(normalize_custom_fields)] = Field(
        default_factory=dict, validation_alias=AliasChoices("customFields", "custom_fields")
    )
    created_at: Any = Field(default=None, validation_alias=AliasChoices("createdAt", "created_at"))
    updated_at: Any = Field(default=None, validation_alias=AliasChoices("updatedAt", "updated_at"))

    def _check_common(self) -> None:
        for key in self.model_extra or {}:
            if not key.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)):
                raise ValueError(
                    f"unknown field {key!r} (put attributes under 'attributes' and custom "
                    "fields under 'customFields', or name them attribute:X / custom:X)"
                )
        if "dimensions" in self.model_fields_set and self.model_fields_set & set(DIMENSION_PARTS):
            raise ValueError("give either 'dimensions' or length/width/height, not both")

    def _given(self) -> set[str]:
        return set(self.model_fields_set) - _READ_ONLY

    def to_fields(self) -> dict[str, Any]:
        """The normalised field dict of the keys this row gave."""
        fields: dict[str, Any] = {}
        for name in self._given():
            if name == "dimensions":
                if self.dimensions is None:
                    fields.update(dict.fromkeys(DIMENSION_PARTS))
                else:
                    fields.update(
                        {
                            part: getattr(self.dimensions, part)
                            for part in self.dimensions.model_fields_set
                        }
                    )
            else:
                fields[name] = getattr(self, name)
        for key, value in (self.model_extra or {}).items():
            fields.update(normalize_fields({key: value}))
        return fields


class ProductRecord(_Record):
    """One product in a file (a variable one may hold its ``variations``, checked one by one
    with :class:`VariationRecord`)."""

    name: Annotated[str | None, _validator("name")] = None
    categories: Annotated[list[str], _validator("categories")] = Field(default_factory=list)
    tags: Annotated[list[str], _validator("tags")] = Field(default_factory=list)
    brands: Annotated[list[str], _validator("brands")] = Field(default_factory=list)
    upsells: Annotated[list[str], _validator("upsells")] = Field(default_factory=list)
    cross_sells: Annotated[list[str], _validator("cross_sells")] = Field(default_factory=list)
    grouped_products: Annotated[list[str], _validator("grouped_products")] = Field(
        default_factory=list
    )
    attributes: Annotated[dict[str, Any], BeforeValidator(normalize_attributes)] = Field(
        default_factory=dict
    )
    default_attributes: Annotated[
        dict[str, str] | None, BeforeValidator(normalize_default_options)
    ] = None  # a variable product's default options
    variations: list[Any] | None = None
    parent_sku: Any = None  # an empty CSV cell (a row naming a parent is a VariationRecord)

    @model_validator(mode="after")
    def _check_entries(self) -> ProductRecord:
        self._check_common()
        if self.type == VARIATION:
            raise ValueError("type: a variation needs its parent's SKU (parent_sku)")
        for key in ("upsells", "cross_sells", "grouped_products"):
            if self.sku.casefold() in (sku.casefold() for sku in getattr(self, key)):
                raise ValueError(f"{key}: a product does not name itself ({self.sku!r})")
        if self.type is not None:  # else the catalog's type decides (catalog.family)
            problem = grouped_products_problem(self.type, self.grouped_products)
            if problem is not None:
                raise ValueError(problem)
        if self.variations and self.type not in (None, VARIABLE):
            raise ValueError(
                f"variations: only a variable product has variations, not a {self.type} one "
                "(type: variable)"
            )
        return self

    def _given(self) -> set[str]:
        return super()._given() - {"variations", "parent_sku"}

    def to_fields(self) -> dict[str, Any]:
        fields = super().to_fields()
        if self.variations and "type" not in fields:
            fields["type"] = VARIABLE  # variations make it variable
        return fields


def _one_option(value: Any) -> Any:
    """A variation's option: one value (a one-item list, as a CSV cell reads, is that value)."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


class VariationRecord(_Record):
    """One variation: nested in its parent's ``variations``, or a row of its own with
    ``type: variation`` and ``parent_sku`` (a CSV as WooCommerce's exporter writes it).

    Its ``name`` is its parent's name and options (ignored when given, as ``products list
    --json`` writes it); categories, tags and brands are its parent's (an empty value is
    ignored)."""

    name: Any = None
    parent_sku: Annotated[str | None, BeforeValidator(normalize_text)] = None
    image: Annotated[str | None, BeforeValidator(_one_option)] = None
    attributes: dict[str, Any] | None = None
    categories: Any = None
    tags: Any = None
    brands: Any = None
    default_attributes: Any = None  # an empty CSV cell (default options are the parent's)
    upsells: Any = None  # so are upsells and cross-sells
    cross_sells: Any = None
    grouped_products: Any = None

    @model_validator(mode="after")
    def _check_variation(self) -> VariationRecord:
        self._check_common()
        if self.type not in (None, VARIATION):
            raise ValueError(f"type: a variation's type is variation, not {self.type}")
        for key in (
            "categories",
            "tags",
            "brands",
            "default_attributes",
            "upsells",
            "cross_sells",
            "grouped_products",
        ):
            if getattr(self, key) not in (None, [], "", (), {}):
                raise ValueError(f"{key}: a variation's {key} are its parent's; set them there")
        if self.image is not None and "images" in self.model_fields_set:
            raise ValueError("give either 'image' or 'images', not both")
        if len(self.images) > 1:
            raise ValueError("images: a variation has one image")
        return self

    def options(self) -> dict[str, Any] | None:
        """The options this row gives (``attributes`` and ``attribute:X``), else None."""
        found: dict[str, Any] | None = None
        if self.attributes is not None:
            found = {}
            for key, value in normalize_attributes(self.attributes).items():
                found[key] = _one_option(value)
        for key, value in (self.model_extra or {}).items():
            if key.startswith(ATTRIBUTE_PREFIX):
                found = {} if found is None else found
                option = normalize_attribute_value(_one_option(value))
                if option is not None:
                    found[key[len(ATTRIBUTE_PREFIX) :].strip()] = _one_option(option)
        return found

    def _given(self) -> set[str]:
        return super()._given() - {
            "name",
            "parent_sku",
            "image",
            "attributes",
            "categories",
            "tags",
            "brands",
            "default_attributes",
            "upsells",
            "cross_sells",
            "grouped_products",
        }

    def to_fields(self) -> dict[str, Any]:
        fields = {
            key: value
            for key, value in super().to_fields().items()
            if not key.startswith(ATTRIBUTE_PREFIX)
        }
        fields["type"] = VARIATION
        if "image" in self.model_fields_set:
            fields["images"] = [] if self.image is None else normalize_field("images", self.image)
        options = self.options()
        if options is not None:
            fields["attributes"] = options
        return fields


def describe_errors(exc: PydanticValidationError) -> str:
    """Pydantic's errors as one line: ``price: 'abc' is not a number like 12.50; name: ...``."""
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if message == "is required" or error["type"] == "missing":
            message = "is required"
        if error["type"] == "extra_forbidden":
            message = "is not a known field"
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
