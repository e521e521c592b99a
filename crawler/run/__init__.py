"""Running audits: many systems, each in its own process (`runner`), in shards over several
machines (`shards`, `merge`), or as pytest tests (`pytest_plugin`)."""
