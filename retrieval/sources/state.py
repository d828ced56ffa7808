"""Each source's last refresh outcome, in <state>/sources.json, so `citebot status` can show what a bot
process (or `citebot index --watch`) met: when a source was last read, the commit or page count it
gave, and the last error while it fails. Written atomically under a lock (several processes may refresh).

    {"handbook": {"last_success": "2026-05-01T09:30:00+00:00", "revision": "3f2c...", "pages": null,
                  "last_error": null, "last_error_at": null}}
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from filelock import FileLock

log = logging.getLogger(__name__)

STATE_FILE = "sources.json"


@dataclass(frozen=True)
class SourceState:
    """One source's last outcome: `last_success` ISO UTC of the last good read (None: never), with the
    `revision` (git commit) and `pages` (website) it gave; `last_error` one line while reading fails
    (cleared by the next success), and when it happened."""

    last_success: str | None = None
    revision: str | None = None
    pages: int | None = None
    last_error: str | None = None
    last_error_at: str | None = None


def state_path(state_dir: Path) -> Path:
    return Path(state_dir) / STATE_FILE


def source_states(state_dir: Path) -> dict[str, SourceState]:
    """Every source's last outcome by name; {} when nothing was recorded (or the file is unreadable)."""
    try:
        raw = json.loads(state_path(state_dir).read_text("utf-8"))
        return {name: SourceState(**entry) for name, entry in raw.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, AttributeError) as error:
        log.warning("ignoring %s: %s", state_path(state_dir), error.__class__.__name__)
        return {}


def record_success(state_dir: Path, name: str, at: str, revision: str | None, pages: int | None) -> None:
    """`name` was read at `at` (ISO UTC): its error, if any, is cleared."""
    _update(state_dir, name, lambda previous: SourceState(at, revision, pages))


def record_error(state_dir: Path, name: str, at: str, error: str) -> None:
    """Reading `name` failed at `at` with `error` (one line); its last success is kept."""
    _update(state_dir, name, lambda previous: replace(previous, last_error=error, last_error_at=at))


def _update(state_dir: Path, name: str, change: Callable[[SourceState], SourceState]) -> None:
    """Replace `name`'s state by `change(its state)`, under the file's lock."""
    path = state_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=30):
        states = source_states(state_dir)
        states[name] = change(states.get(name, SourceState()))
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps({k: asdict(v) for k, v in sorted(states.items())}, indent=1), "utf-8")
        os.replace(temporary, path)
