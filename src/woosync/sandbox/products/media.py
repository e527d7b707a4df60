"""Product images: checking ``images`` entries, "downloading" ``src`` URLs, attaching media.

Images are planned before anything is written (a bad URL or unknown media id fails the whole
write, as in WooCommerce) and committed afterwards, when the product has its id. A ``src`` is
counted as a download in the stats and stored as media named the way WordPress names uploads.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlsplit

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError
from woosync.sandbox.products.coerce import clean, to_int, to_str
from woosync.sandbox.state import State
from woosync.sandbox.text import sanitize_title

# Checked image entries, in order: ("src", file name, entry) to sideload or ("id", media id, entry).
ImagePlan = list[tuple[str, Any, dict[str, Any]]]

IMAGE_EXTENSIONS = frozenset(
    ["jpg", "jpeg", "jpe", "gif", "png", "bmp", "tiff", "tif", "ico", "webp"]
)


def plan_images(env: Env, images: list[Any]) -> ImagePlan:
    """Check every image entry; ``src`` entries are downloaded (counted) here, as WooCommerce does."""
    plan: ImagePlan = []
    for entry in images:
        image = entry if isinstance(entry, dict) else {}
        image_id = to_int(image.get("id"))
        if not image_id and image.get("src"):
            src = to_str(image["src"]).strip()
            parts = urlsplit(src)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise _image_error(
                    f"Error getting remote image {src}. Error: A valid URL was not provided."
                )
            env.stats.count_download()
            host = parts.hostname
            if host == "invalid" or host.endswith(".invalid"):
                raise _image_error(
                    f"Error getting remote image {src}. Error: cURL error 6: Could not resolve "
                    f"host: {host}"
                )
            filename = posixpath.basename(parts.path)
            if "." not in filename:
                # No extension in the URL: WooCommerce names the file after the answer's
                # Content-Type, which image hosts send as image/*.
                filename = "image.jpeg"
            if filename.rsplit(".", 1)[-1].lower() not in IMAGE_EXTENSIONS:
                raise _image_error(
                    "Invalid image: Sorry, you are not allowed to upload this file type."
                )
            plan.append(("src", filename, image))
        else:
            if image_id not in env.state.media:
                raise ApiError(
                    "woocommerce_product_invalid_image_id",
                    f"#{image_id} is an invalid image ID.",
                    400,
                )
            plan.append(("id", image_id, image))
    return plan


def _image_error(message: str) -> ApiError:
    return ApiError("woocommerce_product_image_upload_error", message, 400)


def _sideload(state: State, filename: str, parent: int) -> int:
    now = state.now()
    folder = f"{now[:4]}/{now[5:7]}"
    stem, _, extension = filename.rpartition(".")
    stem = sanitize_title(stem) or "image"
    base = f"{folder}/{stem}.{extension}"
    name, n = base, state.media_suffixes.get(base, 1)
    while name in state.media_files:  # wp_unique_filename: x.jpg, x-1.jpg, x-2.jpg, ...
        name = f"{folder}/{stem}-{n}.{extension}"
        n += 1
    state.media_suffixes[base] = n
    media_id = state.new_post_id()
    state.media[media_id] = {
        "id": media_id,
        "date_created": now,
        "date_modified": now,
        "file": name,
        "name": posixpath.basename(name),  # WordPress titles a sideloaded image by its file name
        "alt": "",
        "parent": parent,
    }
    state.media_files.add(name)
    return media_id


def commit_images(state: State, record: dict[str, Any], plan: ImagePlan) -> None:
    ids: list[int] = []
    for kind, value, image in plan:
        media_id = _sideload(state, value, record["id"]) if kind == "src" else value
        media = state.media[media_id]
        if image.get("alt"):
            media["alt"] = clean(image["alt"])
        if image.get("name"):
            media["name"] = to_str(image["name"])
        if image.get("alt") or image.get("name"):
            media["date_modified"] = state.now()
        ids.append(media_id)
    record["image_ids"] = ids
