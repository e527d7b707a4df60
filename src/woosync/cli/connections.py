"""``woosync connections``: add, list, show, default, update, remove, test store connections, and
check a webhook delivery's signature (``verify-webhook``).

Secrets never have to go on the command line: they come from ``WOOSYNC_CONSUMER_KEY`` /
``WOOSYNC_CONSUMER_SECRET`` / ``WOOSYNC_WEBHOOK_SECRET``, from standard input
(``--secrets-from-stdin``: key, secret and optionally the webhook secret on separate lines), or
from a hidden prompt on a terminal. Without a terminal a missing secret is an error, never a hang.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import JsonFlag, YesFlag, app_context
from woosync.cli.option_groups import with_option_groups
from woosync.core import terminal
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

app = typer.Typer(
    help="Add, list, show, update, remove and test WooCommerce store connections.",
    no_args_is_help=True,
)

ENV_KEY = "WOOSYNC_CONSUMER_KEY"
ENV_SECRET = "WOOSYNC_CONSUMER_SECRET"
ENV_WEBHOOK = "WOOSYNC_WEBHOOK_SECRET"

RefArg = Annotated[str, typer.Argument(help="Connection id (or its exact name, or store URL).")]
NameOpt = Annotated[
    str | None, typer.Option("--name", help="The store's name.", show_default=False)
]
UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url", help="The store's address, e.g. https://shop.example.", show_default=False
    ),
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--consumer-key",
        help=f"Consumer key. Prefer ${ENV_KEY}, --secrets-from-stdin or the prompt.",
        show_default=False,
    ),
]
SecretOpt = Annotated[
    str | None,
    typer.Option(
        "--consumer-secret",
        help=f"Consumer secret. Prefer ${ENV_SECRET}, --secrets-from-stdin or the prompt.",
        show_default=False,
    ),
]
WebhookOpt = Annotated[
    str | None,
    typer.Option(
        "--webhook-secret",
        help=f"Webhook secret (optional). Prefer ${ENV_WEBHOOK} or --secrets-from-stdin.",
        show_default=False,
    ),
]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--secrets-from-stdin",
        help="Read the consumer key, consumer secret and (optional) webhook secret, one a line, "
        "from standard input.",
    ),
]
CaBundleOpt = Annotated[
    Path | None,
    typer.Option(
        "--ca-bundle",
        help="PEM file of CA certificates to trust for this store (staging certificates).",
        show_default=False,
    ),
]
InsecureOpt = Annotated[
    bool,
    typer.Option(
        "--insecure", help="Do not verify the store's TLS certificate (warns on every use)."
    ),
]


# option groups ----------------------------------------------------------------------------------
@dataclass
class CredentialOptions:
    """Where ``add``, ``update`` and ``test`` take a consumer key and secret from."""

    consumer_key: KeyOpt = None
    consumer_secret: SecretOpt = None
    secrets_from_stdin: StdinOpt = False

    def given(self) -> bool:
        return bool(self.consumer_key or self.consumer_secret or self.secrets_from_stdin)

    def webhook(self) -> str | None:
        return None


@dataclass
class SecretOptions(CredentialOptions):
    """The credential options plus the webhook secret (``add`` and ``update``)."""

    webhook_secret: WebhookOpt = None

    def webhook(self) -> str | None:
        return self.webhook_secret


@dataclass
class TlsOptions:
    """TLS settings for a new store address (``add`` and ``test --url``)."""

    ca_bundle: CaBundleOpt = None
    insecure: InsecureOpt = False

    def given(self) -> bool:
        return bool(self.ca_bundle or self.insecure)


# gathering secrets --------------------------------------------------------------------------------
@dataclass
class SecretInput:
    consumer_key: str | None = None
    consumer_secret: str | None = None
    webhook_secret: str | None = None


def _read_stdin_secrets(required: bool) -> SecretInput:
    lines = [line.strip() for line in sys.stdin.read().splitlines()]
    if required and (len(lines) < 2 or not lines[0] or not lines[1]):
        raise ValidationError(
            "--secrets-from-stdin expects the consumer key and the consumer secret on two lines",
            hint='e.g. printf \'%s\\n%s\\n\' "$KEY" "$SECRET" | woosync connections add ...',
        )
    padded = [*lines, "", "", ""]
    return SecretInput(padded[0] or None, padded[1] or None, padded[2] or None)


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def gather_secrets(
    output: Output,
    options: CredentialOptions,
    *,
    from_env: bool = True,
    prompt: bool = True,
    required: bool = True,
) -> SecretInput:
    """Secrets for add/update/test: options, then stdin, then environment, then a hidden prompt."""
    from woosync.core.logging import register_secret

    found = SecretInput(options.consumer_key, options.consumer_secret, options.webhook())
    if found.consumer_key or found.consumer_secret or found.webhook_secret:
        output.warn(
            "secrets given as options can end up in shell history and the process list; "
            f"prefer {ENV_KEY} / {ENV_SECRET} or --secrets-from-stdin"
        )
    if options.secrets_from_stdin:
        piped = _read_stdin_secrets(required)
        found.consumer_key = found.consumer_key or piped.consumer_key
        found.consumer_secret = found.consumer_secret or piped.consumer_secret
        found.webhook_secret = found.webhook_secret or piped.webhook_secret
    if from_env:
        found.consumer_key = found.consumer_key or _env(ENV_KEY)
        found.consumer_secret = found.consumer_secret or _env(ENV_SECRET)
        found.webhook_secret = found.webhook_secret or _env(ENV_WEBHOOK)
    for name, label, variable in (
        ("consumer_key", "Consumer key", ENV_KEY),
        ("consumer_secret", "Consumer secret", ENV_SECRET),
    ):
        if getattr(found, name) or not (required or prompt):
            continue
        if prompt and not options.secrets_from_stdin and terminal.stdin_is_terminal():
            value = typer.prompt(label, hide_input=True, err=True).strip()
            setattr(found, name, value or None)
            continue
        raise ValidationError(
            f"the {label.lower()} is missing and there is no terminal to ask for it",
            hint=f"set {variable}, or pipe the key and secret in with --secrets-from-stdin",
        )
    for value in (found.consumer_key, found.consumer_secret, found.webhook_secret):
        register_secret(value)
    return found


# rendering ----------------------------------------------------------------------------------------
def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _connections_table(output: Output, rows: list[dict[str, Any]]) -> Any:
    return output.table(
        ["ID", "Name", "URL", "Active", "Default", "Last synced", "Created"],
        [
            [
                row["id"],
                row["storeName"],
                row["storeUrl"],
                _yes_no(row["isActive"]),
                _yes_no(row["isDefault"]),
                row["lastSyncedAt"] or "never",
                row["createdAt"],
            ]
            for row in rows
        ],
    )


def _show_details(output: Output, details: dict[str, Any]) -> Any:
    verify = "OFF (insecure)" if not details["verifyTls"] else "on"
    rows = [
        ("ID", details["id"]),
        ("Name", details["storeName"]),
        ("URL", details["storeUrl"]),
        ("Active", _yes_no(details["isActive"])),
        ("Default", _yes_no(details["isDefault"])),
        ("TLS verification", verify),
        ("CA bundle", details["caBundle"] or "system / SSL_CERT_FILE"),
        ("Secrets from", details["secretsFrom"]),
        ("Last synced", details["lastSyncedAt"] or "never"),
        ("Created", details["createdAt"]),
        ("Updated", details["updatedAt"]),
    ]
    return output.table(["Field", "Value"], rows)


def _emit_connection(output: Output, data: dict[str, Any], details: dict[str, Any]) -> None:
    def human(console: Console) -> None:
        console.print(_show_details(output, details))

    output.emit(data, human=human)


def _details(store: Any, data: dict[str, Any]) -> dict[str, Any]:
    from woosync.services.connections import connection_settings, secrets_location

    return {**connection_settings(store, data["id"]), "secretsFrom": secrets_location(data["id"])}


# commands -----------------------------------------------------------------------------------------
@app.command("add")
@with_option_groups
def add_command(
    ctx: typer.Context,
    name: NameOpt = None,
    url: UrlOpt = None,
    default: Annotated[
        bool, typer.Option("--default", help="Make it the default connection.")
    ] = False,
    secret_options: SecretOptions = SecretOptions(),
    tls: TlsOptions = TlsOptions(),
    json_flag: JsonFlag = False,
) -> None:
    """Add a connection to a WooCommerce store (secrets go to the keyring, never the database)."""
    from woosync.services.connections import check_new_connection, create_connection

    state = app_context(ctx, json_flag)
    db = state.db()
    check_new_connection(db, name=name, url=url)  # fail before asking for secrets
    secrets = gather_secrets(state.output, secret_options)
    created = create_connection(
        db,
        name=name,
        url=url,
        consumer_key=secrets.consumer_key,
        consumer_secret=secrets.consumer_secret,
        webhook_secret=secrets.webhook_secret,
        is_default=default,
        verify_tls=not tls.insecure,
        ca_bundle=tls.ca_bundle,
    )
    state.output.success(f"added connection {created['id']} {created['storeName']!r}")
    _emit_connection(state.output, created, _details(db, created))


@app.command("list")
def list_command(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List connections: the default first, then newest first."""
    from woosync.services.connections import list_connections

    state = app_context(ctx, json_flag)
    rows = list_connections(state.db(create=False))

    def human(console: Console) -> None:
        if not rows:
            state.output.info("no connections yet: add one with 'woosync connections add'")
            return
        console.print(_connections_table(state.output, rows))

    state.output.emit(rows, human=human)


@app.command("show")
def show_command(ctx: typer.Context, ref: RefArg, json_flag: JsonFlag = False) -> None:
    """Show one connection (its TLS settings and where its secrets come from, never the secrets)."""
    from woosync.services.connections import get_connection_view

    state = app_context(ctx, json_flag)
    db = state.db(create=False)
    data = get_connection_view(db, ref)
    _emit_connection(state.output, data, _details(db, data))


@app.command("default")
def default_command(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Show the default connection (else the newest active one). Set it with 'update ID --default'."""
    from woosync.services.connections import get_default_connection

    state = app_context(ctx, json_flag)
    db = state.db(create=False)
    data = get_default_connection(db)
    _emit_connection(state.output, data, _details(db, data))


@app.command("update")
@with_option_groups
def update_command(
    ctx: typer.Context,
    ref: RefArg,
    name: NameOpt = None,
    url: UrlOpt = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Enable or disable it.", show_default=False),
    ] = None,
    default: Annotated[
        bool | None,
        typer.Option(
            "--default/--no-default",
            help="Make it (or stop it being) the default.",
            show_default=False,
        ),
    ] = None,
    secret_options: SecretOptions = SecretOptions(),
    clear_webhook_secret: Annotated[
        bool, typer.Option("--clear-webhook-secret", help="Forget the webhook secret.")
    ] = False,
    secrets_from_env: Annotated[
        bool,
        typer.Option(
            "--secrets-from-env",
            help=f"Take new secrets from ${ENV_KEY}, ${ENV_SECRET}, ${ENV_WEBHOOK}.",
        ),
    ] = False,
    prompt_secrets: Annotated[
        bool,
        typer.Option(
            "--prompt-secrets", help="Ask for a new consumer key and secret (hidden input)."
        ),
    ] = False,
    ca_bundle: CaBundleOpt = None,
    no_ca_bundle: Annotated[
        bool, typer.Option("--no-ca-bundle", help="Stop using a custom CA bundle.")
    ] = False,
    verify_tls: Annotated[
        bool | None,
        typer.Option(
            "--verify-tls/--insecure",
            help="Verify the store's TLS certificate (default) or not (warns on every use).",
            show_default=False,
        ),
    ] = None,
    move_to_new_store: Annotated[
        bool,
        typer.Option(
            "--move-to-new-store",
            help="With --url of a different store: drop the sync records, store ids and import "
            "bookmark of the old store (mappings stay); the next export creates or matches by SKU.",
        ),
    ] = False,
    same_store: Annotated[
        bool,
        typer.Option(
            "--same-store",
            help="With --url: the same store moved to this address; keep its sync records.",
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Change any field of a connection: name, URL, active, default, secrets, TLS settings.

    A --url of another store (not the same address re-spelled, nor http changed to https) is refused while the connection has sync records, since they hold the old store's product ids: add --move-to-new-store to start over with the new store, or --same-store if the same store only moved to the new address.
    """
    from woosync.secrets import check_writable
    from woosync.services.connections import update_connection

    state = app_context(ctx, json_flag)
    db = state.db()
    if prompt_secrets or secret_options.given():
        check_writable()  # fail before asking for secrets there would be no place to keep
    secrets = gather_secrets(
        state.output,
        secret_options,
        from_env=secrets_from_env,
        prompt=prompt_secrets,
        required=prompt_secrets,
    )
    updated = update_connection(
        db,
        ref,
        name=name,
        url=url,
        consumer_key=secrets.consumer_key,
        consumer_secret=secrets.consumer_secret,
        webhook_secret=secrets.webhook_secret,
        clear_webhook_secret=clear_webhook_secret,
        is_active=active,
        is_default=default,
        verify_tls=verify_tls,
        ca_bundle=ca_bundle,
        clear_ca_bundle=no_ca_bundle,
        move_to_new_store=move_to_new_store,
        same_store=same_store,
    )
    state.output.success(f"updated connection {updated['id']} {updated['storeName']!r}")
    _emit_connection(state.output, updated, _details(db, updated))


@app.command("remove")
def remove_command(
    ctx: typer.Context, ref: RefArg, yes: YesFlag = False, json_flag: JsonFlag = False
) -> None:
    """Remove a connection with its mappings, sync records and stored secrets."""
    from woosync.services.connections import delete_connection, get_connection_view

    state = app_context(ctx, json_flag)
    db = state.db()
    target = get_connection_view(db, ref)
    label = f"connection {target['id']} {target['storeName']!r} ({target['storeUrl']})"
    question = f"Remove {label} with its mappings, sync records and secrets?"
    confirm_removal(state.output, label, question, yes=yes)
    summary = delete_connection(db, target["id"])
    state.output.success(
        f"removed {label}: {summary['exportMappings']} export and "
        f"{summary['importMappings']} import mappings, {summary['syncRecords']} sync records"
    )
    if state.output.json_mode:
        state.output.emit(summary)


@app.command("test")
@with_option_groups
def test_command(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(help="Connection id, name or URL (default: the default connection)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Test this store address and secrets before saving them."),
    ] = None,
    credentials: CredentialOptions = CredentialOptions(),
    tls: TlsOptions = TlsOptions(),
    json_flag: JsonFlag = False,
) -> None:
    """Check that a store answers with these credentials; show WordPress/WooCommerce versions."""
    from woosync.services import connections as service
    from woosync.services.common import normalize_store_url

    state = app_context(ctx, json_flag)
    if url is not None and ref is not None:
        raise ValidationError("give a connection or --url, not both", hint="drop one of them")
    if url is None:
        if credentials.given() or tls.given():
            raise ValidationError(
                "secrets and TLS options of 'test' are for --url",
                hint="a saved connection uses its stored secrets and TLS settings",
            )
        result = service.test_saved_connection(state.db(create=False), ref)
    else:
        normalize_store_url(url)  # fail before asking for secrets
        secrets = gather_secrets(state.output, credentials)
        result = service.test_connection(
            url,
            secrets.consumer_key,
            secrets.consumer_secret,
            verify_tls=not tls.insecure,
            ca_bundle=tls.ca_bundle,
        )

    def human(console: Console) -> None:
        info = result["storeInfo"]
        console.print(
            state.output.table(
                ["Store name", "WordPress", "WooCommerce"],
                [[info["storeName"], info["wpVersion"] or "?", info["wooVersion"] or "?"]],
            )
        )

    if result["success"]:
        state.output.success(result["message"])
        for warning in result.get("warnings", []):
            state.output.warn(warning)
        state.output.emit(result, human=human)
        return
    if state.output.json_mode:
        state.output.emit(result)
    else:
        state.output.error(result["message"])
    raise typer.Exit(int(ExitCode.STORE))


def _read_body(path: Path | None) -> bytes:
    """The delivery's raw bytes, exactly as given: from ``path``, or standard input (``-`` / none)."""
    if path is None or str(path) == "-":
        if terminal.stdin_is_terminal():
            raise ValidationError(
                "no webhook body: standard input is a terminal",
                hint="pass --body FILE, or pipe the body in",
            )
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"cannot read the webhook body {str(path)!r}: {exc.strerror or exc}",
            hint="pass the file holding the delivery's exact request body",
        ) from exc


@app.command("verify-webhook")
def verify_webhook_command(
    ctx: typer.Context,
    ref: RefArg,
    signature: Annotated[
        str,
        typer.Option(
            "--signature",
            help="The delivery's X-WC-Webhook-Signature header value.",
            show_default=False,
        ),
    ],
    body: Annotated[
        Path | None,
        typer.Option(
            "--body",
            help="File with the delivery's raw request body (default: standard input).",
            show_default=False,
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Check a webhook delivery's signature against the connection's webhook secret; exit 1 on a mismatch.

    The body is read as raw bytes, never altered, and signed with the webhook secret from the secret chain (environment, keyring, file store; never a prompt). Prints "valid", or {"valid": true} with --json.
    """
    from woosync.services.webhooks import verify_webhook

    state = app_context(ctx, json_flag)
    raw = _read_body(body)
    valid = verify_webhook(state.db(create=False), ref, raw, signature)
    if not valid:
        if state.output.json_mode:
            state.output.emit({"valid": False})
        state.output.error("invalid signature")
        raise typer.Exit(int(ExitCode.FAILURE))
    state.output.emit(
        {"valid": True}, human=lambda console: console.print("valid", highlight=False)
    )
