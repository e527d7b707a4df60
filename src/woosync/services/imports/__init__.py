"""The import pipeline: fetch -> map fields -> reconcile -> write -> bookmark (see ARCHITECTURE.md)."""
