"""The benchmark against the peer libraries (issue 9); run ``python -m bench.run``."""
