"""A file committed to git and left in the middle of a merge: a ``<<<<<<<`` line names the
unresolved conflict, instead of the parse error it causes further on (a YAML syntax error, a
JSON one). Looked for once a YAML or JSON file fails to parse (a file that parses is not read
twice); a CSV file's rows are looked at as they are read (``product_csv``), as its conflict
parses into rows."""

from __future__ import annotations

from collections.abc import Iterable

from woosync.core.errors import ValidationError

MARKER = "<<<<<<<"


def conflict_line(lines: Iterable[str]) -> int | None:
    """The number of the first line opening a merge conflict, or ``None``."""
    for number, line in enumerate(lines, 1):
        if line.startswith(MARKER):
            return number
    return None


def merge_conflict_error(source: str, line: int) -> ValidationError:
    return ValidationError(
        f"{source}:{line}: an unresolved merge conflict ('{MARKER}' line)",
        hint="keep one side and remove the '<<<<<<<', '=======' and '>>>>>>>' lines",
    )
