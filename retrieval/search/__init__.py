"""Hits for a question: the library's nearest and keyword results, fused, near-duplicates folded."""
