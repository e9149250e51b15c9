"""On a Dask cluster: the same output, order and report as a local run."""

from __future__ import annotations

import pytest
from archive_fixtures import make_tree, pack, read_tree

from normalizer import cli, normalize_many
from normalizer.clean import clean
from normalizer.distributed import ClusterError, connect, normalize_many_dask

distributed = pytest.importorskip("distributed")

RUN_DEPENDENT = ("output", "seconds", "records_per_second")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


def test_normalize_many_on_the_cluster_matches_a_local_run(client, corpus):
    lines = (corpus / "wmt22-news-systems/system-outputs/generaltest2022.ru-en.hyp.Online-Y.en").read_text(
        encoding="utf-8").splitlines()[:600]
    remote = list(normalize_many_dask(lines, client, chunk_size=50))
    local = list(normalize_many(lines))
    assert [r.to_dict() for r in remote] == [r.to_dict() for r in local]


def test_clean_on_the_cluster_matches_a_local_run(tmp_path, client):
    src = pack(make_tree(tmp_path / "tree"), tmp_path / "src.tar.gz")
    local = clean(src, tmp_path / "local.tar.gz").to_dict()
    remote = clean(src, tmp_path / "remote.tar.gz", client=client).to_dict()
    assert read_tree(tmp_path / "remote.tar.gz") == read_tree(tmp_path / "local.tar.gz")
    assert {k: v for k, v in remote.items() if k not in RUN_DEPENDENT} == \
        {k: v for k, v in local.items() if k not in RUN_DEPENDENT}


def test_the_dask_option_of_the_command(tmp_path, cluster, capsys):
    tree = make_tree(tmp_path / "tree")
    code = cli.main(["clean", str(tree), "--out", str(tmp_path / "out"), "--dask", cluster.scheduler_address,
                     "--quiet"])
    assert code == 0
    assert read_tree(tmp_path / "out")["news/a.txt"].startswith(b"sappers from DPRK arrived in Kyiv")


def test_an_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(ClusterError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        connect("tcp://127.0.0.1:9", timeout=1)
