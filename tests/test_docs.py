"""Every command has help text and is mentioned in the README; the README's first commands stay true."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import Result

from woosync.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = "") -> list[tuple[str, str | None]]:
    import typer.main

    command = typer.main.get_command(group)
    found: list[tuple[str, str | None]] = []

    def walk(cmd: object, path: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{path} {name}".strip())
        else:
            found.append((path, getattr(cmd, "help", None)))

    walk(command, prefix)
    return found


def test_every_command_has_help() -> None:
    missing = [name for name, help_text in _commands(app) if not (help_text or "").strip()]
    assert missing == []


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name, _ in _commands(app) if f"woosync {name}" not in README]
    assert missing == []


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    lines = [
        line for line in first_block.group(1).splitlines() if line and not line.startswith("#")
    ]
    assert lines[0].endswith("woosync demo")
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci
    assert "pytest -n 2" in ci and "pytest -n 2" in README


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _readme_commands(*titles: str) -> list[list[str]]:
    """Every ``woosync ...`` line of the sections' sh blocks, as argv: continuations joined,
    comments dropped, ``[optional parts]`` left out, globs expanded (from the current directory)."""
    import glob
    import shlex

    commands: list[list[str]] = []
    for title in titles:
        for block in re.findall(r"```sh\n(.*?)```", _section(title), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = re.sub(r"\[[^\]]*\]", "", line)  # `list [--sku A,B]` -> `list`
                argv = shlex.split(words, comments=True)
                if argv[:1] != ["woosync"]:
                    continue
                expanded = [m for arg in argv[1:] for m in (sorted(glob.glob(arg)) or [arg])]
                commands.append(expanded)
    return commands


def test_the_readme_mapping_and_catalog_examples_run(cli, db_path, tmp_path, monkeypatch) -> None:
    import shutil

    from mapping_helpers import add_two_stores

    add_two_stores(db_path)  # "Main Retail Store" (1) and "Wholesale Store" (2), as the README
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands("Mappings and mapping files", "The product catalog")
    assert len(commands) >= 20
    for argv in commands:
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)


# The other sections run against sandbox stores on loopback ports. A README line that cannot run in a
# test is named here with the reason; the test fails if a listed line disappears from the README, and
# if a line is neither run nor listed.
SKIPPED = {
    "connections update 1 --prompt-secrets": "prompts for the secrets (hidden input)",
    "connections remove 1 ": "asks first; without a terminal it needs --yes",
    "connections verify-webhook": "needs a real delivery's body and signature (tests/test_webhooks.py)",
    "sandbox serve": "serves until Ctrl-C (the test serves SandboxStore() itself)",
    "export WOOSYNC_": "shell exports (cron.env, the rehearsal's key): the test sets its own",
    'R="woosync --db': "a shell variable: the test puts its value in place of $R",
}
# The crontab lines are in a ```crontab block, so never collected as lines; the import test runs the
# woosync command of each (after `. cron.env &&`), with its secrets from the test's environment.


def test_every_skipped_readme_line_is_still_in_the_readme() -> None:
    assert [line for line in SKIPPED if line not in README] == []


def _sh_lines(title: str) -> list[str]:
    """The command lines of a section's sh blocks: continuations joined, comment lines dropped."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", _section(title), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append(line)
    return lines


def _run_section(cli, title: str, replace: dict[str, str]) -> list[tuple[list[str], Result]]:
    """Run every line of the section (example URLs and ids replaced by real ones); each must exit 0."""
    section = _section(title)
    unused = [old for old in replace if old not in section]
    assert unused == [], f"{title}: the README no longer says {unused}"
    ran = []
    for line in _sh_lines(title):
        if any(skipped in line for skipped in SKIPPED):
            continue
        for old, new in replace.items():
            line = line.replace(old, new)
        argv = shlex.split(re.sub(r"\[[^\]]*\]", "", line), comments=True)
        assert argv[:1] == ["woosync"], f"{title}: neither run nor listed in SKIPPED: {line}"
        result = cli(*argv[1:])
        assert result.exit_code == 0, (argv, result.stdout, result.stderr)
        ran.append((argv[1:], result))
    return ran


@pytest.fixture
def readme_env(tmp_path, monkeypatch):
    """Two sandbox stores with sample products, the examples in the current directory and the API
    key in WOOSYNC_CONSUMER_KEY / _SECRET, as the README's sections assume."""
    import shutil

    from woosync.sandbox import SandboxStore

    retail, wholesale = SandboxStore(seed=1), SandboxStore(seed=2)
    retail.seed_products(3, prefix="RETAIL-")
    wholesale_ids = wholesale.seed_products(3, prefix="WHOLESALE-")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    retail_key = retail.create_key()
    monkeypatch.setenv("WOOSYNC_CONSUMER_KEY", retail_key[0])
    monkeypatch.setenv("WOOSYNC_CONSUMER_SECRET", retail_key[1])
    with retail.serve() as retail_url, wholesale.serve() as wholesale_url:
        yield {
            "retail": retail_url,
            "wholesale": wholesale_url,
            "wholesale_ids": wholesale_ids,
            "retail_key": retail_key,
            "wholesale_key": wholesale.create_key(),
        }


def _add(cli, env, store: str) -> None:
    """Add the README's "Main Retail Store" (the default) or "Wholesale Store" for a sandbox."""
    name, extra = (
        ("Main Retail Store", ["--default"]) if store == "retail" else ("Wholesale Store", [])
    )
    key, secret = env[f"{store}_key"]
    result = cli(
        "connections", "add", "--name", name, "--url", env[store], *extra,
        env={"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def _setup(cli, env) -> None:
    """As the sections assume: connection 1 "Main Retail Store" (the default), connection 2
    "Wholesale Store", the example catalog and both stores' mapping files."""
    _add(cli, env, "retail")
    _add(cli, env, "wholesale")
    for argv in (
        ("products", "load", "examples/catalog.yaml"),
        ("mappings", "apply", "examples/mappings/retail.yaml", "examples/mappings/wholesale.yaml"),
    ):
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)


def _output(ran, *argv: str) -> str:
    return next(result.stdout for args, result in ran if args == list(argv))


def test_the_readme_quick_start_runs(cli, readme_env) -> None:
    ran = _run_section(cli, "Quick start", {"https://retail.example.com": readme_env["retail"]})
    assert len(ran) == 5
    exported = _output(ran, "export", "--all", "--partial")
    assert "16 created, 0 updated, 0 unchanged, 0 skipped, 0 excluded, 0 conflicts, 0 failed" in (
        exported
    )


def test_the_readme_connection_examples_run(cli, readme_env) -> None:
    _add(cli, readme_env, "wholesale")  # connection 1, so the README's `add` makes connection 2
    ran = _run_section(
        cli,
        "Connections and secrets",
        {
            "https://retail.example.com": readme_env["retail"],
            "https://new-store.example": readme_env["retail"],  # the key is in the environment
        },
    )
    assert len(ran) == 8
    listing = _output(ran, "connections", "list")  # the default first, then newest first
    assert listing.index("Main Retail Store") < listing.index("Wholesale Store")
    for test in (["connections", "test"], ["connections", "test", "--url", readme_env["retail"]]):
        assert all(v in _output(ran, *test) for v in ("Sandbox Store", "7.0.4", "11.0.1"))


def test_the_readme_export_examples_run(cli, readme_env) -> None:
    _setup(cli, readme_env)
    ran = _run_section(
        cli,
        "Export",
        {
            "101,102,103": "1,2,3",
            "--product 101": "--product 1",
            "TEE-1,TEE-2": "MUG-CLASSIC,TEE-ORGANIC",
            "--sku TEE-1 --yes": "--sku TEE-ORGANIC --yes",
        },
    )
    assert len(ran) == 11
    verbose = _output(ran, "export", "--connection", "1", "--all", "--partial", "--verbose")
    assert verbose.count("\tunchanged\t") == 16  # a row per product and variation, none changed
    plan = _output(ran, "export", "--connection", "1", "--all", "--partial", "--dry-run")
    assert "0 to create, 0 to update, 16 unchanged" in plan


def test_the_readme_import_examples_run(cli, readme_env, tmp_path) -> None:
    _setup(cli, readme_env)  # the crontab's export needs the catalog and a mapping
    ids = ",".join(str(i) for i in readme_env["wholesale_ids"][:2])
    ran = _run_section(cli, "Import and cron", {"456,457": ids, "~/": f"{tmp_path}/"})
    assert len(ran) == 9
    assert "3 created" in _output(ran, "import")  # the default connection's three products
    assert "3 unchanged" in _output(ran, "import", "--update-existing", "--on-conflict", "store")
    assert "2 created" in _output(
        ran, "import", "--connection", "2", "--woo-id", ids, "--update-existing"
    )
    assert (tmp_path / "woosync-import.log").read_text()
    crontab = re.search(r"```crontab\n(.*?)```", _section("Import and cron"), re.S)
    assert crontab is not None
    lines = [line for line in crontab.group(1).splitlines() if line and not line.startswith("#")]
    settings = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))
    # the crontab names the data directory, the database and the secrets setting itself
    assert set(settings) == {"WOOSYNC_HOME", "WOOSYNC_DB", "WOOSYNC_SECRETS"}
    assert settings["WOOSYNC_DB"].startswith(settings["WOOSYNC_HOME"] + "/")
    jobs = [
        line.split(None, 5)[5]
        for line in lines
        if line not in [f"{k}={v}" for k, v in settings.items()]
    ]
    assert len(jobs) == 2
    commands = [command for job in jobs for command in job.split(" && ")]
    assert len(commands) == 3  # every 15 minutes an incremental import; nightly import && export
    home = os.environ["WOOSYNC_HOME"]  # the test's data directory stands in for the crontab's
    env = {
        **settings,
        "WOOSYNC_HOME": home,
        "WOOSYNC_DB": settings["WOOSYNC_DB"].replace(settings["WOOSYNC_HOME"], home),
    }
    (tmp_path / "woosync").mkdir()  # "make the log folder"
    for command in commands:
        argv = shlex.split(command)
        assert argv[0].startswith("/") and argv[0].endswith("/bin/woosync")  # an absolute path
        assert argv[argv.index("--connection") + 1] == "all"
        argv = [arg.replace("/home/you/", f"{tmp_path}/") for arg in argv]
        result = cli(*argv[1:], env=env)
        assert result.exit_code == 0 and result.stdout == "", (argv, result.stdout, result.stderr)
    assert (tmp_path / "woosync" / "import.log").read_text()
    assert (tmp_path / "woosync" / "export.log").read_text()
    assert "command -v woosync" in _section("Import and cron")


def test_the_readme_sync_status_examples_run(cli, readme_env) -> None:
    _setup(cli, readme_env)
    for connection in ("1", "2"):
        assert cli("export", "--connection", connection, "--all").exit_code == 0
    ran = _run_section(cli, "Sync status", {"--product 101": "--product 1"})
    assert len(ran) == 6
    assert "16 synced, 0 pending, 0 error (16 total)" in _output(ran, "sync-status")
    matrix = _output(ran, "sync-status", "--connection", "all").splitlines()
    assert matrix[0] == "Product\tSKU\tName\tMain Retail Store\tWholesale Store"
    assert matrix[1].startswith("1\tMUG-CLASSIC\t") and matrix[1].endswith("\tsynced\tsynced")
    by_sku = _output(ran, "sync-status", "--sku", "mug-classic,TEE-ORGANIC", "--format", "csv")
    assert [line.split(",")[1] for line in by_sku.splitlines()] == [
        "sku",
        "MUG-CLASSIC",
        "TEE-ORGANIC",
    ]
    assert (
        _output(ran, "sync-status", "--connection", "1", "--conflicts").strip() == "No conflicts."
    )
    record = json.loads(_output(ran, "sync-status", "--product", "1", "--json"))
    assert record["summary"] == {"synced": 1, "pending": 0, "error": 0, "total": 1, "excluded": 0}


def test_the_readme_output_format_examples_run(cli, readme_env) -> None:
    _setup(cli, readme_env)
    for connection in ("1", "2"):
        assert cli("export", "--connection", connection, "--all").exit_code == 0
    ran = _run_section(cli, "Output formats", {})
    assert len(ran) == 7
    csv_lines = _output(ran, "sync-status", "--connection", "all", "--format", "csv").splitlines()
    assert (
        csv_lines[0].startswith("productId,sku,name,") and len(csv_lines) == 17
    )  # 13 products, 3 variations
    assert _output(ran, "sync-status", "--status", "error", "--format", "count") == "0\n"
    assert json.loads(_output(ran, "sync-status", "--json"))["summary"]["synced"] == 16


def test_the_readme_sandbox_rehearsal_runs(cli, readme_env, tmp_path) -> None:
    rehearsal = f"{tmp_path}/rehearsal.db"
    ran = _run_section(
        cli,
        "The sandbox store",
        {"$R": f"woosync --db {rehearsal}", "http://127.0.0.1:8765": readme_env["retail"]},
    )
    assert len(ran) == 7
    again = _output(ran, "--db", rehearsal, "export", "--all", "--partial", "--dry-run")
    assert "0 to create, 0 to update, 16 unchanged" in again  # "now nothing is left to send"


def test_sandbox_serve_prints_what_the_readme_says(tmp_path) -> None:
    """`sandbox serve` is skipped above (it runs until Ctrl-C); here it runs in a child process."""
    from served_child import read_until_serving, served, stop

    for flag in ("--json", None):
        with served(
            tmp_path, "sandbox", "serve", "--port", "0", *([flag] if flag else [])
        ) as child:
            shown = read_until_serving(child)
            stdout, stderr = stop(child)
        assert child.returncode == 0, stderr
        assert "woosync connections add --name" in shown  # the line that uses the key
        if flag:
            assert list(json.loads(stdout)) == ["url", "consumerKey", "consumerSecret"]
        else:
            keys = [line.split(":")[0] for line in stdout.splitlines()]
            assert keys == ["url", "consumer_key", "consumer_secret"]


def test_the_readme_stores_you_already_run_runs(cli, readme_env) -> None:
    """The section's commands, in order, against two stores that hold the same products (the
    second one's pictures its own uploads of the same files, one price different): the second
    import shows that price as the one conflict, and the export after it uploads nothing."""
    from woosync.woo import WooClient

    stores = {"retail": readme_env["retail"], "wholesale": readme_env["wholesale"]}
    for store, url in stores.items():
        key, secret = readme_env[f"{store}_key"]
        with WooClient(url, key, secret, max_retries=0) as client:
            client.post("/products/batch", {"create": [
                {"sku": "MUG", "name": "Mug", "regular_price": "12.00" if store == "retail" else "13.00",
                 "images": [{"src": "https://pictures.example/mug.png"}]},
                {"sku": "BAG", "name": "Bag", "regular_price": "19.00",
                 "images": [{"src": "https://pictures.example/bag.png"}]},
            ]})  # fmt: skip
        _add(cli, readme_env, store)
        made = cli("export-mapping", "create", "1" if store == "retail" else "2",
                   "--fields", "name,sku,price,images")  # fmt: skip
        assert made.exit_code == 0, made.stderr
    ran = _run_section(cli, "Stores you already run", {})
    assert len(ran) == 5
    conflicts = _output(ran, "sync-status", "--connection", "2", "--conflicts")
    assert "MUG" in conflicts and "price" in conflicts and "BAG" not in conflicts
    planned = _output(ran, "export", "--connection", "all", "--all", "--partial", "--dry-run")
    assert "images" not in planned  # the second store's pictures: its copies, nothing to send
