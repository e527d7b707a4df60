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
from woosync.products.values import normalize_number


def _validator(name: str) -> BeforeValidator:
    return BeforeValidator(lambda value: normalize_field(name, value))


Number = Annotated[str | None, BeforeValidator(normalize_number)]


class Dimensions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length: Number = None
    width: Number = None
    height: Number = None


class ProductRecord(BaseModel):
    """One product in a file. Keys left out leave the product's value alone on an update."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: Any = None  # accepted (``products list --json`` output loads back) but ignored
    sku: Annotated[str, _validator("sku")]
    name: Annotated[str | None, _validator("name")] = None
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
    categories: Annotated[list[str], _validator("categories")] = Field(default_factory=list)
    tags: Annotated[list[str], _validator("tags")] = Field(default_factory=list)
    images: Annotated[list[str], _validator("images")] = Field(default_factory=list)
    attributes: Annotated[dict[str, Any], BeforeValidator(normalize_attributes)] = Field(
        default_factory=dict
    )
    custom_fields: Annotated[dict[str, Any], BeforeValidator(normalize_custom_fields)] = Field(
        default_factory=dict, validation_alias=AliasChoices("customFields", "custom_fields")
    )
    created_at: Any = Field(default=None, validation_alias=AliasChoices("createdAt", "created_at"))
    updated_at: Any = Field(default=None, validation_alias=AliasChoices("updatedAt", "updated_at"))

    @model_validator(mode="after")
    def _check_entries(self) -> ProductRecord:
        for key in self.model_extra or {}:
            if not key.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)):
                raise ValueError(
                    f"unknown field {key!r} (put attributes under 'attributes' and custom "
                    "fields under 'customFields', or name them attribute:X / custom:X)"
                )
        if "dimensions" in self.model_fields_set and self.model_fields_set & set(DIMENSION_PARTS):
            raise ValueError("give either 'dimensions' or length/width/height, not both")
        return self

    def to_fields(self) -> dict[str, Any]:
        """The normalised field dict of the keys this row gave."""
        given = self.model_fields_set - {"id", "created_at", "updated_at"}
        fields: dict[str, Any] = {}
        for name in given:
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
