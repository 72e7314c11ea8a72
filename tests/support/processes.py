"""Polling waits and Python subprocesses for tests that run services for real."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import IO, TypeVar

import httpx

log = logging.getLogger(__name__)

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 40


def wait_for(
    predicate: Callable[[], T | None],
    timeout: float,
    interval: float = 0.05,
    what: str = "condition",
    ignore: tuple[type[BaseException], ...] = (),
    on_timeout: Callable[[], str] | None = None,
    give_up: Callable[[], str | None] | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    Exceptions of the types in ``ignore`` count as "not yet"; the last one is
    reported on timeout. ``on_timeout`` may add context (e.g. a log tail) to the
    AssertionError raised when ``timeout`` seconds pass. ``give_up``, asked after
    each miss, ends the wait early with the reason it returns.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            result = predicate()
        except ignore as exc:
            last_error = exc
        else:
            if result:
                return result
        reason = give_up() if give_up is not None else None
        if reason is None and time.monotonic() >= deadline:
            reason = f"timed out after {timeout:g} s"
            if on_timeout is not None:
                reason += "\n" + on_timeout()
        if reason is not None:
            message = f"waiting for {what}: {reason}"
            if last_error is not None:
                message += f"\nlast error: {last_error!r}"
            raise AssertionError(message)
        time.sleep(interval)


def wait_for_http(
    url: str,
    timeout: float,
    interval: float = 0.05,
    what: str | None = None,
    on_timeout: Callable[[], str] | None = None,
    give_up: Callable[[], str | None] | None = None,
) -> httpx.Response:
    """Wait until a GET of ``url`` answers with a 2xx status; return the response.

    Proxy settings from the environment are ignored: the services are local.
    """

    def answered() -> httpx.Response | None:
        response = httpx.get(url, timeout=1.0, trust_env=False)
        return response if response.is_success else None

    return wait_for(
        answered,
        timeout,
        interval,
        what=what or f"HTTP 2xx from {url}",
        ignore=(httpx.TransportError,),
        on_timeout=on_timeout,
        give_up=give_up,
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports on 127.0.0.1 that the OS reports free right now."""
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            )
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a text file, or a note that it is missing."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return f"({path} does not exist)\n"


class PythonProcess:
    """``python -m module *args`` in its own session, output merged into a log.

    ``env`` is laid over the current environment. The process leads a new process
    group, so ``stop``/``kill`` also reach any workers it forks, and only them: the
    leader is not reaped before the group is signalled, so its id cannot have been
    reused by then.
    """

    def __init__(
        self,
        module: str,
        *args: str,
        env: Mapping[str, str] | None = None,
        log_path: Path,
        cwd: Path = REPO_ROOT,
    ) -> None:
        self.module = module
        self.args: Sequence[str] = args
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log_path = log_path
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def __repr__(self) -> str:
        return f"<PythonProcess {self.module} pid={self.pid} rc={self.returncode}>"

    def start(self) -> PythonProcess:
        if self._popen is not None:
            raise RuntimeError(f"{self.module} was already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log_path.open("ab")
        self._popen = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.info("started %s (pid %d), log %s", self.module, self.pid, self.log_path)
        return self

    @property
    def popen(self) -> subprocess.Popen[bytes]:
        if self._popen is None:
            raise RuntimeError(f"{self.module} has not been started")
        return self._popen

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit code (negative: killed by that signal), None while running.

        Peeks without reaping (``WNOWAIT``), so the process stays a zombie, its
        group id stays reserved, and ``stop``/``kill`` can still signal the group.
        """
        if self._popen is None:
            return None
        if self._popen.returncode is not None:
            return self._popen.returncode
        info = os.waitid(
            os.P_PID, self._popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT
        )
        if info is None:
            return None
        if info.si_code == os.CLD_EXITED:
            return info.si_status
        return -info.si_status

    @property
    def running(self) -> bool:
        return self._popen is not None and self.returncode is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)

    def _describe(self) -> str:
        state = "running" if self.running else f"exited with {self.returncode}"
        return (
            f"{self.module} (pid {self.pid}) is {state}; "
            f"last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def _signal_group(self, signum: int) -> None:
        if self.popen.returncode is not None:
            return  # reaped: the group id may belong to someone else now
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM the process group, SIGKILL it after ``timeout``; the exit code."""
        if self.running:
            self._signal_group(signal.SIGTERM)
            try:
                wait_for(
                    lambda: not self.running,
                    timeout,
                    what=f"{self.module} to exit on SIGTERM",
                )
            except AssertionError:
                log.warning(
                    "%s ignored SIGTERM for %g s; killing", self.module, timeout
                )
        # Also ends any worker still in the group after the leader exited.
        self._signal_group(signal.SIGKILL)
        return self._finish()

    def kill(self) -> int:
        """SIGKILL the process group at once (a crash); the exit code."""
        self._signal_group(signal.SIGKILL)
        return self._finish()

    def _finish(self) -> int:
        returncode = self.popen.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        log.info("%s (pid %d) exited with %d", self.module, self.popen.pid, returncode)
        return returncode

    def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float,
        interval: float = 0.05,
        what: str = "condition",
        ignore: tuple[type[BaseException], ...] = (),
    ) -> T:
        """Like the module's ``wait_for``, but gives up as soon as the process exits.

        The predicate is asked first, so waiting for the process's own exit
        (``lambda: proc.returncode is not None``) works.
        """
        return wait_for(
            predicate,
            timeout,
            interval,
            what,
            ignore=ignore,
            on_timeout=self._describe,
            give_up=lambda: None if self.running else self._describe(),
        )

    def wait_for_http(self, url: str, timeout: float) -> httpx.Response:
        """Wait for a 2xx answer from ``url``; give up if the process exits."""
        return wait_for_http(
            url,
            timeout,
            on_timeout=self._describe,
            give_up=lambda: None if self.running else self._describe(),
        )
