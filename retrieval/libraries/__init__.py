"""Libraries: where an index generation lives (the read and write sides of one storage backend)."""
