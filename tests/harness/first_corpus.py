"""A new user's first corpus, as the trial tests write it to disk: a Markdown table of services, a CSV of
offices and a notebook with printed output. Shared by the renderer's tests (tests/retrieval/
test_answer_render.py) and the service-level ones (tests/bot/test_trial_rendering.py)."""

from __future__ import annotations

SERVICES = """# Services

The services listen on these ports.

| Service | Port | Protocol |
|---|---|---|
| metrics | 9102 | HTTP |
| admin console | 7000 | HTTPS |
"""

OFFICES = """City,Manager,Headcount,Opened
Berlin,Anna Schmidt,42,2015
Toronto,Liam Chen,31,2018
Lisbon,Sofia Costa,18,2021
"""

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Churn analysis"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["The churn rate in Q3 was computed below."]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "source": ["churn = lost / total\n", "print(round(churn, 3))"],
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["0.047\n"]}],
        },
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
