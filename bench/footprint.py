"""Fixed costs and memory: import time, rule compile time, peak RSS while streaming."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator


def import_seconds(repeat: int = 3) -> float:
    """Best cumulative ``import normalizer`` time in a fresh interpreter (``python -X importtime``)."""
    best = float("inf")
    for _ in range(repeat):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import normalizer"],
                             capture_output=True, text=True, check=True).stderr
        top = [line for line in err.splitlines() if line.rstrip().endswith("| normalizer")]
        best = min(best, int(top[-1].split("|")[1]) / 1e6)
    return best


def compile_seconds(repeat: int = 3) -> float:
    """Best time of ``load_ruleset()`` from scratch (reading, validating and compiling every rule file)."""
    from normalizer.ruleset import load_ruleset

    best = float("inf")
    for _ in range(repeat):
        load_ruleset.cache_clear()
        start = time.perf_counter()
        load_ruleset()
        best = min(best, time.perf_counter() - start)
    return best


def construct_seconds(profile: str = "default", repeat: int = 3) -> float:
    """Best time of ``Normalizer(profile)`` once the rules are compiled (its trigger pattern)."""
    from normalizer import Normalizer

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        Normalizer(profile)
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def streaming_rss_mb(lines: Iterable[str], megabytes: float) -> float:
    """Peak RSS (MB, ``VmHWM``) of the ``normalizer`` pipe filter fed ``megabytes`` of ``lines``, cycled, on stdin.

    The child reports its own high-water mark: ``ru_maxrss`` of a forked child would include this process.
    """
    proc = subprocess.Popen([sys.executable, "-c", _FILTER], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    with proc.stdin:
        for chunk in _cycled(list(lines), int(megabytes * 1e6)):
            proc.stdin.write(chunk)
    err = proc.stderr.read().decode()
    if proc.wait():
        raise RuntimeError(f"the normalizer filter exited with {proc.returncode}: {err}")
    return int(err.split()[-1]) / 1024


_FILTER = """import sys
from normalizer.cli import main
main(["-"])
sys.stderr.write(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
"""


def _cycled(lines: list[str], size: int) -> Iterator[bytes]:
    block = ("\n".join(lines) + "\n").encode("utf-8")
    sent = 0
    while sent < size:
        part = block[: size - sent]
        part = part[: part.rfind(b"\n") + 1] or block
        yield part
        sent += len(part)
