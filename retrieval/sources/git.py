"""Git sources: a shallow clone in the state folder, fetched and checked out on refresh, with the git CLI.

The git CLI rather than a library: it is on every machine that has repositories, speaks every transport
and credential helper the user already set up, and a subprocess cannot leave half-written state in this
process. No hooks run (core.hooksPath points at nothing), nothing prompts (GIT_TERMINAL_PROMPT=0, ssh in
batch mode), LFS files are not downloaded; a failure raises GitError with git's own last line.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from retrieval.sources.base import hide_credentials

log = logging.getLogger(__name__)

GIT_TIMEOUT_SECONDS = 600  # one clone or fetch; a stuck remote is given up on
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


class GitError(Exception):
    """A git command failed; the message is one line (git's last error line, credentials hidden)."""


def is_remote(location: str) -> bool:
    """Whether `location` is a URL (https://, ssh://, file://, git@host:path) rather than a local path."""
    return bool(_REMOTE.match(location))


def origin(location: str) -> str:
    """What to clone: a URL as given; a local path made absolute (so a later fetch finds it)."""
    return location if is_remote(location) else str(Path(location).expanduser().resolve())


def checkout(location: str, branch: str | None, into: Path) -> str:
    """Make `into` a checkout of `branch` (None: the remote's default branch) of the repository at
    `location`, cloning it the first time and fetching it afterwards; the checked-out commit.

    A failed fetch leaves the previous checkout as it was; a failed first clone leaves nothing.
    Raises GitError (one line) when git fails or is not installed.
    """
    if (into / ".git").is_dir():
        _update(origin(location), branch, into)
    else:
        _clone(origin(location), branch, into)
    return revision(into)


def revision(checkout_dir: Path) -> str:
    """The commit checked out in `checkout_dir`."""
    return _git("rev-parse", "HEAD", cwd=checkout_dir).strip()


def _clone(url: str, branch: str | None, into: Path) -> None:
    """Clone into a temporary sibling, then move it into place: `into` is a whole checkout or absent."""
    staging = into.with_name(f".{into.name}.cloning")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    options = ["--depth", "1", "--no-tags", "--single-branch"] + (["--branch", branch] if branch else [])
    try:
        _git("clone", "--quiet", *options, "--", url, str(staging))
    except GitError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(into, ignore_errors=True)  # a folder that was no checkout (a clone cut short long ago)
    os.replace(staging, into)


def _update(url: str, branch: str | None, into: Path) -> None:
    """Fetch the branch's newest commit and check it out (a moved remote is followed)."""
    _git("remote", "set-url", "origin", url, cwd=into)
    _git("fetch", "--quiet", "--depth", "1", "--no-tags", "origin", branch or "HEAD", cwd=into)
    _git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=into)


def _git(*args: str, cwd: Path | None = None) -> str:
    """Run git with no hooks and no prompts; its stdout. GitError with git's last error line."""
    command = ["git", "-c", f"core.hooksPath={os.devnull}", "-c", "advice.detachedHead=false", *args]
    environment = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "LC_ALL": "C",
    }
    environment.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (git sources need the git command)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {_last_line(done.stderr) or f'exit {done.returncode}'}")
    return done.stdout


def _last_line(stderr: str) -> str:
    """git's most telling error line (the first `fatal:`/`error:` one: later ones are generic; else the
    last line), credentials hidden, no closing full stop."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = errors[0] if errors else (lines or [""])[-1]
    return hide_credentials(chosen).rstrip(".")
