"""``woosync connections``: add, list, show, default, update, remove, test (in
:mod:`woosync.cli.connection_test`) store connections, and
check a webhook delivery's signature (``verify-webhook``, in :mod:`woosync.cli.webhooks`).

The options and where secrets come from: :mod:`woosync.cli.connection_options`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli import connection_test, webhooks
from woosync.cli.confirm import confirm_removal
from woosync.cli.connection_options import (
    ENV_KEY,
    ENV_SECRET,
    ENV_WEBHOOK,
    CaBundleOpt,
    NameOpt,
    RefArg,
    SecretOptions,
    TlsOptions,
    UrlOpt,
    gather_secrets,
)
from woosync.cli.context import AppContext, JsonFlag, YesFlag, app_context
from woosync.cli.formats import Column, Listing, ListOptions, list_format, show_listing
from woosync.cli.option_groups import with_option_groups
from woosync.core.timeutil import iso

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from woosync.cli.render import Output
    from woosync.db.quick_read import ConnectionDetails, ConnectionView

app = typer.Typer(
    help="Add, list, show, update, remove and test WooCommerce store connections.",
    no_args_is_help=True,
)


# rendering ----------------------------------------------------------------------------------------
def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _connection_listing(rows: list[ConnectionView]) -> Listing[ConnectionView]:
    from woosync.shapes.connections import connection_json

    columns: list[Column[ConnectionView]] = [
        Column("ID", "id", lambda row: row.id),
        Column("Name", "storeName", lambda row: row.store_name),
        Column("URL", "storeUrl", lambda row: row.store_url),
        Column("Active", "isActive", lambda row: row.is_active),
        Column("Default", "isDefault", lambda row: row.is_default),
        Column(
            "Last synced",
            "lastSyncedAt",
            lambda row: iso(row.last_synced_at),
            drop=2,
            human=lambda row: iso(row.last_synced_at) or "never",
        ),
        Column("Created", "createdAt", lambda row: iso(row.created_at), drop=1),
    ]
    return Listing(
        columns,
        rows,
        json_of=connection_json,
        id_of=lambda row: row.id,
        empty="no connections yet: add one with 'woosync connections add'",
        what="connections",
    )


def _details_table(output: Output, details: ConnectionDetails) -> RenderableType:
    view = details.connection
    rows = [
        ("ID", view.id),
        ("Name", view.store_name),
        ("URL", view.store_url),
        ("Active", _yes_no(view.is_active)),
        ("Default", _yes_no(view.is_default)),
        ("TLS verification", "on" if details.verify_tls else "OFF (insecure)"),
        ("CA bundle", details.ca_bundle or "system / SSL_CERT_FILE"),
        ("Secrets from", details.secrets_from),
        ("Last synced", iso(view.last_synced_at) or "never"),
        ("Created", iso(view.created_at)),
        ("Updated", iso(view.updated_at)),
    ]
    return output.table(["Field", "Value"], rows)


def _emit_connection(state: AppContext, view: ConnectionView) -> None:
    """The connection object on stdout under ``--json``, else its details as a table."""
    from woosync.shapes.connections import connection_json

    def human(console: Console) -> None:
        console.print(_details_table(state.output, _details(state, view)))

    state.output.emit(connection_json(view), human=human)


def _details(state: AppContext, view: ConnectionView) -> ConnectionDetails:
    """``connection_details``, read without SQLAlchemy when the database allows it."""
    quick = state.quick_read()
    tls = quick.tls(view.id) if quick is not None else None
    if tls is None:
        from woosync.services.connections.records import connection_details

        return connection_details(state.db(create=False), view.id)
    from woosync.db.quick_read import ConnectionDetails
    from woosync.secrets import secrets_location

    verify_tls, ca_bundle = tls
    return ConnectionDetails(view, verify_tls, ca_bundle, secrets_location(view.id))


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
    test: Annotated[
        bool,
        typer.Option(
            "--test",
            help="Test the store with these secrets first ('connections test'); nothing is "
            "added if it fails.",
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Add a connection to a WooCommerce store (secrets go to the keyring, never the database)."""
    from woosync.services.connections.records import check_new_connection, create_connection

    state = app_context(ctx, json_flag)
    db = state.db()
    check_new_connection(db, name=name, url=url)  # fail before asking for secrets
    secrets = gather_secrets(state.output, secret_options)
    if test:
        connection_test.test_before_adding(
            state, url, secrets.consumer_key, secrets.consumer_secret, tls
        )
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
    state.output.success(f"added connection {created.id} {created.store_name!r}")
    _emit_connection(state, created)


@app.command("list")
@with_option_groups
def list_command(ctx: typer.Context, listing: ListOptions = ListOptions()) -> None:
    """List connections: the default first, then newest first."""
    state, chosen = list_format(ctx, listing)
    quick = state.quick_read()  # the full path only when the database needs it
    if quick is not None:
        rows = quick.connections()
    else:
        from woosync.services.connections.records import list_connections

        rows = list_connections(state.db(create=False))
    show_listing(state.output, chosen, _connection_listing(rows))


@app.command("show")
def show_command(ctx: typer.Context, ref: RefArg, json_flag: JsonFlag = False) -> None:
    """Show one connection (its TLS settings and where its secrets come from, never the secrets)."""
    state = app_context(ctx, json_flag)
    quick = state.quick_read()
    view = quick.find(ref) if quick is not None else None
    if view is None:  # else the full path, which also says what is wrong
        from woosync.services.connections.records import get_connection_view

        view = get_connection_view(state.db(create=False), ref)
    _emit_connection(state, view)


@app.command("default")
def default_command(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Show the default connection (else the newest active one). Set it with 'update ID --default'."""
    state = app_context(ctx, json_flag)
    quick = state.quick_read()
    view = quick.default() if quick is not None else None
    if view is None:
        from woosync.services.connections.records import get_default_connection

        view = get_default_connection(state.db(create=False))
    _emit_connection(state, view)


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
    from woosync.services.connections.update import update_connection

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
    state.output.success(f"updated connection {updated.id} {updated.store_name!r}")
    _emit_connection(state, updated)


@app.command("remove")
def remove_command(
    ctx: typer.Context, ref: RefArg, yes: YesFlag = False, json_flag: JsonFlag = False
) -> None:
    """Remove a connection with its mappings, sync records and stored secrets."""
    from woosync.services.connections.records import delete_connection, get_connection_view
    from woosync.shapes.connections import removed_json

    state = app_context(ctx, json_flag)
    db = state.db()
    target = get_connection_view(db, ref)
    label = f"connection {target.id} {target.store_name!r} ({target.store_url})"
    question = f"Remove {label} with its mappings, sync records and secrets?"
    confirm_removal(state.output, label, question, yes=yes)
    removed = delete_connection(db, target.id)
    state.output.success(
        f"removed {label}: {removed.export_mappings} export and "
        f"{removed.import_mappings} import mappings, {removed.sync_records} sync records"
    )
    if state.output.json_mode:
        state.output.emit(removed_json(removed))


app.command("test")(with_option_groups(connection_test.test_command))
app.command("verify-webhook")(webhooks.verify_webhook_command)
