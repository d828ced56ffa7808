"""Benchmark scripts: retrieval quality (scifact) and speed (latency); figures in README.md."""
