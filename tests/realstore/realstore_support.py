"""The real store behind the fixtures in conftest.py: set up, reset, logs, images, media.

No tests and no fixtures here; conftest.py documents the fixture API. The helpers at the end drive
woosync through its CLI (``cli`` is the ``Cli`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from realstore.restore_sql import restore_sql
from woosync.woo import WooClient
from woosync.woo.auth import WooAuth

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MODE = os.environ.get("WOOSYNC_REALSTORE", "").strip().lower()
SETUP_OVERRIDE = os.environ.get("WOOSYNC_REALSTORE_SETUP", "").strip()
PACKAGES = ("nginx", "mariadbd", "php")
SETUP_TIMEOUT = 600  # seconds; installing the Debian packages on a fresh CI machine takes 1-2 min
API = "/wp-json/wc/v3"
LOG_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>[^ ?"]*)(?:\?(?P<query>[^ "]*))? [^"]*" (?P<status>\d{3}) '
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# images ------------------------------------------------------------------------------------------
def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (WordPress checks that an upload is a real image)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# an 8x8 red JPEG (made once with PHP GD's imagejpeg; the standard library cannot write JPEG)
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBx"
    "dWFsaXR5ID0gODAK/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykq"
    "KRkfLTAtKDAlKCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo"
    "KCgoKCgoKCgoKCgo/8AAEQgACAAIAwEiAAIRAQMRAf/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQ"
    "AAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2"
    "Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4"
    "ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYH"
    "CAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEX"
    "GBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWm"
    "p6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8A4Ciiivnj"
    "9hP/2Q=="
)

IMAGES: dict[str, tuple[bytes, str]] = {
    "red.png": (png(12, 12, (200, 30, 30)), "image/png"),
    "green.png": (png(16, 10, (30, 160, 60)), "image/png"),
    "blue.png": (png(10, 16, (40, 60, 200)), "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
}
IMAGE_NAMES = tuple(IMAGES)


class ImageServer:
    """Serves ``IMAGES`` on a loopback port (a thread per request) and counts the downloads."""

    def __init__(self) -> None:
        counts: Counter[str] = Counter()
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                if name not in IMAGES:
                    self.send_error(404)
                    return
                with lock:
                    counts[name] += 1
                body, content_type = IMAGES[name]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._counts = counts
        self._lock = lock
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_port}/images"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def url(self, name: str) -> str:
        assert name in IMAGES, f"no image {name!r}; there are {IMAGE_NAMES}"
        return f"{self.base}/{name}"

    def downloads(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def total_downloads(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


# the store ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    params: dict[str, str]  # the query string without the OAuth parameters


class RealStore:
    """One running real store (see the module docstring for the API)."""

    def __init__(self, directory: Path, images: ImageServer) -> None:
        self.dir = directory
        env = dict(
            line.split("=", 1)
            for line in (directory / "keys.env").read_text().splitlines()
            if "=" in line
        )
        self.url = env["URL"]
        self.keys = (env["CK"], env["CS"])
        self.read_only_keys = (env["CK_RO"], env["CS_RO"])
        self.images = images
        self.access_log = directory / "log" / "access.log"
        self._restore = restore_sql((directory / "clean.sql").read_text(encoding="utf-8"))
        self._log_offset = 0
        self._marks = 0

    def reset(self) -> None:
        """Back to just after setup (products, terms, webhooks gone; keys kept); counters zeroed.

        What ``reset.sh`` would do, in a third of the time: see restore_sql.py."""
        self.sql_script(self._restore)
        self.access_log.write_bytes(b"")
        self._log_offset = 0
        self.images.reset_counts()

    def mark(self) -> None:
        """Count requests from now on (``requests()`` forgets what came before)."""
        self._settle_log()
        self._log_offset = self.access_log.stat().st_size

    def _logged_text(self) -> str:
        with self.access_log.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def _settle_log(self) -> None:
        """Wait until nginx has logged every request answered so far.

        nginx writes a request's line after sending the answer, so a client can be faster than the
        log; one nginx worker handles requests in order, so once a static file fetched now is logged,
        every request before it is too.
        """
        self._marks += 1
        token = f"woosync-log-mark={self._marks}"
        httpx.get(f"{self.url}/wp-includes/images/blank.gif?{token}", timeout=30)
        deadline = time.monotonic() + 10
        while token not in self._logged_text():
            assert time.monotonic() < deadline, "the store's access log stopped growing"
            time.sleep(0.02)

    def requests(self) -> list[LoggedRequest]:
        """The REST API requests (``/wp-json/...``) the store logged since the reset or ``mark()``.

        WordPress's own loopback requests (the Action Scheduler's ``admin-ajax.php``) are left out.
        """
        self._settle_log()
        text = self._logged_text()
        found = []
        for line in text.splitlines():
            match = LOG_LINE.search(line)
            if match and match["path"].startswith("/wp-json/"):
                params = {
                    name: value
                    for name, value in parse_qsl(match["query"] or "")
                    if not name.startswith("oauth_")
                }
                found.append(
                    LoggedRequest(match["method"], match["path"], int(match["status"]), params)
                )
        return found

    def write_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests() if r.method in WRITE_METHODS]

    def sql(self, query: str) -> str:
        """Run ``query`` in the store's MariaDB database; the tab-separated rows, no header."""
        result = run(
            ["mariadb", f"--socket={self.dir}/run/mysql.sock", "-uroot", "wp", "-N", "-e", query],
            timeout=60,
        )
        return result.stdout.strip()

    def sql_script(self, script: str) -> None:
        """Run the statements of ``script`` in the store's MariaDB database (as root)."""
        run(
            ["mariadb", f"--socket={self.dir}/run/mysql.sock", "-uroot", "wp"],
            timeout=120,
            input=script,
        )

    def media_count(self) -> int:
        """Attachments in the store's media library (the placeholder image included)."""
        return int(self.sql("SELECT COUNT(*) FROM wp_posts WHERE post_type = 'attachment'"))

    def api(self, *, read_only: bool = False, timeout: float = 120.0) -> httpx.Client:
        """A raw client for ``{url}/wp-json/wc/v3``, signed with OAuth 1.0a; nothing is retried."""
        key, secret = self.read_only_keys if read_only else self.keys
        return httpx.Client(base_url=self.url + API, auth=WooAuth(key, secret), timeout=timeout)

    def woo(self, *, read_only: bool = False) -> WooClient:
        key, secret = self.read_only_keys if read_only else self.keys
        return WooClient(self.url, key, secret, timeout=120.0)

    def woocommerce_csv(self) -> str:
        """The store's products as WooCommerce's own CSV exporter writes them (Products > Export,
        every type and the variations, meta data included), run in the store's PHP."""
        script = HERE / "woocommerce_export.php"
        host = self.url.removeprefix("http://")
        return run(["php", str(script), str(self.dir / "wordpress"), host], timeout=120).stdout

    def run_queue(self) -> str:
        """Run WooCommerce's queue once (webhook deliveries go out); its output."""
        return run([str(self.dir / "runqueue.sh")], timeout=120).stdout

    def stop(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([str(self.dir / "stop.sh")], capture_output=True, timeout=60)


def run(
    command: list[str], *, timeout: float, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input)
    if result.returncode != 0:
        raise RuntimeError(
            f"{command[0]} exited {result.returncode}: {result.stderr.strip() or result.stdout}"
        )
    return result


def setup_script() -> Path:
    """``WOOSYNC_REALSTORE_SETUP``, else ``shared/realstore/setup.sh`` beside the clone (CI) or
    beside a folder above it (a git worktree)."""
    if SETUP_OVERRIDE:
        return Path(SETUP_OVERRIDE)
    candidates = [folder / "shared" / "realstore" / "setup.sh" for folder in REPO.parents[:2]]
    return next((path for path in candidates if path.is_file()), candidates[0])


def reason_not_to_try(script: Path) -> str | None:
    """Why the store will not be set up here (None: try)."""
    if MODE == "skip":
        return "WOOSYNC_REALSTORE=skip"
    if not script.is_file():
        return f"{script} not found (set WOOSYNC_REALSTORE_SETUP)"
    if os.geteuid() != 0:
        return "setting up the store needs root"
    if MODE == "require":
        return None  # setup.sh installs missing packages
    missing = [name for name in PACKAGES if shutil.which(name) is None]
    if missing:
        return (
            f"{', '.join(missing)} not installed (WOOSYNC_REALSTORE=require lets setup.sh install "
            "the Debian packages)"
        )
    return None


MEMORY_DISK = Path("/dev/shm")
# a container's /dev/shm is often 64 MB: too small for the databases (and the store's MariaDB)
MEMORY_DISK_NEEDS = 1 << 30


def store_parent() -> str | None:
    """Where the store's directory goes: the tmpfs at /dev/shm where there is one (MariaDB syncs
    its files at every commit, and WooCommerce commits several times per request: on a real disk
    setup takes twice as long and each reset, which reloads the dump, up to seconds), else the
    system's temporary folder. Both are traversable by the ``mysql`` and ``www-data`` users."""
    if (
        MEMORY_DISK.is_dir()
        and os.access(MEMORY_DISK, os.W_OK | os.X_OK)
        and shutil.disk_usage(MEMORY_DISK).free >= MEMORY_DISK_NEEDS
    ):
        return str(MEMORY_DISK)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_report(directory: Path, output: str) -> str:
    parts = [output.strip()]
    for log in [*sorted((directory / "log").glob("*")), directory / "apt.log"]:
        if log.is_file() and log.stat().st_size:
            parts.append(f"--- {log}:\n" + log.read_text(errors="replace")[-4000:])
    return "\n".join(parts)


@dataclass
class Session:
    store: RealStore | None = None
    skip_reason: str | None = None
    failure: str | None = None
    failure_shown: bool = False


# woosync through its CLI ---------------------------------------------------------------------------
FIELDS = "name,sku,price,images"


def add_product(cli: Any, sku: str, *, price: str = "10.00", images: tuple[str, ...] = ()) -> int:
    """A local product added with ``woosync products add``; its id."""
    args = ["--json", "products", "add", "--sku", sku, "--name", f"Tee {sku}", "--price", price]
    for url in images:
        args += ["--image", url]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def export(cli: Any, *args: str) -> dict[str, Any]:
    """``woosync --json export ARGS --fields FIELDS``; the result, after checking it succeeded."""
    result = cli("--json", "export", *args, "--fields", FIELDS)
    assert result.exit_code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["failedCount"] == 0, data
    return data


def catalog_and_mapping(cli: Any, directory: Path, catalog: str, mapping: str) -> None:
    """Load the product file ``catalog`` (YAML) and apply the mapping file ``mapping``."""
    (directory / "catalog.yaml").write_text(catalog)
    (directory / "store.yaml").write_text(mapping)
    loaded = cli("products", "load", str(directory / "catalog.yaml"))
    assert loaded.exit_code == 0, loaded.stderr
    applied = cli("mappings", "apply", str(directory / "store.yaml"))
    assert applied.exit_code == 0, applied.stderr


def store_products_with_sku(
    store: RealStore, sku: str, status: str = "any"
) -> list[dict[str, Any]]:
    with store.api() as api:
        answer = api.get("/products", params={"sku": sku, "status": status, "context": "edit"})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def woo_id(cli: Any, product_id: int) -> int:
    """The store product id woosync's sync record links ``product_id`` to."""
    result = cli("--json", "sync-status", "--product", str(product_id))
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)["records"]
    assert len(records) == 1, records
    return int(records[0]["wooProductId"])
