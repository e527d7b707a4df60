"""``woosync demo``: the whole job, narrated, against two sandbox stores in a throw-away directory.

The demo runs the real commands, in-process, exactly as a user would type them, so what it shows is
what woosync does. It never touches the user's database or keyring: ``WOOSYNC_HOME`` points at a
temporary directory for the duration, and secrets go to the opt-in file store there.
"""

from __future__ import annotations

import os
import shlex
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from woosync.core.errors import WoosyncError

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.sandbox import SandboxStore


class RootCommand(Protocol):
    """The root ``woosync`` command as the demo runs it (typer's click command; typer >= 0.20
    vendors click, so there is no ``click`` package to name)."""

    def main(self, *, args: list[str], prog_name: str, standalone_mode: bool) -> Any: ...


RETAIL = "Main Retail Store"
WHOLESALE = "Wholesale Store"
# Variables the demo sets for itself; whatever the user had is put back afterwards.
DEMO_ENV = (
    "WOOSYNC_HOME",
    "WOOSYNC_DB",
    "WOOSYNC_SECRETS",
    "WOOSYNC_CONCURRENCY",
    "WOOSYNC_FORMAT",
    "WOOSYNC_TIMEOUT",
    "LOG_LEVEL",
)
SECRET_ENV = ("WOOSYNC_CONSUMER_KEY", "WOOSYNC_CONSUMER_SECRET", "WOOSYNC_WEBHOOK_SECRET")


def examples_dir() -> Path:
    """The example files: shipped inside the wheel, or the repository's ``examples/``."""
    packaged = Path(__file__).resolve().parents[1] / "examples"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[3] / "examples"
    if repository.is_dir():
        return repository
    raise WoosyncError(
        "the example files are missing from this installation",
        hint="reinstall woosync (pip install --force-reinstall woosync)",
    )


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    names = set(DEMO_ENV) | set(SECRET_ENV) | set(values)
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Narrator:
    """Prints the story and runs each command as the user would type it."""

    def __init__(self, console: Console, examples: Path, command: RootCommand) -> None:
        self.console = console
        self.examples = examples
        self.steps = 0
        self._command = (
            command  # the root ``woosync`` command, passed in: demo never imports the app
        )

    def chapter(self, title: str, text: str) -> None:
        from rich.markdown import Markdown
        from rich.rule import Rule

        self.steps += 1
        self.console.print()
        self.console.print(Rule(f"[bold]{self.steps}. {title}", align="left"))
        self.console.print(Markdown(text))

    def note(self, text: str) -> None:
        from rich.markdown import Markdown

        self.console.print(Markdown(text))

    def run(self, *args: str, secrets: dict[str, str] | None = None, expect: int = 0) -> None:
        shown = " ".join(shlex.quote(self._shorten(arg)) for arg in args)
        prefix = " ".join(f"{name}=…" for name in secrets or {})
        self.console.print(f"[bold cyan]$[/] {prefix + ' ' if prefix else ''}woosync {shown}")
        os.environ.update(secrets or {})
        try:
            code = self._command.main(args=list(args), prog_name="woosync", standalone_mode=False)
        finally:
            for name in secrets or {}:
                os.environ.pop(name, None)
        if (code or 0) != expect:
            raise WoosyncError(f"the demo stopped: 'woosync {shown}' exited with {code}")

    def _shorten(self, arg: str) -> str:
        return arg.replace(str(self.examples), "examples")


def _start_store(stack: ExitStack, name: str, latency_ms: int) -> tuple[SandboxStore, str]:
    from woosync.sandbox import Faults, SandboxStore

    store = SandboxStore(seed=7, store_name=name, faults=Faults(latency_ms=latency_ms))
    url = stack.enter_context(store.serve(host="127.0.0.1", port=0))
    return store, url


def _manager_adds_products(store: SandboxStore) -> list[str]:
    """Products a shop manager created in the store itself, with global attributes."""
    existing = store.attributes  # the export already created pa_color
    material, size, color = (
        existing.get(slug) or store.create_attribute(name, slug)["id"]
        for name, slug in (("Material", "pa_material"), ("Size", "pa_size"), ("Color", "pa_color"))
    )
    added = [
        ("LAMP-RATTAN", "Rattan Pendant Lamp", "89.00", "Rattan", "Large", "Natural"),
        ("RUG-WOOL", "Hand-woven Wool Rug", "149.00", "Wool", "Medium", "Grey"),
    ]
    scarf = store.create_product(
        {
            "name": "Silk Scarf",
            "sku": "SCARF-SILK",
            "type": "variable",
            "attributes": [{"id": color, "options": ["Red", "Navy"], "variation": True}],
        }
    )
    for shade, price in (("Red", "39.00"), ("Navy", "42.00")):
        store.create_variation(
            scarf["id"],
            {
                "sku": f"SCARF-SILK-{shade.upper()}",
                "regular_price": price,
                "manage_stock": True,
                "stock_quantity": 4,
                "attributes": [{"id": color, "option": shade}],
            },
        )
    for sku, name, price, material_value, size_value, color_value in added:
        store.create_product(
            {
                "name": name,
                "sku": sku,
                "regular_price": price,
                "weight": "2.5",
                "description": f"{name}, added by the shop manager in WooCommerce.",
                "attributes": [
                    {"id": material, "options": [material_value], "visible": True},
                    {"id": size, "options": [size_value], "visible": True},
                    {"id": color, "options": [color_value], "visible": True},
                ],
            }
        )
    return [*(sku for sku, *_ in added), "SCARF-SILK"]


def run_demo(console: Console, command: RootCommand, *, latency_ms: int = 5) -> dict[str, Any]:
    """Run the whole story through ``command`` (the root ``woosync`` command); returns a few figures."""
    from rich.panel import Panel

    examples = examples_dir()
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="woosync-demo-") as home,
        _environment({"WOOSYNC_HOME": home}),
        ExitStack() as stack,
    ):
        from woosync.core import settings

        # the demo's own setting, as a user would keep it (`woosync config set secrets file`):
        # with the variable instead, every `connections add` would warn that later commands
        # need it
        settings.set_value("secrets", "file")
        say = Narrator(console, examples, command)
        console.print(
            Panel.fit(
                "[bold]woosync demo[/]: one local catalog, two WooCommerce stores.\n"
                f"Two sandbox stores run on this machine; everything lives in {home}\n"
                "and is deleted at the end. Your own database and keyring are not touched.",
                border_style="cyan",
            )
        )
        retail, retail_url = _start_store(stack, RETAIL, latency_ms)
        wholesale, wholesale_url = _start_store(stack, WHOLESALE, latency_ms)
        retail_key, retail_secret = retail.create_key("read_write", "woosync demo")
        wholesale_key, wholesale_secret = wholesale.create_key("read_write", "woosync demo")

        say.chapter(
            "Load the local catalog",
            "The catalog is the source of truth: products with prices, a wholesale price, "
            "attributes such as `COLOR` and `Dimension`, categories and images. "
            "Loading upserts by SKU.",
        )
        say.run("products", "load", str(examples / "catalog.yaml"))

        say.chapter(
            "Connect two stores (spec use case 1)",
            f"A retail store at {retail_url} (the default) and a wholesale store at "
            f"{wholesale_url}. The keys come from the environment, so they never appear on a "
            "command line; woosync keeps them out of its database.",
        )
        say.run(
            "connections", "add", "--name", RETAIL, "--url", retail_url, "--default",
            secrets={"WOOSYNC_CONSUMER_KEY": retail_key, "WOOSYNC_CONSUMER_SECRET": retail_secret},
        )  # fmt: skip
        say.run(
            "connections", "add", "--name", WHOLESALE, "--url", wholesale_url,
            secrets={
                "WOOSYNC_CONSUMER_KEY": wholesale_key,
                "WOOSYNC_CONSUMER_SECRET": wholesale_secret,
            },
        )  # fmt: skip
        say.run("connections", "test")
        say.run("connections", "list")

        say.chapter(
            "Apply the mapping files",
            "Mappings live in YAML files in git. Retail sends `price` as `regular_price` and "
            "`COLOR` as the global attribute `pa_color`; wholesale sends `wholesalePrice` as "
            "`regular_price`. Applying twice changes nothing.",
        )
        mapping_files = [
            str(examples / "mappings" / name) for name in ("retail.yaml", "wholesale.yaml")
        ]
        say.run("mappings", "apply", *mapping_files)
        say.run("mappings", "apply", *mapping_files)

        say.chapter(
            "Export the same products to both stores",
            "Writes go through `/products/batch` in chunks, several in flight. Each store gets "
            "its own price field.",
        )
        say.run("export", "--all")
        say.run("export", "--connection", WHOLESALE, "--all")
        mug_retail = retail.find_sku("MUG-CLASSIC") or {}
        mug_wholesale = wholesale.find_sku("MUG-CLASSIC") or {}
        say.note(
            f"The Classic Ceramic Mug now costs **{mug_retail.get('regular_price')}** in the retail "
            f"store and **{mug_wholesale.get('regular_price')}** in the wholesale store."
        )

        say.chapter(
            "Change one price and send only what changed (spec use case 2)",
            "`--partial` compares each field with what was last sent to that store: the mug's "
            "price and the price of one variation of the tee are the only changes, so one small "
            "write goes out for the mug, one for that variation (nothing for the tee itself), and "
            "descriptions and images are left alone. `--dry-run` shows the plan first.",
        )
        say.run("products", "edit", str(_local_product_id("MUG-CLASSIC")), "--price", "13.90")
        say.run("products", "edit", "TEE-M-RED", "--price", "25.00")
        say.run("export", "--all", "--partial", "--dry-run")
        writes_before = _write_requests(retail)
        images_before = retail.stats.image_downloads
        say.run("export", "--all", "--partial")
        writes = _write_requests(retail) - writes_before
        say.note(
            f"The retail store received **{writes}** write request(s) (the mug in "
            f"`/products/batch`, the variation in `/products/{{id}}/variations/batch`) for "
            f"{len(retail.products)} products and downloaded "
            f"**{retail.stats.image_downloads - images_before}** images again."
        )

        say.chapter(
            "A price edited in the store is never overwritten unseen",
            "The shop manager puts the mug at 14.50 in the retail store, while the catalog "
            "moves it to 14.90. Before it writes, `--partial` reads the products it updates: "
            "the store changed that price since the last sync, so it is held as a conflict (the "
            "store keeps 14.50) until you decide; the import takes the store's side here.",
        )
        retail.update_product(int(mug_retail.get("id") or 0), {"regular_price": "14.50"})
        say.run("products", "edit", "MUG-CLASSIC", "--price", "14.90")
        say.run("export", "--all", "--partial", expect=0)
        say.run("sync-status", "--conflicts")
        say.run("import", "--update-existing", "--on-conflict", "store")
        held = (retail.find_sku("MUG-CLASSIC") or {}).get("regular_price")
        say.note(f"The retail store still sells the mug at **{held}**; the catalog took it.")

        say.chapter(
            "Import what the shop manager added (spec use case 3)",
            "Someone added two products directly in the retail store, with the global "
            "attributes `pa_material`, `pa_size` and `pa_color`, and a variable scarf in two "
            "colours. The import mapping turns them into local attributes and `regular_price` "
            "into `price`; the scarf comes in with its variations; products already linked "
            "are skipped.",
        )
        imported_skus = _manager_adds_products(retail)
        say.run("mappings", "apply", str(examples / "mappings" / "import.yaml"))
        say.run("import", "--connection", RETAIL)
        say.run("products", "show", "--sku", imported_skus[0])

        say.chapter(
            "Check the sync status",
            "Every product has one sync record per store: `synced`, `pending` or `error`.",
        )
        say.run("sync-status", "--connection", RETAIL)

        elapsed = time.perf_counter() - started
        console.print()
        console.print(
            Panel.fit(
                f"Done in {elapsed:.1f} s. Next: run `woosync sandbox serve` to rehearse your own "
                "mapping files, then add your real store with `woosync connections add`.",
                border_style="green",
            )
        )
        return {
            "retailProducts": len(retail.products),
            "wholesaleProducts": len(wholesale.products),
            "partialWrites": writes,
            "heldPrice": held,
            "importedSkus": imported_skus,
            "seconds": elapsed,
        }


def _write_requests(store: SandboxStore) -> int:
    return sum(store.stats.by_method[method] for method in ("POST", "PUT", "PATCH", "DELETE"))


def _local_product_id(sku: str) -> int:
    """The local id of a catalog product (the demo's database is the default one here)."""
    from woosync.core.paths import default_db_path
    from woosync.db.engine import open_database
    from woosync.services.catalog.commands import show_product

    db = open_database(default_db_path())
    try:
        return show_product(db, sku=sku).id
    finally:
        db.dispose()


def demo_command(
    ctx: typer.Context,
    latency_ms: Annotated[
        int, typer.Option("--latency-ms", min=0, help="Latency of each sandbox request.")
    ] = 5,
) -> None:
    """Run the whole job against two built-in sandbox stores, narrated (nothing of yours is touched)."""
    from rich.console import Console

    run_demo(Console(), ctx.find_root().command, latency_ms=latency_ms)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
