"""A throwaway PostgreSQL server for the tests, on a unix socket in a temporary folder.

Used by ``tests/conftest.py`` when ``CLAIMTRACK_TEST_PG_URL`` is not set, and by
``.ci/run``::

    python tests/pgserver.py start DIR   # prints the server's SQLAlchemy URL
    python tests/pgserver.py stop DIR

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user
(created by Debian's package). It listens on its unix socket (trusted) and on
127.0.0.1 at a free port (password required).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    """A TCP port nothing listens on now, for the server's loopback listener."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def url_for(base: Path, port: int, database: str = "postgres") -> str:
    return f"postgresql+psycopg://postgres@/{database}?host={base}&port={port}"


def start(base: Path) -> str:
    """Create and start a server in ``base``; return its URL."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl found)")
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    run = lambda argv: subprocess.run(  # noqa: E731
        _as_server_user(argv), check=True, capture_output=True, text=True
    )
    try:
        if not data.exists():
            # The unix socket trusts its users; TCP on loopback asks for a password, so
            # the tests can check what a refused password looks like.
            initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                      "--no-locale"]  # fmt: skip
            run(initdb)
        port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -k {base} -p {port} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w",
             "-o", options, "start"])  # fmt: skip
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"starting PostgreSQL failed: {exc.stderr or exc.stdout}") from None
    return url_for(base, port)


def stop(base: Path) -> None:
    bin_dir = find_bin_dir()
    if bin_dir is None or not (base / "data").exists():
        return
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "-w", "stop"]
        ),
        capture_output=True,
    )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: python tests/pgserver.py start|stop DIR")
    folder = Path(sys.argv[2]).absolute()
    if sys.argv[1] == "start":
        print(start(folder))
    else:
        stop(folder)
