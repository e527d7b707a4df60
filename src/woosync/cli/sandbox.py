"""``woosync sandbox serve``: run the built-in WooCommerce-compatible store on a local port."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.core.errors import ValidationError

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    help="Run the built-in sandbox store (a local WooCommerce-compatible REST API).",
    no_args_is_help=True,
)


WAKE_EVERY = 0.2  # seconds: how often the waiting main thread wakes to let a signal handler run


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and ``kill PID`` (SIGTERM) stop the server the same way, with the data
    file saved. Installed before anything is served, so a signal that comes once the URL is out
    is never lost; SIGINT is set even when the process was started with it ignored (a script's
    ``woosync sandbox serve &``), so Ctrl-C or ``kill -INT`` always stops it."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _wait_for_a_signal() -> None:
    """Sleep until a signal's KeyboardInterrupt. The wait wakes every ``WAKE_EVERY``: Python runs
    signal handlers only between bytecodes of the main thread, and a wait with no timeout is not
    interruptible on every platform."""
    never = threading.Event()
    while not never.wait(WAKE_EVERY):
        pass


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on (0 picks a free one).")
    ] = 8080,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", help="Added delay per request, in milliseconds.")
    ] = 0.0,
    per_item_ms: Annotated[
        float,
        typer.Option(
            "--per-item-ms",
            help="Server time per product written (each batch item too), in milliseconds; "
            "a real WooCommerce store spends about 16-33.",
        ),
    ] = 0.0,
    fail_rate: Annotated[
        float,
        typer.Option(
            "--fail-rate", help="Fraction of requests answered 500/502/503 (split evenly), 0..1."
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for faults and sample data.")] = 0,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="JSON file that keeps the store between runs.", show_default=False
        ),
    ] = None,
    products: Annotated[
        int, typer.Option("--products", help="Add this many sample products on start.")
    ] = 0,
    json_flag: JsonFlag = False,
) -> None:
    """Serve the sandbox store until Ctrl-C; prints its URL and a fresh API key pair."""
    state = app_context(ctx, json_flag)
    if not 0.0 <= fail_rate <= 1.0:
        raise ValidationError("--fail-rate must be between 0 and 1", hint="for example 0.05")
    if latency_ms < 0 or per_item_ms < 0 or products < 0 or not 0 <= port <= 65535:
        raise ValidationError(
            "--latency-ms, --per-item-ms, --products and --port cannot be negative"
        )
    _stop_on_signals()
    from woosync.sandbox import Faults, SandboxStore

    share = fail_rate / 3
    faults = Faults(
        latency_ms=latency_ms,
        per_item_ms=per_item_ms,
        error_rates={500: share, 502: share, 503: share} if fail_rate else {},
    )
    try:
        store = SandboxStore(seed=seed, faults=faults, data_file=data)
    except (OSError, ValueError) as exc:
        raise ValidationError(f"cannot read sandbox data file {data}: {exc}") from None
    with store:
        if products:
            store.seed_products(products)
        key, secret = store.create_key("read_write", description="woosync sandbox serve")
        try:
            serving = store.serve(host=host, port=port)
            url = serving.__enter__()
        except OSError as exc:
            raise ValidationError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
        try:
            result = {"url": url, "consumerKey": key, "consumerSecret": secret}

            def human(console: Console) -> None:
                console.print(f"url: {url}", highlight=False)
                console.print(f"consumer_key: {key}", highlight=False)
                console.print(f"consumer_secret: {secret}", highlight=False)

            state.output.emit(result, human=human)
            state.output.info(
                f"Sandbox store at {url} ({len(store.products)} products). Add it with:\n"
                f"  WOOSYNC_CONSUMER_KEY={key} WOOSYNC_CONSUMER_SECRET={secret} "
                f'woosync connections add --name "Sandbox" --url {url}\n'
                "Press Ctrl-C to stop."
            )
            _wait_for_a_signal()
        except KeyboardInterrupt:
            state.output.info("Sandbox store stopped.")
        finally:
            serving.__exit__(None, None, None)
