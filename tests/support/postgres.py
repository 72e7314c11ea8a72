"""A throw-away PostgreSQL server, and one database per test on it."""

from __future__ import annotations

import glob
import logging
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.support.processes import free_ports, tail, wait_for

log = logging.getLogger(__name__)

SUPERUSER = "portal"
UNPRIVILEGED_USER = "postgres"
START_ATTEMPTS = 3
# A Unix socket path (dir + "/.s.PGSQL.NNNNN") must stay under ~107 bytes.
MAX_SOCKET_DIR = 80


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run here (no binaries, or root without a user to run as)."""


def _has_server(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))


def _version_key(bindir: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir))


def find_bindir() -> Path:
    """The directory of initdb/pg_ctl/postgres: pg_config's, Debian's, or PATH's."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        # libpq-dev's pg_config names a bindir even when no server is installed.
        if result.returncode == 0 and _has_server(Path(result.stdout.strip())):
            return Path(result.stdout.strip())
    for candidate in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True
    ):
        if _has_server(Path(candidate)):
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and _has_server(Path(initdb).parent):
        return Path(initdb).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found via "
        "pg_config, /usr/lib/postgresql/*/bin or PATH; install 'postgresql' or set "
        "PORTAL_TEST_POSTGRES to a server URL"
    )


class PostgresServer:
    """initdb + pg_ctl in a private directory, listening on 127.0.0.1 only.

    initdb and postgres refuse to run as root. Under root the server runs as the
    ``postgres`` user through ``runuser``, in a ``mkdtemp`` directory chown'd to
    it: pytest's own temporary directories are private to root (mode 0700), so
    the server cannot live there. Its log is copied to ``log_dir`` on stop.
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.bindir = find_bindir()
        self.run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam(UNPRIVILEGED_USER)
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, and PostgreSQL refuses root: no "
                    f"'{UNPRIVILEGED_USER}' user exists to run it as (installing "
                    "the Debian 'postgresql' package creates one)"
                ) from None
            if shutil.which("runuser") is None:
                raise PostgresUnavailable("running as root and no 'runuser' found")
        self.port = 0
        self.runtime_dir: Path | None = None

    @property
    def data_dir(self) -> Path:
        assert self.runtime_dir is not None
        return self.runtime_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.runtime_dir is not None
        return self.runtime_dir / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}"

    def _make_runtime_dir(self) -> Path:
        parent = None
        if len(tempfile.gettempdir()) > MAX_SOCKET_DIR - 16:
            parent = "/tmp"
        path = Path(tempfile.mkdtemp(prefix="pg", dir=parent))
        if self.run_as is not None:
            os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)
        return path

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / tool), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
        return subprocess.run(
            command,
            cwd=self.runtime_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def _initdb(self) -> None:
        base = ["-D", str(self.data_dir), "-A", "trust", "-U", SUPERUSER]
        base += ["--no-sync", "-E", "UTF8"]
        errors = []
        for locale in ("C.UTF-8", "C"):
            result = self._run("initdb", *base, f"--locale={locale}")
            if result.returncode == 0:
                return
            errors.append(f"initdb --locale={locale}: {result.stderr.strip()}")
            shutil.rmtree(self.data_dir, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + "\n".join(errors))

    def _server_options(self) -> str:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.runtime_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            # Journey tests run several services, each with a connection pool.
            "max_connections": "200",
        }
        return " ".join(f"-c {name}={value}" for name, value in settings.items())

    def start(self) -> str:
        """initdb, start on a free port (retrying if it was taken), return the URL."""
        began = time.monotonic()
        self.runtime_dir = self._make_runtime_dir()
        self._initdb()
        initialised = time.monotonic()
        failures = []
        for attempt in range(1, START_ATTEMPTS + 1):
            (self.port,) = free_ports(1)
            result = self._run(
                "pg_ctl",
                *("-D", str(self.data_dir), "-l", str(self.log_file)),
                *("-w", "-t", "60", "-o", self._server_options(), "start"),
            )
            if result.returncode == 0:
                wait_for_server(self.url, timeout=30)
                log.info(
                    "postgresql ready on port %d in %.1f s (initdb %.1f s), dir %s",
                    self.port,
                    time.monotonic() - began,
                    initialised - began,
                    self.runtime_dir,
                )
                return self.url
            failures.append(
                f"attempt {attempt} on port {self.port}: {result.stderr.strip()}\n"
                f"{tail(self.log_file, 20)}"
            )
            log.warning("postgresql start failed: %s", failures[-1])
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop")
        raise RuntimeError("could not start PostgreSQL:\n" + "\n".join(failures))

    def stop(self) -> None:
        if self.runtime_dir is None:
            return
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"
        )
        if result.returncode != 0:
            log.warning("pg_ctl stop exited %d: %s", result.returncode, result.stderr)
        if self.log_file.exists():
            self.log_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_file, self.log_dir / "postgresql.log")
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
        self.runtime_dir = None


def admin_conninfo(base_url: str) -> str:
    """A libpq URI for the server's maintenance database, from a SQLAlchemy URL."""
    url = make_url(base_url)
    url = url.set(drivername="postgresql", database=url.database or "postgres")
    return url.render_as_string(hide_password=False)


def wait_for_server(base_url: str, timeout: float) -> None:
    def connects() -> bool:
        with psycopg.connect(admin_conninfo(base_url), connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)

    wait_for(
        connects,
        timeout,
        what=f"PostgreSQL at {make_url(base_url)!r}",
        ignore=(psycopg.OperationalError,),
    )


def create_database(base_url: str, name: str) -> str:
    """Create database ``name`` and return the SQLAlchemy URL that opens it."""
    with psycopg.connect(admin_conninfo(base_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(base_url).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_database(base_url: str, name: str) -> None:
    """Drop database ``name``, ending any session still connected to it."""
    with psycopg.connect(admin_conninfo(base_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
