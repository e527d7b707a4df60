"""A ``--json`` document with one long list, written without holding the list in memory.

The list's items are encoded as they come and kept in a spooled temporary file (memory up to
1 MB, then disk); the document is written once the command knows the rest (its counts come first),
byte for byte what ``Output.emit`` writes for the same data (``json.dumps(..., indent=2)``). A
command that fails before the end writes its error document instead: stdout is one JSON document.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

from woosync.cli.render import Output
from woosync.core.logging import scrub_quoted

_SPOOL = 1 << 20


def _encode(value: Any, indent: str) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return text.replace("\n", "\n" + indent)


class JsonList:
    """The items of a document's list, encoded as they come."""

    def __init__(self) -> None:
        # closed by emit(), once the document is written
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=_SPOOL, mode="w+", encoding="utf-8"
        )
        self.count = 0

    def add(self, item: Any) -> None:
        if self.count:
            self._file.write(",\n")
        self._file.write("    " + _encode(item, "    "))
        self.count += 1

    def emit(self, output: Output, document: Mapping[str, Any], key: str) -> None:
        """Print ``document`` with this list as its ``key`` (whatever ``document[key]`` holds)."""
        output.emitted = True
        write = sys.stdout.write
        write("{")
        for index, (name, value) in enumerate(document.items()):
            write(("," if index else "") + "\n  " + json.dumps(name, ensure_ascii=False) + ": ")
            if name != key:
                write(scrub_quoted(_encode(value, "  ")))
            elif not self.count:
                write("[]")
            else:
                write("[\n")
                self._file.seek(0)
                for line in self._file:  # whole lines: a JSON string never spans two
                    write(scrub_quoted(line))
                write("\n  ]")
        write("\n}\n" if document else "}\n")
        sys.stdout.flush()
        self._file.close()
