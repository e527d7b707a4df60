"""``woosync connections test`` (a saved connection, or an address and secrets before saving them)
and ``connections add --test``: the store answers with these secrets, and which versions it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.connection_options import CredentialOptions, TlsOptions, gather_secrets
from woosync.cli.context import AppContext, JsonFlag, app_context
from woosync.core.errors import StoreError, ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console


def test_before_adding(
    state: AppContext, url: str | None, key: str | None, secret: str | None, tls: TlsOptions
) -> None:
    """``add --test``: the store answers with these secrets (its warnings said), else a
    StoreError and nothing is added."""
    from woosync.services.connections.probe import test_connection

    result = test_connection(url, key, secret, verify_tls=not tls.insecure, ca_bundle=tls.ca_bundle)
    if not result.success:
        raise StoreError(f"{result.message}; nothing was added", hint="fix it and add again")
    for warning in result.warnings:
        state.output.warn(warning)
    info = result.store_info
    if info is not None:
        state.output.info(
            f"store {info.store_name!r} answers (WordPress {info.wp_version or '?'}, "
            f"WooCommerce {info.woo_version or '?'})"
        )


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
    from woosync.core.store_urls import normalize_store_url
    from woosync.services.connections.probe import test_connection, test_saved_connection
    from woosync.shapes.connections import connection_test_json

    state = app_context(ctx, json_flag)
    if url is not None and ref is not None:
        raise ValidationError("give a connection or --url, not both", hint="drop one of them")
    if url is None:
        if credentials.given() or tls.given():
            raise ValidationError(
                "secrets and TLS options of 'test' are for --url",
                hint="a saved connection uses its stored secrets and TLS settings",
            )
        result = test_saved_connection(state.db(create=False), ref)
    else:
        normalize_store_url(url)  # fail before asking for secrets
        secrets = gather_secrets(state.output, credentials)
        result = test_connection(
            url,
            secrets.consumer_key,
            secrets.consumer_secret,
            verify_tls=not tls.insecure,
            ca_bundle=tls.ca_bundle,
        )

    info = result.store_info

    def human(console: Console) -> None:
        assert info is not None
        console.print(
            state.output.table(
                ["Store name", "WordPress", "WooCommerce"],
                [[info.store_name, info.wp_version or "?", info.woo_version or "?"]],
            )
        )

    if result.success:
        state.output.success(result.message)
        for warning in result.warnings:
            state.output.warn(warning)
        state.output.emit(connection_test_json(result), human=human)
        return
    if state.output.json_mode:
        state.output.emit(connection_test_json(result))
    else:
        state.output.error(result.message)
    raise typer.Exit(int(ExitCode.STORE))
