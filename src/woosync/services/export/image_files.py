"""Whether a store image holds the file a URL names (WordPress keeps the URL's file name,
lowercased or sanitized, with ``-1``, ``-2`` ... when the name was taken and ``-scaled`` for big
images): how an export recognises, after a lost answer, the images a store already has."""

from __future__ import annotations

import re
from collections.abc import Mapping
from posixpath import basename
from typing import Any
from urllib.parse import unquote, urlsplit


def same_image_file(url: str, image: Mapping[str, Any]) -> bool:
    """Whether a store image (``src``, ``name``) holds the file that ``url`` names."""
    held = {stem for name in (image.get("src"), image.get("name")) for stem in _file_stems(name)}
    for wanted in _file_stems(url):
        suffixed = re.compile(re.escape(wanted) + r"(?:-\d+)?(?:-scaled)?")
        if any(suffixed.fullmatch(stem) for stem in held):
            return True
    return False


def _file_stems(url: Any) -> set[str]:
    """``https://x/a/Tee%201.JPG?v=2`` -> ``{"tee-1", "tee20-1"}``: the file name without its
    extension, folded to lowercase words, read with the escapes decoded and as WordPress names the
    upload (``sanitize_file_name`` drops ``%`` before it would turn ``%20`` into a dash)."""
    raw = basename(urlsplit(str(url or "").strip()).path)
    stems = set()
    for name in (unquote(raw), raw.replace("%", "")):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        folded = re.sub(r"[^0-9a-z]+", "-", stem.casefold()).strip("-")
        if folded:
            stems.add(folded)
    return stems
