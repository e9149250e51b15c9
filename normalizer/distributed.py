"""Normalising on an existing Dask cluster (``dask.distributed``), in input order, lazily.

Each worker compiles the rules once (the engine is cached per process) and cleans chunks of
texts; results come back in the order the texts went in, with a bounded number of chunks in flight.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .api import _get
from .batches import Config, Outcome, clean_chunk, ordered_map
from .errors import NormalizerError
from .model import Result


class ClusterError(NormalizerError):
    """The Dask scheduler cannot be reached or has no workers."""

    code = "no-cluster"


class DaskMissingError(NormalizerError):
    """Dask's ``distributed`` is not installed (it is the ``dask`` extra)."""

    code = "no-dask"

    def __init__(self) -> None:
        super().__init__("Dask is not installed (clean --dask needs it): pip install 'normalizer[dask]'")


def connect(address: str, timeout: float = 10.0):
    """A ``distributed.Client`` for the scheduler at ``address``; a clear error when it is not there."""
    try:
        from distributed import Client
    except ImportError:
        raise DaskMissingError() from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _submitter(client):
    def submit(fn, *args):
        return client.submit(fn, *args, pure=False)
    return submit


def _parallelism(client) -> int:
    return max(1, sum(client.nthreads().values()))


def _normalize_chunk(texts: list[str], profile: str, rules: tuple[str, ...], options: dict) -> list[Result]:
    engine = _get(profile, rules, options)
    return [engine.normalize(t) for t in texts]


def normalize_many_dask(texts: Iterable[str], client, profile: str = "default", *, rules: Iterable[str] = (),
                        chunk_size: int = 256, **options) -> Iterator[Result]:
    """``normalize_many`` on a Dask cluster: ``Result`` objects in input order, computed by the cluster's workers."""
    _get(profile, rules, options)  # a bad profile fails here, not on a worker
    yield from ordered_map(_submitter(client), _normalize_chunk, texts, chunk_size, 2 * _parallelism(client),
                           profile, tuple(map(str, rules)), options)


def clean_texts_dask(texts: Iterable[str], config: Config, client, chunk_size: int = 4096) -> Iterator[Outcome]:
    """``batches.clean_texts`` on a Dask cluster: the same outcomes, in the same order."""
    yield from ordered_map(_submitter(client), clean_chunk, texts, chunk_size, 2 * _parallelism(client), config)
