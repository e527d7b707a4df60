"""``woosync connections verify-webhook``: check a webhook delivery's signature (registered on
the ``connections`` group by :mod:`woosync.cli.connections`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from woosync.cli.connection_options import RefArg
from woosync.cli.context import JsonFlag, app_context
from woosync.core import terminal
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode


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
