"""Import of the history of the first system (SPEC §15): a `mongoexport` read in streams, mapped collection by
collection in dependency order, written by source id (idempotent, restartable). See docs/import-v1.md."""
