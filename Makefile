# Two commands on a fresh machine: `make serve` and `make test`. Only python3 (3.11+) and make are assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2

.PHONY: setup serve test browser lint rules bench clean soak fuzz

$(BIN)/normalizer: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench,dask]'
	# charset-normalizer (pulled in by schemathesis' requests) also installs a `normalizer` script: ours must win
	$(BIN)/pip install --quiet --no-deps --force-reinstall -e .
	touch $@

setup: $(BIN)/normalizer

# The service with the one gunicorn configuration (normalizer/web/gunicorn_config.py); HOST=0.0.0.0 to listen on every interface.
serve: setup
	$(BIN)/gunicorn -c python:normalizer.web.gunicorn_config --workers $(WORKERS) --bind $(or $(HOST),127.0.0.1):$(PORT)

# constraints.txt: every package the image installs, pinned, from a fresh venv (the Dockerfile installs with it).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet .
	{ echo '# pip freeze of a fresh venv after pip install . (make lock regenerates it)'; .lock-venv/bin/pip freeze --exclude normalizer; } > constraints.txt
	rm -rf .lock-venv

# The browser test's headless Chromium and its driver (Debian's packages, about 500 MB); `make test` never installs
# them and skips the browser test without them (under CI=true it fails instead).
browser:
	@test "$$(id -u)" = 0 || { echo "make browser: run it as root (sudo make browser): it installs Debian's chromium and chromium-driver with apt-get" >&2; exit 1; }
	@command -v apt-get >/dev/null || { echo "make browser: needs apt-get (Debian, Ubuntu); elsewhere install Chromium and chromedriver as /usr/bin/chromium and /usr/bin/chromedriver" >&2; exit 1; }
	apt-get update && apt-get install -y chromium chromium-driver

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

rules: setup
	$(BIN)/pip install --quiet -e '.[dev,rules]'
	$(BIN)/python tools/build_rules.py
	$(BIN)/python tools/build_gazetteer.py

# The benchmark against the peers (issue 9); BENCH_ARGS="--quick" for a 1 MB smoke run.
bench: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Issue 7: the library fuzzer (atheris) for FUZZ_SECONDS; findings, grown corpus and log in artifacts/fuzz/
# (exit 1 if it found anything); then every 10 MB hostile input and the 1 MB vs 4 MB timing.
FUZZ_SECONDS ?= 600
fuzz: setup
	$(BIN)/python tests/fuzz/fuzz_library.py --keep-going --findings artifacts/fuzz -max_total_time=$(FUZZ_SECONDS)
	NORMALIZER_HOSTILE_FULL=1 $(BIN)/python -m pytest tests/test_hostile.py -p no:cacheprovider

# Issue 7, the long robustness checks: schemathesis over /openapi.json (~6,000 cases), gunicorn under load,
# and kill -9 trials of `clean` (API_FUZZ_ARGS="--examples 1000", KILL_TRIALS=40 KILL_SEED=1,
# SOAK_ARGS="--duration 60 --clients 16 --burst-clients 64 --burst-duration 15")
KILL_TRIALS ?= 40
KILL_SEED ?= 1
soak: setup
	$(BIN)/python tests/soak/api_fuzz.py $(API_FUZZ_ARGS)
	$(BIN)/python tests/soak/http_soak.py $(SOAK_ARGS)
	$(BIN)/python tests/soak/kill_trials.py --trials $(KILL_TRIALS) --seed $(KILL_SEED)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
