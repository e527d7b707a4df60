"""The import pipeline: ``run`` (the orchestrator) -> ``fetch`` -> ``fields`` (map) ->
``match`` / ``reconcile`` -> ``write`` (+ ``syncs``, ``transaction``) -> ``bookmark``; results in
``results``, run state in ``state`` and ``seen``. See ARCHITECTURE.md, "The import pipeline"."""
