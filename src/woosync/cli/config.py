"""``woosync config``: settings that stick (``config.toml`` in the data directory).

Environment variables still win over the file, and the file over the built-in defaults; ``list``
and ``get`` say where each value in force comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.cli.formats import Column, Listing, ListOptions, list_format, show_listing
from woosync.cli.option_groups import with_option_groups

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.core.settings import Value

app = typer.Typer(
    help="Settings that stick: get, set, unset and list them (environment variables still win).",
    no_args_is_help=True,
)

KeyArg = Annotated[
    str,
    typer.Argument(help="secrets, concurrency, format or timeout.", show_default=False),
]


def _as_dict(found: Value) -> dict[str, Any]:
    return {"key": found.key, "value": found.value, "source": found.source, "env": found.env}


def _source(found: Value) -> str:
    return {"env": f"from {found.env}", "file": "from the config file"}.get(found.source, "default")


@app.command("get")
def get_command(ctx: typer.Context, key: KeyArg, json_flag: JsonFlag = False) -> None:
    """Print the value in force for KEY (and, on stderr, where it comes from)."""
    from woosync.core import settings

    state = app_context(ctx, json_flag)
    found = settings.value(key)

    def human(console: Console) -> None:
        console.print(str(found.value), markup=False, highlight=False)
        if found.source != "file":
            state.output.info(f"{found.key}: {_source(found)}")

    state.output.emit(_as_dict(found), human=human)


@app.command("set")
def set_command(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="The new value.", show_default=False)],
) -> None:
    """Keep KEY = VALUE in the config file for every later run."""
    from woosync.core import settings

    state = app_context(ctx)
    kept = settings.set_value(key, value)
    found = settings.value(key)
    state.output.success(f"{found.key} = {kept!r} in {settings.config_path()}")
    if found.source == "env":
        state.output.warn(
            f"{found.env} is set and wins over the file while it is ({found.value!r})"
        )


@app.command("unset")
def unset_command(ctx: typer.Context, key: KeyArg) -> None:
    """Remove KEY from the config file (its default, or its environment variable, applies)."""
    from woosync.core import settings

    state = app_context(ctx)
    if settings.unset(key):
        state.output.success(f"removed {key.strip()} from {settings.config_path()}")
    else:
        state.output.info(f"{key.strip()} is not in {settings.config_path()}: nothing to remove")


@app.command("list")
@with_option_groups
def list_command(ctx: typer.Context, listing: ListOptions = ListOptions()) -> None:
    """Every setting with the value in force and where it comes from."""
    from woosync.core import settings

    state, chosen = list_format(ctx, listing)
    columns: list[Column[Value]] = [
        Column("Key", "key", lambda found: found.key),
        Column("Value", "value", lambda found: found.value),
        Column("Source", "source", lambda found: found.source, human=_source),
        Column("Meaning", "meaning", lambda found: settings.SETTINGS[found.key].help, drop=1),
    ]
    rows = settings.all_values()
    show_listing(
        state.output,
        chosen,
        Listing(columns, rows, json_of=_as_dict, id_of=lambda found: found.key, what="settings"),
    )


@app.command("path")
def path_command(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Print the path of the config file (it need not exist yet)."""
    from woosync.core.settings import config_path

    state = app_context(ctx, json_flag)
    path = str(config_path())
    state.output.emit({"path": path}, human=lambda console: console.print(path, highlight=False))
