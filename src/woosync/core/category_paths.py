"""Category paths: ``Kitchen > Mugs`` is Mugs under Kitchen (the convention of WooCommerce's own
CSV importer). A ``>`` that belongs to a name is written ``\\>`` (``Tools \\> Gadgets`` is one
category called "Tools > Gadgets"); any other backslash is an ordinary character.

Names are trimmed; a path is written back with `` > `` between names (:func:`join_category_path`),
so ``Kitchen>Mugs`` and ``Kitchen > Mugs`` are one path (:func:`category_path_key`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from woosync.core.errors import ValidationError

SEPARATOR = ">"
ESCAPED_SEPARATOR = "\\>"
JOINER = f" {SEPARATOR} "

_UNESCAPED_SEPARATOR = re.compile(r"(?<!\\)>")


def parse_category_path(text: str) -> tuple[str, ...]:
    """``"Kitchen > Mugs"`` -> ``("Kitchen", "Mugs")``; ``"A \\> B"`` -> ``("A > B",)``.

    An empty name anywhere (``"Kitchen > > Mugs"``, ``"> Mugs"``, ``""``) is a
    :class:`~woosync.core.errors.ValidationError`.
    """
    parts = _UNESCAPED_SEPARATOR.split(str(text))
    names = tuple(part.replace(ESCAPED_SEPARATOR, SEPARATOR).strip() for part in parts)
    if not all(names):
        raise ValidationError(
            f"category path {text!r} has an empty name",
            hint='write a path as "Parent > Child" and a ">" inside a name as "\\>"',
        )
    return names


def join_category_path(names: Iterable[str]) -> str:
    """``("Kitchen", "Mugs")`` -> ``"Kitchen > Mugs"``, each ``>`` inside a name escaped."""
    return JOINER.join(str(name).strip().replace(SEPARATOR, ESCAPED_SEPARATOR) for name in names)


def category_path_key(text: str) -> str:
    """The one spelling of a path (``Kitchen>Mugs`` -> ``Kitchen > Mugs``)."""
    return join_category_path(parse_category_path(text))


def category_path_prefixes(text: str) -> list[str]:
    """The path and its ancestors, root first: ``A > B > C`` -> ``[A, A > B, A > B > C]``."""
    names = parse_category_path(text)
    return [join_category_path(names[: depth + 1]) for depth in range(len(names))]
