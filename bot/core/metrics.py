"""Prometheus metrics for a running bot: questions, abstentions, errors, answer latency, index generation."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per bot process (tests make their own, so nothing is registered twice)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.questions = Counter(
            "citebot_questions", "Questions asked.", ["platform"], registry=self.registry
        )
        self.abstentions = Counter(
            "citebot_abstentions",
            "Questions the sources did not answer.",
            ["platform"],
            registry=self.registry,
        )
        self.errors = Counter(
            "citebot_errors", "Requests that failed with an apology.", ["command"], registry=self.registry
        )
        self.latency = Histogram(
            "citebot_answer_seconds",
            "Time to answer a question.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.generation = Gauge(
            "citebot_index_generation_info",
            "The index generation answering questions (value 1).",
            ["generation"],
            registry=self.registry,
        )
        self._generation: str | None = None

    def answered(self, platform: str, abstained: bool, seconds: float) -> None:
        self.questions.labels(platform).inc()
        if abstained:
            self.abstentions.labels(platform).inc()
        self.latency.observe(seconds)

    def set_generation(self, generation: str | None) -> None:
        """Point the info gauge at the live generation (the old label is removed)."""
        if generation == self._generation:
            return
        if self._generation is not None:
            self.generation.remove(self._generation)
        if generation is not None:
            self.generation.labels(generation).set(1)
        self._generation = generation

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
