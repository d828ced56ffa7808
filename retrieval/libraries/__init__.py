"""Library backends: each package (files/, postgres/) implements `Library` and `LibraryWriter` (retrieval/parts.py) for one store, and owns that store."""
