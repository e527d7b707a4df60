"""The export pipeline: select -> plan -> match -> send -> book (see ARCHITECTURE.md)."""
