"""The root's command tree: each command's or group's Click command built when used
(:class:`LazyCommands`), and its help written as people type options (:func:`help_as_written`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import typer
from typer.main import get_command_from_info, get_group_from_info
from typer.models import TyperInfo

from woosync.cli.plain_values import convert_plainly
from woosync.core.ids import SQLITE_MAX_INTEGER


def help_as_written(command: Any) -> None:
    """Make ``--help`` show options as people type them, for ``command`` and everything under it.

    Typer's help gives every option its type, so flags read ``--json <bool>`` as if they took a
    value, and a float default reads ``[default: 0.0]``. A flag gets an empty metavar (the help
    then shows no value) and a whole-number float default becomes an int (Click converts it back
    to a float before the command sees it).
    """
    for param in getattr(command, "params", ()):
        _as_written(param)
    make_help_option = command.get_help_option  # made on first use, per command

    def get_help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            _as_written(option)
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        help_as_written(sub)


def _as_written(param: Any) -> None:
    convert_plainly(param)  # and its values without pydantic, where they are plain
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.metavar = ""
    elif param.metavar is None:
        param.metavar = _value_name(param)
        if param.param_type_name == "argument":  # its name is its metavar: no type beside it
            param.display_type_rich = lambda ctx: None
    if getattr(param, "max", None) == SQLITE_MAX_INTEGER:  # an id: "1 to 2**63-1" is noise
        param._get_number_range_help_str = lambda: None
    default = getattr(param, "default", None)
    if isinstance(default, float) and default.is_integer():
        param.default = int(default)


def _value_name(param: Any) -> str:
    """What an option's value is called in help, as people write it (``--concurrency N``,
    ``--db PATH``, ``--connection CONNECTION``, ``KEY``), never a Python type (``<list[str]>``,
    ``<int range>``)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if param.param_type_name == "option" and annotation in (int, float):
        return "N"
    if param.param_type_name == "option" and annotation is Path:
        return "PATH"
    return str(param.name or "value").rstrip("_").upper()  # type_: TYPE


class LazyCommands(MutableMapping[str, Any]):
    """The root's commands, where each command's or group's Click command is built (and its
    module imported) only when asked for.

    Typer builds the whole tree (every group, command and option) at every start, about 0.04 s
    of CPU with the modules; a command needs only its own. Listing the commands (``--help``, a
    typo's suggestions) builds them all, in the registry's order: commands, then groups.
    """

    def __init__(self, built: MutableMapping[str, Any], pending: dict[str, Any]) -> None:
        self._built = dict(built)
        self._pending = dict(pending)
        self._order = [*self._built, *(name for name in self._pending if name not in self._built)]

    def __getitem__(self, name: str) -> Any:
        if name in self._pending:
            self._built[name] = self._pending.pop(name)()
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._pending.pop(name, None)
        if name not in self._built:
            self._order.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._built and name not in self._pending:
            raise KeyError(name)
        self._built.pop(name, None)
        self._pending.pop(name, None)
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._pending


def builders(app: typer.Typer) -> dict[str, Any]:
    """``woosync NAME``'s Click command or group for each entry of the registry, built (its
    module imported) when called: the top-level commands first, then the groups."""
    from woosync.cli import registry

    builders: dict[str, Any] = {}
    for names, load in registry.commands():
        built: dict[str, Any] = {}  # a module's commands, all built on the first one's use

        def build_command(
            name: str,
            load: Callable[[], Callable[[typer.Typer], None]] = load,
            built: dict[str, Any] = built,
        ) -> Any:
            if not built:
                own = typer.Typer()
                load()(own)
                for info in own.registered_commands:
                    command = get_command_from_info(
                        info,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                    )
                    help_as_written(command)
                    built[command.name or ""] = command
            return built[name]

        for name in names:
            builders[name] = functools.partial(build_command, name)

    def builder(name: str, load: Callable[[], typer.Typer]) -> Any:
        def build() -> Any:  # the group's module is imported only now
            group = get_group_from_info(
                TyperInfo(load(), name=name),
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
            help_as_written(group)
            return group

        return build

    builders.update((name, builder(name, load)) for name, load in registry.groups())
    return builders
