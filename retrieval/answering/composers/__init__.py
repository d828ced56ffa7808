"""Composers: each module implements `Composer` (retrieval/parts.py); the verifier checks every one."""
