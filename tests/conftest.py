"""Shared fixtures: the corpus folder (skipped with a reason where it is absent); whether the browser is there."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """``../shared/corpus``; tests that need it skip where it is absent (it is never copied here)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


def require_browser(paths: Iterable[Path], environ: Mapping[str, str] = os.environ) -> None:
    """Skip when a browser file is missing, saying how to install it; under ``CI=true`` that is a failure."""
    missing = ", ".join(str(p) for p in paths if not p.exists())
    if missing and environ.get("CI") == "true":
        pytest.fail(f"CI=true but {missing} is missing (.ci/run installs chromium and chromium-driver)", pytrace=False)
    if missing:
        pytest.skip(f"{missing} is missing: `sudo make browser` installs Debian's chromium and chromium-driver")
