"""``mappings dump -o DIR`` writes each store's mappings back to the file ``apply`` read them from and
never overwrites a file it did not write (or that was edited since) unless ``--force``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woosync.db.engine import open_database
from woosync.db.models import Connection

RETAIL = """# Retail: hand-written, comments and all
version: 1
store: Retail
export:
  selectedFields: [name, sku, price]   # what goes to the shop
  fieldMappings: {price: regular_price}
"""
EU = """version: 1
store: EU Store
export:
  selectedFields: [name, sku]
"""


@pytest.fixture
def shop(db_path: Path, tmp_path: Path) -> Path:
    """Two connections (the second's name slugs to ``eu-store``) and a hand-written mappings/."""
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Retail", store_url="https://retail.example"))
        session.add(Connection(store_name="EU Store", store_url="https://eu.example"))
    db.dispose()
    directory = tmp_path / "mappings"
    directory.mkdir()
    (directory / "retail.yaml").write_text(RETAIL)
    (directory / "eu.yaml").write_text(EU)
    return directory


def _dump(cli, directory: Path, *extra: str) -> Any:
    return cli("--json", "mappings", "dump", "-o", str(directory), *extra)


def _actions(result: Any) -> list[tuple[str, str]]:
    assert result.exit_code == 0, result.stderr
    return [(Path(entry["file"]).name, entry["action"]) for entry in json.loads(result.stdout)]


def _apply_all(cli, directory: Path) -> Any:
    return cli("mappings", "apply", *sorted(str(path) for path in directory.glob("*.yaml")))


def test_the_issue_reproduction_dump_then_apply_star(cli, shop: Path) -> None:
    assert _apply_all(cli, shop).exit_code == 0
    assert _actions(_dump(cli, shop)) == [("eu.yaml", "unchanged"), ("retail.yaml", "unchanged")]
    assert sorted(path.name for path in shop.iterdir()) == ["eu.yaml", "retail.yaml"]
    assert (shop / "retail.yaml").read_text() == RETAIL  # the hand-written file, comments kept
    again = _apply_all(cli, shop)  # mappings apply *.yaml: no duplicate
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == "no changes"


def test_a_changed_mapping_goes_back_to_its_file_only_with_force(cli, shop: Path) -> None:
    assert _apply_all(cli, shop).exit_code == 0
    changed = cli("export-mapping", "create", "EU Store", "--fields", "name,sku,description")
    assert changed.exit_code == 0, changed.stderr
    refused = _dump(cli, shop)
    assert refused.exit_code == 4
    assert f"not overwriting {shop / 'eu.yaml'}" in refused.stderr and "--force" in refused.stderr
    assert json.loads(refused.stdout)["error"]["code"] == "conflict"
    assert (shop / "eu.yaml").read_text() == EU
    assert sorted(path.name for path in shop.iterdir()) == ["eu.yaml", "retail.yaml"]

    forced = _dump(cli, shop, "--force")
    assert _actions(forced) == [("eu.yaml", "overwrite"), ("retail.yaml", "unchanged")]
    assert "description" in (shop / "eu.yaml").read_text()
    assert _apply_all(cli, shop).stdout.strip() == "no changes"

    # woosync wrote eu.yaml and nobody touched it since: the next dump may rewrite it
    assert cli("export-mapping", "create", "EU Store", "--fields", "name,sku,price").exit_code == 0
    assert _actions(_dump(cli, shop)) == [("eu.yaml", "rewrite"), ("retail.yaml", "unchanged")]
    # ... but not once someone edited it
    (shop / "eu.yaml").write_text((shop / "eu.yaml").read_text() + "# my note\n")
    assert cli("export-mapping", "create", "EU Store", "--fields", "name,sku").exit_code == 0
    assert _dump(cli, shop).exit_code == 4
    assert (shop / "eu.yaml").read_text().endswith("# my note\n")


def test_without_a_recorded_source_a_file_in_the_directory_naming_the_store_is_used(
    cli, shop: Path
) -> None:
    # mappings made on the command line (or before woosync recorded sources): eu.yaml holds EU
    # Store's export already, so the dump does not add eu-store.yaml beside it
    assert cli("export-mapping", "create", "EU Store", "--fields", "name,sku").exit_code == 0
    assert cli("export-mapping", "create", "Retail", "--fields", "name,sku").exit_code == 0
    result = _dump(cli, shop)
    assert result.exit_code == 4  # retail.yaml says something else and woosync did not write it
    assert f"not overwriting {shop / 'retail.yaml'}:" in result.stderr
    assert "eu.yaml" not in result.stderr.split("(")[0]
    only_eu = _dump(cli, shop, "-c", "EU Store")
    assert _actions(only_eu) == [("eu.yaml", "unchanged")]
    assert not (shop / "eu-store.yaml").exists()


def test_a_new_store_gets_its_own_file_and_a_foreign_file_is_never_overwritten(
    cli, tmp_path: Path, shop: Path
) -> None:
    elsewhere = tmp_path / "fresh"
    elsewhere.mkdir()
    (elsewhere / "eu-store.yaml").write_text("shopping list: [milk]\n")
    assert cli("export-mapping", "create", "EU Store", "--fields", "name,sku").exit_code == 0
    result = _dump(cli, elsewhere)
    assert result.exit_code == 4
    assert (elsewhere / "eu-store.yaml").read_text() == "shopping list: [milk]\n"
    (elsewhere / "eu-store.yaml").unlink()
    assert _actions(_dump(cli, elsewhere)) == [("eu-store.yaml", "create")]
    assert _actions(_dump(cli, elsewhere)) == [("eu-store.yaml", "unchanged")]
