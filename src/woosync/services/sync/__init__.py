"""What export and import share: targets, store values in local terms, fingerprints, echoes."""
