"""From hits to a cited answer: reading the question, follow-ups, composing, verifying, citation links."""
