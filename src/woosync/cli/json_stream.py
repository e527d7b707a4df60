"""``--json`` documents with long lists, written without holding the lists in memory.

A :class:`JsonList` takes a list's items as they come and keeps them encoded in a spooled
temporary file (memory up to 1 MB, then disk); :func:`emit` prints a document in which any value
may be a :class:`JsonList`, once the command knows the rest (the counts come first), byte for byte
what ``Output.emit`` prints for the same data (``json.dumps(..., indent=2)``). A command that fails
before the end prints its error document instead: stdout stays one JSON document.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from woosync.cli.render import Output
from woosync.core.logging import scrub_quoted

_SPOOL = 1 << 20


def _encode(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class JsonList:
    """The items of a document's list, encoded as they come."""

    def __init__(self) -> None:
        # closed once the document is written (or when garbage collected)
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=_SPOOL, mode="w+", encoding="utf-8"
        )
        self.count = 0

    def add(self, item: Any) -> None:
        if self.count:
            self._file.write(",\n")
        self._file.write(_encode(item))
        self.count += 1

    def lines(self) -> Iterator[str]:
        """The items' text, line by line (a JSON string never spans two)."""
        self._file.seek(0)
        yield from self._file
        self._file.close()


def _holds_spool(value: Any) -> bool:
    if isinstance(value, JsonList):
        return True
    if isinstance(value, Mapping):
        return any(_holds_spool(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_spool(v) for v in value)
    return False


def dump(value: Any, write: Callable[[str], object], indent: str = "") -> None:
    """``value`` as ``json.dumps(value, indent=2)`` writes it at this ``indent``."""
    inner = indent + "  "
    if isinstance(value, JsonList):
        if not value.count:
            write("[]")
            return
        write("[\n")
        for line in value.lines():
            write(inner + scrub_quoted(line))
        write("\n" + indent + "]")
    elif not _holds_spool(value):
        write(scrub_quoted(_encode(value).replace("\n", "\n" + indent)))
    elif isinstance(value, Mapping):
        write("{")
        for index, (name, item) in enumerate(value.items()):
            write(("," if index else "") + "\n" + inner + json.dumps(name, ensure_ascii=False))
            write(": ")
            dump(item, write, inner)
        write("\n" + indent + "}")
    else:
        write("[")
        for index, item in enumerate(value):
            write(("," if index else "") + "\n" + inner)
            dump(item, write, inner)
        write("\n" + indent + "]")


def emit(output: Output, document: Any) -> None:
    """Print ``document`` (whose lists may be :class:`JsonList`) as the command's result."""
    output.emitted = True
    dump(document, sys.stdout.write)
    sys.stdout.write("\n")
    sys.stdout.flush()
