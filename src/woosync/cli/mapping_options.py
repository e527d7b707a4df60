"""Option parsing and rendering shared by the ``export-mapping`` and ``import-mapping`` groups."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console

from woosync.core.errors import ValidationError

ConnectionArg = Annotated[
    str, typer.Argument(help="Connection id, store name or store URL.", show_default=False)
]
MappingIdArg = Annotated[int, typer.Argument(help="The mapping id (see 'list').", min=1)]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="FIELD=TARGET, repeatable (export: internal=WooCommerce; import: WooCommerce=internal).",
        show_default=False,
    ),
]


def parse_fields(text: str) -> list[str]:
    """``name, sku,price`` -> ``["name", "sku", "price"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_pairs(values: Sequence[str] | None, option: str) -> dict[str, str]:
    """``["price=regular_price"]`` -> ``{"price": "regular_price"}``; a key given twice is an error."""
    pairs: dict[str, str] = {}
    for value in values or ():
        key, sep, target = value.partition("=")
        key, target = key.strip(), target.strip()
        if not sep or not key or not target:
            raise ValidationError(
                f'{option} "{value}" must look like KEY=VALUE',
                hint=f"e.g. {option} price=regular_price",
            )
        if key in pairs:
            raise ValidationError(f'{option}: "{key}" is given twice', hint="give each key once")
        pairs[key] = target
    return pairs


def _pairs_text(pairs: dict[str, str]) -> str:
    return ", ".join(f"{key} → {value}" for key, value in pairs.items()) or "(none)"


def render_mapping(data: dict[str, Any] | None) -> Callable[[Console], None]:
    """Human view of one export or import mapping (spec-shaped dict)."""

    def show(console: Console) -> None:
        if data is None:
            return
        direction = "export" if "selectedFields" in data else "import"
        state = "active" if data["isActive"] else "inactive"
        console.print(
            f"{direction} mapping {data['id']} · connection {data['connectionId']} · {state}",
            markup=False,
            highlight=False,
        )
        rows: list[tuple[str, str]] = []
        if direction == "export":
            rows.append(("selected fields", ", ".join(data["selectedFields"])))
        else:
            rows.append(("attribute mappings", _pairs_text(data["attributeMappings"])))
        rows.append(("field mappings", _pairs_text(data["fieldMappings"])))
        rows.append(("updated", str(data["updatedAt"])))
        for label, value in rows:
            console.print(f"  {label:<19} {value}", markup=False, highlight=False)

    return show


def render_mapping_list(output: Any, items: list[dict[str, Any]]) -> Callable[[Console], None]:
    def show(console: Console) -> None:
        if not items:
            output.info("no mappings")
            return
        export = "selectedFields" in items[0]
        columns = ["id", "active"]
        columns += ["selected fields"] if export else ["attribute mappings"]
        columns += ["field mappings", "updated"]
        rows = []
        for item in items:
            row = [item["id"], "yes" if item["isActive"] else "no"]
            row.append(
                ", ".join(item["selectedFields"])
                if export
                else _pairs_text(item["attributeMappings"])
            )
            row += [_pairs_text(item["fieldMappings"]), item["updatedAt"]]
            rows.append(row)
        console.print(output.table(columns, rows))

    return show


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_delete(what: str, yes: bool) -> None:
    """Ask before deleting unless ``--yes``; without a terminal, refuse (scripts must say --yes)."""
    if yes:
        return
    if not stdin_is_tty():
        raise ValidationError(f"refusing to delete {what} without confirmation", hint="pass --yes")
    if not typer.confirm(f"Delete {what}?", default=False, err=True):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)
