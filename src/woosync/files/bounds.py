"""Limits every input file is held to before anything is built from it.

- **Size**: a file (or standard input) over ``WOOSYNC_MAX_FILE_MB`` megabytes (default 256) is
  refused before it is read whole.
- **YAML aliases**: an alias repeats what its anchor holds. Counted as expanded, a "billion laughs"
  file of a few lines stands for 10^9 nodes; anything that walks the document (validation, the
  mapping loader's line index) would expand it. Aliases may bring in at most
  ``max(ALIAS_FLOOR, ALIAS_RATIO x the nodes written)`` nodes in all, which ordinary ``<<: *defaults``
  use stays far below.
- **Nesting**: YAML deeper than ``MAX_DEPTH`` levels is refused (a product file needs five or
  six), and JSON too deep for Python's parser (about 1,000 levels) is a clear error, not a crash.

Each refusal is a :class:`~woosync.core.errors.ValidationError` (exit 2) naming the file. The
YAML limits are in ``yaml_bounds`` (which imports PyYAML; this module is read by every command
that may load products, an export too, and needs no YAML).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from woosync.core.errors import ValidationError

MAX_FILE_ENV = "WOOSYNC_MAX_FILE_MB"
MAX_FILE_MB = 256
MAX_DEPTH = 100
ALIAS_FLOOR = 100_000  # nodes aliases may add to any file
ALIAS_RATIO = 10  # ... or ten times the nodes written, whichever is more


def max_file_megabytes() -> float:
    """``WOOSYNC_MAX_FILE_MB`` (default :data:`MAX_FILE_MB`)."""
    text = os.environ.get(MAX_FILE_ENV, "").strip()
    if not text:
        return float(MAX_FILE_MB)
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        raise ValidationError(
            f"{MAX_FILE_ENV}={text!r} is not a positive number of megabytes",
            hint=f"e.g. {MAX_FILE_ENV}=1024",
        )
    return megabytes


def _too_big(source: str, megabytes: float) -> ValidationError:
    return ValidationError(
        f"{source} is larger than the {megabytes:g} MB limit",
        hint=f"split it into smaller files, or raise the limit with {MAX_FILE_ENV}=MEGABYTES",
    )


def read_text(path: str | Path, *, encoding: str = "utf-8", allow_stdin: bool = False) -> str:
    """The text of ``path`` (``-`` is standard input when ``allow_stdin``), refused past the size
    limit before it is read whole.

    ``OSError`` and ``UnicodeDecodeError`` pass through for the caller to word.
    """
    megabytes = max_file_megabytes()
    limit = int(megabytes * 1024 * 1024)
    if allow_stdin and str(path) == "-":
        text = sys.stdin.read(limit + 1)
        if len(text.encode("utf-8", "surrogatepass")) > limit:
            raise _too_big("standard input", megabytes)
        return text
    check_size(path)
    return Path(path).read_text(encoding=encoding)


def check_size(path: str | Path) -> int:
    """The size of ``path`` in bytes, refused past the limit (a file streamed is held to it too).

    ``OSError`` passes through for the caller to word.
    """
    megabytes = max_file_megabytes()
    size = Path(path).stat().st_size
    if size > int(megabytes * 1024 * 1024):
        raise _too_big(str(path), megabytes)
    return size


def load_json(text: str, source: str, **options: Any) -> Any:
    """``json.loads`` with nesting bounded: too deep for the parser is a clear error, not a crash.

    Python's parser stops near 1,000 levels (``RecursionError``); nothing woosync reads is more
    than a few levels deep, so that is where JSON's limit lies. ``json.JSONDecodeError`` passes
    through for the caller to word.
    """
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise ValidationError(
            f"{source}: nested too deeply to read (about 1,000 levels or more)",
            hint="a product file needs only a few levels",
        ) from None
