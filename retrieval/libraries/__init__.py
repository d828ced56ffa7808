"""Library backends: each module implements `Library` and `LibraryWriter` (retrieval/parts.py) for one store."""
