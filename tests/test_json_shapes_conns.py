"""The JSON of connections and mappings keeps the spec's keys in the spec's order: the typed
service results go through ``woosync.shapes`` and nothing may move (a script reads these)."""

from __future__ import annotations

from pathlib import Path

from mapping_helpers import add_two_stores, run_json

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "mappings"
CONNECTION_KEYS = [
    "id",
    "storeName",
    "storeUrl",
    "isActive",
    "isDefault",
    "lastSyncedAt",
    "createdAt",
    "updatedAt",
]
TAIL = ["fieldMappings", "isActive", "createdAt", "updatedAt"]


def test_connection_and_mapping_objects_keep_their_keys_in_order(cli, db_path) -> None:
    add_two_stores(db_path)
    listed = run_json(cli, "connections", "list")
    assert [list(item) for item in listed] == [CONNECTION_KEYS, CONNECTION_KEYS]
    assert list(run_json(cli, "connections", "show", "1")) == CONNECTION_KEYS
    exported = run_json(cli, "export-mapping", "create", "1", "--fields", "name,sku,price")
    assert list(exported) == ["id", "connectionId", "selectedFields", *TAIL]
    assert exported["selectedFields"] == ["name", "sku", "price"]
    imported = run_json(cli, "import-mapping", "create", "1", "--attr", "pa_color=color")
    assert list(imported) == ["id", "connectionId", "attributeMappings", *TAIL]
    assert run_json(cli, "import-mapping", "list", "1") == [imported]
    removed = run_json(cli, "connections", "remove", "1", "--yes")
    assert removed == {
        "id": 1,
        "storeName": "Main Retail Store",
        "storeUrl": removed["storeUrl"],
        "deleted": True,
        "exportMappings": 1,
        "importMappings": 1,
        "syncRecords": 0,
    }
    assert list(removed) == [
        "id",
        "storeName",
        "storeUrl",
        "deleted",
        "exportMappings",
        "importMappings",
        "syncRecords",
    ]


def test_apply_and_dump_results_keep_their_keys_in_order(cli, db_path, tmp_path) -> None:
    add_two_stores(db_path)
    changes = run_json(cli, "mappings", "apply", str(EXAMPLES / "wholesale.yaml"))
    assert [list(change) for change in changes] == [
        ["file", "store", "connectionId", "direction", "action", "mappingId", "changes"]
    ]
    assert changes[0]["changes"]["fieldMappings"] == {
        "from": None,
        "to": {"wholesalePrice": "regular_price"},
    }
    dumped = run_json(cli, "mappings", "dump")
    assert [list(item) for item in dumped] == [
        ["store", "storeName", "storeUrl", "connectionId", "export", "import", "products"]
    ]
    assert dumped[0]["import"] is None and dumped[0]["products"] is None
    assert list(dumped[0]["export"]) == ["selectedFields", "fieldMappings"]
    written = run_json(cli, "mappings", "dump", "--output", str(tmp_path / "out"))
    assert written == [
        {
            "file": str(tmp_path / "out" / "wholesale.yaml"),
            "action": "create",
            "stores": ["Wholesale Store"],
        }
    ]
