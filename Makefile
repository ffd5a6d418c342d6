# dermasim — the two commands of the README (`make demo`, `make test`) work on a fresh
# Debian machine: they install what is missing (apt-get when root, a .venv with pip), build,
# then run. Everything else here is a building block of those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build/cpp
JOBS ?= $(shell nproc)
PY_DEPS := scikit-build-core pybind11 numpy pandas xarray h5py matplotlib pytest tqdm tomli-w SALib "dask[distributed]"
BENCH_FILTER ?= .
BENCH_MIN_TIME ?= 0.2
BENCH_SMOKE_FILTER ?= .

.PHONY: all deps venv cpp python demo test test-cpp test-python consumer bench bench-smoke validation clean

all: cpp python

deps: build/.deps-ok
build/.deps-ok: tools/install_deps.sh
	@bash tools/install_deps.sh
	@mkdir -p build && touch $@

venv: $(VENV)/.ok
$(VENV)/.ok: pyproject.toml | deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q $(PY_DEPS)
	@touch $@

cpp: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DDERMASIM_BUILD_TESTS=ON \
	  -DDERMASIM_BUILD_BENCHMARKS=ON -DDERMASIM_BUILD_EXAMPLES=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

python: venv
	@$(PY) -m pip install -q --no-build-isolation .

demo: python
	@$(VENV)/bin/dermasim demo -o demo_out

test: test-cpp test-python consumer

test-cpp: cpp
	@cd $(BUILD) && ctest --output-on-failure -j 1

test-python: python
	@$(PY) -m pytest -q

# An external CMake project finds the installed package (find_package(dermasim)).
consumer: cpp
	@cmake --install $(BUILD) --prefix build/prefix >/dev/null
	@cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH=$(CURDIR)/build/prefix >/dev/null
	@cmake --build build/consumer >/dev/null
	@./build/consumer/consumer

bench: cpp
	@mkdir -p bench_out
	@$(BUILD)/benchmarks/dermasim_bench --benchmark_filter='$(BENCH_FILTER)' \
	  --benchmark_min_time=$(BENCH_MIN_TIME) --benchmark_out=bench_out/bench.json \
	  --benchmark_out_format=json

clean:
	rm -rf build $(VENV) demo_out bench_out

# Short benchmark run for CI: every benchmark once at the smallest size, then the regression
# gate against the committed baseline (benchmarks/baseline.json) when it exists.
bench-smoke: cpp
	@mkdir -p bench_out
	@$(BUILD)/benchmarks/dermasim_bench --benchmark_filter='$(BENCH_SMOKE_FILTER)' \
	  --benchmark_min_time=0.05 --benchmark_out=bench_out/smoke.json --benchmark_out_format=json
	@if [ -f benchmarks/compare.py ] && [ -f benchmarks/baseline.json ]; then \
	  $(PYTHON) benchmarks/compare.py benchmarks/baseline.json bench_out/smoke.json; fi
