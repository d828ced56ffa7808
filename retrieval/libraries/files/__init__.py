"""The files library: a generation is a folder (layout.py) of passages, a FAISS vector index and a keyword index."""
