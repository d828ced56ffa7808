"""The PostgreSQL library: passages, pgvector vectors and keyword search in one database."""
