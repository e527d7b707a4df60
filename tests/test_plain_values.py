"""Option values converted without pydantic (``cli/plain_values.py``) come out as Typer's own
converter makes them, and a value that is not plain gets Typer's own error."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from woosync.cli.app import app
from woosync.cli.plain_values import PlainRuntimeParam

SAMPLES: dict[str, tuple[Any, ...]] = {
    "bool": (True, False, "true", "no", "", 1),
    "str": ("x", "", " spaced ", "é", "\udcff", "[b]", 3),
    "int": (
        0, 1, 16, 17, True, 2.0, "0", "1", "8", "9", "12", "007", "-1", "+1", " 3", "1_000",
        "1.5", "abc", "", "٣", "9223372036854775807", "9223372036854775808",
        "99999999999999999999",
    ),
    "float": (0, 2, 2.5, True, "2.5", "3", "0.05", "1e3", "nan", "-1", ".5", "abc", ""),
    "Path": ("x.db", "./a//b/", "~/w.db", "", "-", "/"),
    "list[str]": (("a", "b"), ["a"], "a", ()),
}  # fmt: skip


@functools.cache
def _plain_params() -> list[Any]:
    found: list[Any] = []

    def walk(command: Any) -> None:
        for param in getattr(command, "params", ()):
            if isinstance(param._runtime_param, PlainRuntimeParam):
                found.append(param)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        converted = runtime.coerce(value, param=param, ctx=ctx)
        return ("value", (type(converted), repr(converted)))  # repr: nan equals nan
    except BadParameter as exc:
        return ("error", exc.format_message())


def _kind(param: Any) -> str:
    annotation = param.type_descriptor.annotation
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


def _cases() -> Iterator[tuple[str, Any]]:
    seen: set[tuple[str, str, str]] = set()
    for param in _plain_params():
        info = param.type_descriptor.parameter_info
        key = (_kind(param), str(info.min), str(info.max))
        if key in seen:  # one parameter of each type and range is enough
            continue
        seen.add(key)
        yield f"{param.name}:{key}", param


@pytest.mark.parametrize(("label", "param"), list(_cases()))
def test_plain_values_convert_as_typer_does_and_the_rest_fail_as_typer_says(
    label: str, param: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ctx = Context(typer.main.get_command(app))
    typers_own = build_runtime_param(param.type_descriptor)
    for value in SAMPLES[_kind(param)]:
        expected = _outcome(typers_own, value, param, ctx)
        assert _outcome(param._runtime_param, value, param, ctx) == expected, (label, value)


def test_every_parameter_of_a_plain_type_converts_without_pydantic() -> None:
    kinds = {_kind(param) for param in _plain_params()}
    assert kinds == set(SAMPLES)
    assert len(_plain_params()) > 250
