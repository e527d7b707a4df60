"""Category paths: ``Kitchen > Mugs`` is Mugs under Kitchen (as WooCommerce's CSV importer
writes them). A ``>`` inside a name is written ``\\>``; a backslash before ``>`` or another
backslash is written ``\\\\``. The catalog keeps each path in one canonical form: the names
trimmed and joined by `` > ``."""

from __future__ import annotations

SEPARATOR = " > "


def parse_category_path(text: str) -> tuple[str, ...]:
    """``"Kitchen > Mugs"`` -> ``("Kitchen", "Mugs")``; ``"Tools \\> Parts"`` -> ``("Tools > Parts",)``.

    ValueError when a level is empty (``"Kitchen > > Mugs"``, ``"> Mugs"``)."""
    names: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "\\>":
            current.append(text[index + 1])
            index += 2
            continue
        if char == ">":
            names.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    names.append("".join(current).strip())
    if any(not name for name in names):
        raise ValueError(
            f"{text!r} has an empty level (write paths as 'Kitchen > Mugs'; a '>' inside a name "
            "as '\\>')"
        )
    return tuple(names)


def join_category_path(names: tuple[str, ...] | list[str]) -> str:
    """The canonical text of a path: names escaped and joined by `` > ``."""
    return SEPARATOR.join(_escape(name) for name in names)


def _escape(name: str) -> str:
    out: list[str] = []
    for index, char in enumerate(name):
        following = name[index + 1] if index + 1 < len(name) else ""
        if char == ">":
            out.append("\\>")
        elif char == "\\" and following in ("\\", ">"):
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def canonical_category(text: str) -> str:
    """``"Kitchen>Mugs"`` -> ``"Kitchen > Mugs"`` (ValueError for an empty level)."""
    if ">" not in text and "\\" not in text:  # the common case: one plain name
        return text
    return join_category_path(parse_category_path(text))


def with_parents(text: str) -> list[str]:
    """A path and the paths of its parents, top first: ``Kitchen``, ``Kitchen > Mugs`` (a
    malformed path alone, as written)."""
    try:
        names = parse_category_path(text)
    except ValueError:
        return [text]
    return [join_category_path(names[: depth + 1]) for depth in range(len(names))]


def category_leaf(text: str) -> str:
    """The last name of a path: ``"Kitchen > Mugs"`` -> ``"Mugs"``."""
    return parse_category_path(text)[-1]
