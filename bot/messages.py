"""Every user-facing string, in one place (chat replies, CLI errors, console text)."""

from __future__ import annotations

ABSTAIN = "I couldn't find that in the sources."
ABSTAIN_SEE_ALSO = "The closest passages, in case they help:"
EMPTY_QUESTION = "Please ask a question, for example: how much did Microsoft invest?"
EMPTY_SOURCE_ID = "Give a source id (like `doc.txt#3`) or a few words to look up."
NO_DOCUMENTS = "The index holds no documents yet."
NO_HITS = "No passages match that."
FEEDBACK_THANKS_UP = "Thanks for the feedback!"
FEEDBACK_THANKS_DOWN = "Thanks, noted: we'll use this to improve the sources."
FEEDBACK_UNAVAILABLE = "Feedback isn't being recorded right now."
FEEDBACK_UNKNOWN_ANSWER = "I no longer have that answer on record, so the vote wasn't counted."
WORKING = "Looking through the sources…"
CONSOLE_WELCOME = "citebot: ask a question about {corpus}. /help lists commands, /quit leaves."
CONSOLE_BYE = "Bye."


def question_too_long(length: int, limit: int) -> str:
    return f"That question is {length:,} characters long; please keep it under {limit:,}."


def rebuild_hint(corpus: str, index: str) -> str:
    return f"Rebuild it with: citebot index --corpus {corpus} --index {index}"


def unknown_source(key: str, suggestions: list[str]) -> str:
    text = f"No source or passage called {key!r}."
    if suggestions:
        text += " Did you mean: " + ", ".join(suggestions) + "?"
    return text


def unknown_command(name: str, known: list[str]) -> str:
    return f"Unknown command /{name}. Try: " + ", ".join(f"/{k}" for k in known)


def apology(reference: str) -> str:
    return f"Sorry, something went wrong on my side. If it keeps happening, report reference {reference}."


def missing_env(path: str, variable: str) -> str:
    return f"{path}: environment variable {variable} is not set"


def index_built(files: int, passages: int, embedded: int, reused: int, removed: int, seconds: float) -> str:
    return (
        f"Indexed {files} documents ({passages} passages) in {seconds:.1f}s: "
        f"{embedded} re-embedded, {reused} unchanged, {removed} removed."
    )


def skipped_file(source: str, reason: str) -> str:
    return f"warning: skipped {source}: {reason}"


def eval_summary(passed: int, total: int) -> str:
    return f"score: {passed}/{total} passed ({passed / max(total, 1):.0%})"
