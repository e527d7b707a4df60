"""Terraform-style lines for what a dry run would change: ``+ create SKU``, ``~ SKU price 12.50 ->
13.90`` (one line per field whose value differs), ``- delete SKU``; shared by ``export
--dry-run`` and ``mappings apply --dry-run``. Plain text: print them with ``markup=False``."""

from __future__ import annotations

import json
from typing import Any

CREATE = "+"
CHANGE = "~"
DELETE = "-"
PROBLEM = "!"
SAME = " "

WIDTH = 60  # a longer value is cut (the full value is in --json)
_DOWNLOAD = frozenset({"id", "name", "file"})  # one of a downloadable product's files


def show(value: Any) -> str:
    """A value as a reader compares it: ``12.50``, ``"Blue mug"`` (quoted when it has spaces or is
    empty), ``[Red, Blue]``, ``{width=10}``, a file ``"The book" (https://...)``, ``(none)``."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict) and "file" in value and set(value) <= _DOWNLOAD:
        return f"{show(value.get('name'))} ({show(value['file'])})"  # a file: its id is --json's
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={show(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if len(text) > WIDTH:
        text = text[: WIDTH - 3] + "..."
    if not text or any(ch.isspace() for ch in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def created(subject: str, detail: str = "") -> str:
    return f"{CREATE} create {subject}{detail}"


def deleted(subject: str, detail: str = "") -> str:
    return f"{DELETE} delete {subject}{detail}"


def changed(subject: str, field: str, old: Any, new: Any) -> str:
    """``~ SUBJECT field old -> new``."""
    return f"{CHANGE} {subject} {field} {show(old)} -> {show(new)}"


def value(field: str, new: Any) -> str:
    """A created thing's field (``--verbose``): ``    field = value``."""
    return f"    {field} = {show(new)}"


def problem(subject: str, text: str) -> str:
    return f"{PROBLEM} {subject} {text}"


def same(subject: str) -> str:
    return f"{SAME} {subject} unchanged"


def part_lines(name: str, before: Any, after: Any, indent: str = "    ") -> list[str]:
    """The value changes of one part of a thing, one line each: a dict key by key (``+ name.key =
    new``, ``~ name.key old -> new``, ``- name.key (was old)``), nested dicts as ``name.a.b``; a
    list by its items (``+ name item``, ``- name item``; a new order alone as ``~ name [..] ->
    [..]``); anything else as ``~ name old -> new``. Nothing for equal values."""
    if before == after:
        return []
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        lines: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            path = f"{name}.{key}"
            if isinstance(old.get(key), (dict, list)) or isinstance(new.get(key), (dict, list)):
                lines += part_lines(path, old.get(key), new.get(key), indent)
            elif key not in old:
                lines.append(f"{indent}{CREATE} {path} = {show(new[key])}")
            elif key not in new:
                lines.append(f"{indent}{DELETE} {path} (was {show(old[key])})")
            elif old[key] != new[key]:
                lines.append(f"{indent}{CHANGE} {path} {show(old[key])} -> {show(new[key])}")
        return lines
    if isinstance(before, list) or isinstance(after, list):
        old_items = list(before) if isinstance(before, list) else []
        new_items = list(after) if isinstance(after, list) else []
        added = [item for item in new_items if item not in old_items]
        removed = [item for item in old_items if item not in new_items]
        if not added and not removed:  # the same items in another order
            return [f"{indent}{CHANGE} {name} {show(old_items)} -> {show(new_items)}"]
        return [f"{indent}{CREATE} {name} {show(item)}" for item in added] + [
            f"{indent}{DELETE} {name} {show(item)}" for item in removed
        ]
    return [f"{indent}{CHANGE} {name} {show(before)} -> {show(after)}"]
