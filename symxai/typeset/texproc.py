"""Running TeX as a bounded, killable child.

:func:`run_bounded` starts a command through a small watchdog (``python -m
symxai.typeset.texproc``) that

* leads its own process group (a new session), so the command and every
  program it starts (latexmk starts pdflatex) can be killed at once;
* asks the kernel for SIGTERM when symxai dies (``prctl(PR_SET_PDEATHSIG)``),
  even by ``kill -9``, and then kills its whole group;
* sets resource limits inherited by the command and its children: CPU
  seconds, address space and the size of any file written
  (:data:`LIMITS`).

The command's terminal output is read as it comes but only a bounded head
and tail are kept (:data:`KEEP_BYTES` each), so a flood of output cannot
fill memory.

>>> code, out = run_bounded([sys.executable, "-c", "print('x' * 10)"], timeout=60)
>>> code, out.strip()
(0, 'xxxxxxxxxx')
"""

from __future__ import annotations

import collections
import ctypes
import os
import resource
import signal
import subprocess
import sys
import threading

# Per process of the TeX run: CPU seconds, bytes of address space, bytes per written file.
LIMITS = {"cpu_seconds": 120, "address_space": 2 << 30, "file_size": 256 << 20}
KEEP_BYTES = 64 << 10
_PR_SET_PDEATHSIG = 1


def _set_limits(limits: dict) -> None:
    for what, value in ((resource.RLIMIT_CPU, limits["cpu_seconds"]),
                        (resource.RLIMIT_AS, limits["address_space"]),
                        (resource.RLIMIT_FSIZE, limits["file_size"])):
        soft, hard = resource.getrlimit(what)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # CPU: SIGXCPU at the soft limit, SIGKILL a little later.
        hard_cap = cap + 5 if what == resource.RLIMIT_CPU and hard == resource.RLIM_INFINITY else cap
        resource.setrlimit(what, (cap, hard_cap))


def _die_with_parent(sig: int) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the timeout still bounds the run
        pass


def run_bounded(command: list[str], *, cwd=None, env=None, timeout: float = 120,
                limits: dict | None = None) -> tuple[int, str]:
    """Run ``command`` under the watchdog; (exit status, bounded terminal output).

    Raises :class:`subprocess.TimeoutExpired` after ``timeout`` seconds, once
    the whole process group is killed.
    """
    limits = dict(LIMITS, **(limits or {}))
    parent = os.getpid()
    watchdog = [sys.executable, "-S", "-c", "from symxai.typeset.texproc import _watchdog; _watchdog()",
                str(parent), *command]
    child_env = dict(env if env is not None else os.environ)
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child_env["PYTHONPATH"] = package_root + (os.pathsep + child_env["PYTHONPATH"]
                                              if child_env.get("PYTHONPATH") else "")

    def preexec():  # runs in the child between fork and exec
        _die_with_parent(signal.SIGTERM)
        _set_limits(limits)

    proc = subprocess.Popen(watchdog, cwd=cwd, env=child_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=preexec)
    head, tail = bytearray(), collections.deque()
    state = {"tail": 0}

    def reader():
        while True:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                return
            if len(head) < KEEP_BYTES:
                take = KEEP_BYTES - len(head)
                head.extend(chunk[:take])
                chunk = chunk[take:]
            if chunk:
                tail.append(chunk)
                state["tail"] += len(chunk)
                while state["tail"] - len(tail[0]) >= KEEP_BYTES:
                    state["tail"] -= len(tail.popleft())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc.wait(timeout=timeout)
    except BaseException:  # timeout, Ctrl-C: the watchdog is not reaped yet, so its group id is ours
        _kill_group(proc.pid)
        proc.wait()
        thread.join(5)
        raise
    thread.join(5)
    out = bytes(head)
    if tail:
        out += b"\n[... output cut ...]\n" + b"".join(tail)[-KEEP_BYTES:]
    return proc.returncode, out.decode("utf-8", errors="replace")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _watchdog() -> None:
    """Entry point of the watchdog process: argv = [parent pid, command...]."""
    parent, command = int(sys.argv[1]), sys.argv[2:]

    def stop(signum, frame):  # the parent died (PDEATHSIG) or asked us to stop
        os.killpg(0, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    if os.getppid() != parent:  # the parent died before PDEATHSIG was armed
        stop(None, None)
    child = subprocess.Popen(command)
    sys.exit(child.wait())


if __name__ == "__main__":
    _watchdog()
