"""The options of ``woosync connections`` and where its secrets come from.

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
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.core import terminal
from woosync.core.errors import ValidationError

if TYPE_CHECKING:
    from woosync.cli.render import Output

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
