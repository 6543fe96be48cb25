"""The support site at ``/embedded-connect/``: topics, articles and their revisions,
"Was this helpful?" feedback, full-text search (SQLite FTS5 or PostgreSQL), the content
loader, the pages, and the cache of rendered pages that serves anonymous visitors."""
