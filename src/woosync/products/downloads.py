"""A downloadable product's files: ``downloads: [{name, file, id}]``.

WooCommerce keeps each file of a product under an id that customers' download permissions point
at. It keeps whatever id it is sent, and makes up a new one for a file sent without one (checked
on a real WooCommerce 11 store): sending a product's files without their ids would change every
id at each change, and the links in customers' emails would stop working. So the catalog gives
each file an id of its own and sends it to every store: an id read from a store or a file stays
as it is; a file given without one keeps the id the product already holds for the same file, or
else gets one made from the file (:func:`file_id`: the same file gets the same id, so loading a
product file again changes nothing).

In a CSV cell the files are written ``Manual=https://shop.example/manual.pdf|https://...`` (a
name, ``=``, the file; without a name, the file's own name is its name), and so is one file
given as text (``products edit --download``, an item of a YAML list).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from woosync.products.values import kind_of, normalize_text

FILE_SCHEMES = ("http://", "https://")
EXAMPLE = "[{name: Manual, file: https://shop.example/manual.pdf}]"
# the namespace of the ids made from files (uuid5): any fixed UUID would do, this one is woosync's
_FILE_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "woosync:downloads")


def file_id(file: str) -> str:
    """The id a file given without one gets: the same for the same file, in every store."""
    return str(uuid.uuid5(_FILE_IDS, file))


def file_name(file: str) -> str:
    """A file's own name: ``manual.pdf`` of ``https://shop.example/files/manual.pdf?v=2``."""
    path = file.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or file


def normalize_downloads(value: Any) -> list[dict[str, str]] | None:
    """The files as ``[{"name", "file", "id"}]`` (``id`` only when given), each file once;
    ``None`` when there are none. A file is an http(s) URL, an absolute path on the store or a
    storage plugin's shortcode (WooCommerce refuses other schemes, ``ftp://``: checked on a real
    store)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = [part for part in value.split("|") if part.strip()]
    elif isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of files, e.g. {EXAMPLE}, not {kind_of(value)}")
    found: dict[str, dict[str, str]] = {}
    for item in value:
        download = _download(item)
        found.setdefault(download["file"], download)
    return list(found.values()) or None


def _from_text(part: str) -> dict[str, str]:
    """``Manual=https://...`` or a bare file: the name ends at the ``=`` the file (a URL or a
    path) follows, so a ``=`` in a name or in a URL's query is their own."""
    for index, char in enumerate(part):
        if char == "=":
            file = part[index + 1 :].strip()
            if file.lower().startswith(FILE_SCHEMES) or file.startswith("/"):
                return {"name": part[:index], "file": file}
    return {"file": part}


def _download(item: Any) -> dict[str, str]:
    if isinstance(item, str):
        item = _from_text(item)
    if not isinstance(item, Mapping):
        raise ValueError(f"a file is a URL or {{name, file}}, not {kind_of(item)}")
    unknown = set(item) - {"name", "file", "id"}
    if unknown:
        raise ValueError(
            f"a file has name, file and id, not {', '.join(sorted(map(str, unknown)))}"
        )
    file = normalize_text(item.get("file"))
    if file is None:
        raise ValueError(f"a file has no 'file' (write it {EXAMPLE})")
    if not (file.lower().startswith(FILE_SCHEMES) or file.startswith("/") or _shortcode(file)):
        raise ValueError(f"{file!r} is neither an http(s) URL nor a path on the store (/...)")
    download = {"name": normalize_text(item.get("name")) or file_name(file), "file": file}
    given = normalize_text(item.get("id"))
    if given is not None:
        download["id"] = given
    return download


def _shortcode(file: str) -> bool:
    """``[amazon_s3 bucket=... object=...]``: a storage plugin's file, which WooCommerce expands."""
    return file.startswith("[") and file.endswith("]")


def with_ids(
    downloads: Sequence[Mapping[str, str]] | None,
    held: Sequence[Mapping[str, str]] | None,
) -> list[dict[str, str]] | None:
    """``downloads`` each with its id: its own, else the id ``held`` (the product's files until
    now) has for the same file, else :func:`file_id`."""
    if not downloads:
        return None
    known = {d["file"]: d["id"] for d in held or () if d.get("id")}
    return [
        {**d, "id": d.get("id") or known.get(d["file"]) or file_id(d["file"])} for d in downloads
    ]


def download_text(download: Mapping[str, str]) -> str:
    """One file as a CSV cell writes it (its id left out: a load finds it by the file)."""
    file = download["file"]
    return file if download["name"] == file_name(file) else f"{download['name']}={file}"
