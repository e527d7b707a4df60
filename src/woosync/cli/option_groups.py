"""Option groups: declare a set of command options once, as a dataclass, and share it between commands.

A command takes one parameter annotated with such a dataclass; :func:`with_option_groups` shows Typer
the dataclass's fields (each an ``Annotated`` Typer option with its default) in that parameter's
place, and calls the command with one instance built from them::

    @dataclass
    class TlsOptions:
        ca_bundle: CaBundleOpt = None
        insecure: InsecureOpt = False

    @app.command("add")
    @with_option_groups
    def add_command(ctx: typer.Context, tls: TlsOptions = TlsOptions()) -> None: ...
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

Command = TypeVar("Command", bound=Callable[..., Any])


def _is_group(annotation: Any) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def with_option_groups(command: Command) -> Command:
    """``command`` with each option-group parameter spread into the group's own options."""
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    groups: dict[str, tuple[type, list[str]]] = {}
    for parameter in signature.parameters.values():
        group = parameter.annotation
        if not _is_group(group):
            parameters.append(parameter)
            continue
        hints = typing.get_type_hints(group, include_extras=True)
        names = [field.name for field in dataclasses.fields(group)]
        parameters += [
            inspect.Parameter(
                name,
                parameter.kind,
                default=getattr(group, name, inspect.Parameter.empty),
                annotation=hints[name],
            )
            for name in names
        ]
        groups[parameter.name] = (group, names)
    spread = [parameter.name for parameter in parameters]
    if len(set(spread)) != len(spread):
        raise TypeError(f"{command.__name__}: an option group repeats a parameter name")

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        for name, (group, names) in groups.items():
            kwargs[name] = group(**{field: kwargs.pop(field) for field in names})
        return command(*args, **kwargs)

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return typing.cast(Command, run)
