"""Whether a store image holds the file a URL names, as WordPress names an upload: the URL's file
name, lowercased or sanitized, with ``-1``, ``-2`` ... when the name was taken and ``-scaled``
(or ``-rotated``) for the copy it serves of a big (or turned) picture.

- :func:`same_image_file`: how an export recognises, after a lost answer, the images a store
  already has for its URLs (the store's name may carry a ``-N`` the URL's lacks).
- :func:`store_copies`: how an import recognises, before a product's images are first synced
  with a store, that the store shows the catalog's pictures as its own uploads. Two stores a shop
  owner already runs hold the same pictures as two uploads: the catalog (read from the first)
  names ``.../uploads/2024/05/mug-blue.jpg``, the second store shows
  ``.../uploads/2023/11/mug-blue-1.jpg``. Compared as URLs, every such product was an images
  conflict, and either way of settling it uploaded the pictures again (duplicates in the media
  library, new image ids). Here either name may carry the ``-N`` (the catalog's URLs may be the
  first store's uploads), only names with an image file extension count
  (``https://picsum.photos/seed/x/600`` names no file), and the whole list must agree, position
  by position, with no name found elsewhere in the other list: a reordered gallery, a replaced
  picture or an added one is still a difference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from posixpath import basename, splitext
from typing import Any
from urllib.parse import unquote, urlsplit

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".heic"}
)
_SERVED_COPY = re.compile(r"-(?:scaled|rotated)$")
_TAKEN_NAME = re.compile(r"^(?P<stem>.+)-\d+$")


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


def store_copies(catalog: Sequence[str], store_images: Sequence[Any]) -> dict[str, str]:
    """``store media id -> catalog URL`` when ``store_images`` (a store product's ``images``)
    are, position by position, the store's own uploads of the catalog's image URLs ``catalog``
    (not those URLs themselves); empty otherwise."""
    if not catalog or len(catalog) != len(store_images):
        return {}
    names: list[tuple[set[str], set[str]]] = []  # each position's catalog and store names
    for url, image in zip(catalog, store_images, strict=True):
        if not isinstance(image, Mapping) or not image.get("id") or not image.get("src"):
            return {}
        names.append((_picture_names(url), _picture_names(image["src"])))
    if not all(wanted and held for wanted, held in names):
        return {}
    if [str(url) for url in catalog] == [str(image["src"]) for image in store_images]:
        return {}  # the catalog's own URLs: nothing to map
    for position, (wanted, held) in enumerate(names):
        if wanted & held:
            continue
        elsewhere = [names[other] for other in range(len(names)) if other != position]
        if any(wanted & others[1] or held & others[0] for others in elsewhere):
            return {}  # the pictures moved: not copies
        if not any(
            _taken(a, b) or _taken(b, a) or _plain(a) == _plain(b) for a in wanted for b in held
        ):
            return {}
    return {str(image["id"]): str(url) for url, image in zip(catalog, store_images, strict=True)}


def _picture_names(url: Any) -> set[str]:
    """The names of an image file (:func:`_file_stems`) without ``-scaled``/``-rotated``; none
    when ``url`` names no image file."""
    path = urlsplit(str(url or "").strip()).path
    if splitext(unquote(path))[1].lower() not in IMAGE_EXTENSIONS:
        return set()
    return {_SERVED_COPY.sub("", stem) for stem in _file_stems(url)}


def _taken(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with WordPress's ``-N`` (``mug-2`` for ``mug``)."""
    return _plain(longer) == shorter and longer != shorter


def _plain(stem: str) -> str:
    """``stem`` without a ``-N`` ending (``mug-blue-3`` -> ``mug-blue``)."""
    found = _TAKEN_NAME.match(stem)
    return found["stem"] if found is not None else stem
