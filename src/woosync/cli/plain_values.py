"""Option values converted without pydantic, where Typer would load it for a plain value.

Typer (0.2x) converts each option's and argument's value through a pydantic ``TypeAdapter`` it
builds the first time the parameter gets a value: importing pydantic and building the adapters
cost a command such as ``connections list`` about 0.07 s of CPU, a quarter of all it does.
:func:`convert_plainly` gives each parameter of a plain type (a flag, a string, a whole number, a
number, a path, a list of strings) a converter that handles the values people type the way the adapter
does (a string as it is, ``12`` in range as 12, ``--db x.db`` as ``Path("x.db")``) and hands every
other value to Typer's own adapter, built then, so that an error reads exactly as Typer writes it
(``--limit abc``: "'abc' is not a valid integer").

Typer's converters are internal (``typer._coercion``): with a Typer that has none of them (or other
ones), nothing changes and Typer converts every value itself; ``tests/test_plain_values.py`` checks
every plain parameter against Typer's own converter, so a Typer that converts differently fails it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # another Typer: it converts every value itself
    RuntimeParam = None  # type: ignore[assignment,misc]

_UNSURE = object()  # not a plain value: Typer's adapter converts it (and words any error)
_DIGITS = re.compile(r"[0-9]{1,19}")
_DECIMAL = re.compile(r"[0-9]{1,19}(\.[0-9]{1,19})?")
PLAIN_TYPES: tuple[Any, ...] = (bool, str, int, float, Path, list[str])


def _number(value: Any, kind: type[Any], info: Any) -> Any:
    """``value`` (given as text, or the option's default) as ``kind`` when it is plainly one, in
    the option's range; else _UNSURE."""
    if isinstance(value, str):
        pattern = _DIGITS if kind is int else _DECIMAL
        if not value.isascii() or not pattern.fullmatch(value):
            return _UNSURE
        number = kind(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if kind is int and not isinstance(value, int):
            return _UNSURE
        number = kind(value)
    else:
        return _UNSURE
    if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
        return _UNSURE
    return number


def _text(value: Any) -> bool:
    """A string pydantic takes as it is (one with a lone surrogate, from undecodable bytes in the
    command line, it refuses)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _plain(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """``value`` converted as Typer's adapter converts it, or _UNSURE."""
    if annotation is bool:  # a flag's True or False (Typer itself converts only its None)
        return value if isinstance(value, bool) else _UNSURE
    if annotation is str:
        return value if _text(value) else _UNSURE
    if annotation == list[str]:
        items = list(value) if isinstance(value, list | tuple) else [value]
        return items if all(_text(item) for item in items) else _UNSURE
    if annotation is int or annotation is float:
        return _number(value, annotation, info)
    if annotation is Path and _text(value) and value and "\0" not in value:
        with contextlib.suppress(Exception):  # its own checks (exists, readable, ...) failed
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _UNSURE


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """A parameter's converter: plain values here, the rest through Typer's adapter."""

        full: list[Any] = field(default_factory=list)  # Typer's converter, once needed

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            converted = _plain(self.annotation, self.parameter_info, value, param, ctx)
            if converted is not _UNSURE:
                return converted
            if not self.full:
                self.full.append(build_runtime_param(param.type_descriptor))
            return self.full[0]._coerce_value(value, param=param, ctx=ctx)


def convert_plainly(param: Any) -> None:
    """Give ``param`` the plain converter when its type is plain and Typer has converters."""
    descriptor = getattr(param, "type_descriptor", None)
    if RuntimeParam is None or descriptor is None or not hasattr(param, "_runtime_param"):
        return
    info = descriptor.parameter_info
    if (
        descriptor.annotation not in PLAIN_TYPES
        or descriptor.file_annotation is not None
        or info.parser is not None
        or getattr(info, "click_type", None) is not None
        or info.clamp
    ):
        return
    try:
        plain = PlainRuntimeParam(parameter_info=info, annotation=descriptor.annotation)
    except TypeError:  # a Typer whose converters take other fields: it converts by itself
        return
    param._runtime_param = plain
