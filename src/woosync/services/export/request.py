"""What an export is asked to do: one typed value, checked when it is made (the spec's *Export
products* request; ARCHITECTURE.md, operations table).

    ExportRequest(2, all_products=True, partial=True)              # what a cron job runs
    ExportRequest("Retail", skus=["MUG-1"], fields=["name", "sku", "price"])

:func:`~woosync.services.export.run.export_products` and its dry run
:func:`~woosync.services.export.dry_run.plan_export` both take one; how the caller listens (progress,
each product's result) and waits for the store's lock stay apart from it, so a shell builds the
request from its flags (the CLI) or its JSON body (the HTTP API of ``woosync serve``) and nothing
else. Bad values are a ``ValidationError`` naming the parameter (the CLI spells it as its flag),
raised before anything is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from woosync.core.errors import ValidationError, param
from woosync.services.export.select import Choice
from woosync.services.export.state import Options
from woosync.woo.api_limits import MAX_BATCH


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """An export's products, fields and settings (lists given are kept as tuples).

    Products: exactly one of ``product_ids``, ``skus``, ``all_products`` or ``retry_failed``
    (those whose sync record for this store is in error, or still pending after an interrupted
    run). Products kept out of this store (deleted there, excluded, or outside its ``products:``
    selection) are left out; ``include`` (with ``product_ids`` or ``skus``) lifts the deletes and
    exclusions of the products named, for good. Fields: ``fields``, else the connection's active
    export mapping (its field mappings apply either way); ``partial`` sends only what changed since
    the last export. ``concurrency`` batch requests in flight of at most ``batch_size`` products
    (a dry run reads in full batches); ``create_terms`` creates the categories, tags, attributes
    and terms the store lacks; ``restore_trashed`` restores and updates a trashed store product
    that holds a SKU; ``allow_empty`` names the fields an empty local value clears in the store.
    ``linked_only`` (Update product): a product not linked to the store is an error, never
    created. ``prune_variations`` deletes the store's variations the catalog lacks.
    """

    connection: int | str | None = None  # id, name or URL; None: the default connection
    product_ids: Sequence[int] = ()
    skus: Sequence[str] = ()
    all_products: bool = False
    retry_failed: bool = False
    fields: Sequence[str] | None = None
    partial: bool = False
    concurrency: int = 4
    batch_size: int = MAX_BATCH
    create_terms: bool = True
    restore_trashed: bool = False
    allow_empty: Sequence[str] = ()
    include: bool = False
    linked_only: bool = False
    prune_variations: bool = False

    def __post_init__(self) -> None:
        for name in ("product_ids", "skus", "allow_empty"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))
        if self.fields is not None:
            object.__setattr__(self, "fields", tuple(self.fields))
        if self.concurrency < 1:
            raise ValidationError(f"{param('concurrency')} must be at least 1")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValidationError(f"{param('batch_size')} must be between 1 and {MAX_BATCH}")
        choice = self.choice  # exactly one way of choosing the products
        if self.include and not choice.named:
            raise ValidationError(
                f"{param('include')} needs the products named with {param('product_ids')} or "
                f"{param('skus')}",
                hint=f"e.g. {param('skus')} MUG-1 with {param('include')}",
            )
        if self.linked_only and not choice.product_ids:
            raise ValidationError(
                f"{param('linked_only')} needs the products named with {param('product_ids')}"
            )

    @property
    def choice(self) -> Choice:
        """The products asked for (checked: exactly one way)."""
        return Choice.of(self.product_ids, self.skus, self.all_products, self.retry_failed)

    def options(self, *, dry_run: bool) -> Options:
        """How the run (or its dry run, which reads in full batches) exports."""
        batch_size = MAX_BATCH if dry_run else self.batch_size
        return Options(
            self.partial,
            dry_run,
            self.concurrency,
            batch_size,
            self.create_terms,
            self.restore_trashed,
        )


__all__ = ["ExportRequest"]
