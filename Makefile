# dermasim — the two commands of the README (`make demo`, `make test`) work on a fresh
# Debian machine: they install what is missing (apt-get when root, a .venv with pip), build,
# then run. Everything else here is a building block of those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build/cpp
JOBS ?= $(shell nproc)
PY_DEPS := scikit-build-core pybind11 numpy pandas xarray h5py matplotlib pytest tqdm tomli-w SALib "dask[distributed]" pyvista pybind11-stubgen
BENCH_FILTER ?= .
BENCH_MIN_TIME ?= 0.2
# Smoke set for CI (≈ 50 s): the triad, every numerics benchmark at its smallest size (64³), the
# small injury/mechanics benchmarks and the 1D pipeline, each run 3× so the gate can take the
# best repetition. New benchmarks join by using n:64 names or by being added here.
BENCH_SMOKE_FILTER ?= BM_Triad|/n:64/|BM_BioFVMComparable/substrates:1/|BM_Rasterise/64$$|BM_SessionInjury|BM_PenetrateEvents|BM_RollerPattern|BM_Pipeline1D/threads:1
BENCH_SMOKE_ARGS = --benchmark_filter='$(BENCH_SMOKE_FILTER)' --benchmark_min_time=0.05 \
  --benchmark_repetitions=3 --benchmark_out_format=json

.PHONY: all deps venv cpp python demo test test-cpp test-python consumer bench bench-smoke bench-baseline validation clean

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
	@$(PY) tools/gen_stubs.py >/dev/null

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

# Healing-model validation figures vs the calibration data (docs/validation.md).
validation: python
	@$(PY) -m dermasim.validation docs/figures
	@$(PY) -m dermasim.validation_insertion docs/figures >/dev/null
	@$(PY) -m dermasim.validation_healing docs/figures >/dev/null

clean:
	rm -rf build $(VENV) demo_out bench_out

# Short benchmark run for CI, then the regression gate (benchmarks/compare.py: ratios to the
# in-run triad vs the committed benchmarks/baseline.json, threshold documented there). Noise
# only slows runs down, so a failing first attempt is re-measured once and the best is kept.
bench-smoke: cpp
	@mkdir -p bench_out
	@$(BUILD)/benchmarks/dermasim_bench $(BENCH_SMOKE_ARGS) --benchmark_out=bench_out/smoke.json \
	  >bench_out/smoke.txt
	@if [ -f benchmarks/baseline.json ]; then \
	  $(PYTHON) benchmarks/compare.py benchmarks/baseline.json bench_out/smoke.json || { \
	    echo "bench-smoke: regression on the first attempt; re-measuring once"; \
	    $(BUILD)/benchmarks/dermasim_bench $(BENCH_SMOKE_ARGS) \
	      --benchmark_out=bench_out/smoke2.json >bench_out/smoke2.txt && \
	    $(PYTHON) benchmarks/compare.py benchmarks/baseline.json bench_out/smoke.json \
	      bench_out/smoke2.json; }; \
	else echo "bench-smoke: no benchmarks/baseline.json (make bench-baseline creates it)"; fi

# Deliberately regenerate the gate's baseline: the smoke set with its 3 repetitions (compare.py
# takes the best of them). Run it on a quiet machine and commit it with a note saying why (new
# benchmark, intended speed change, new reference machine).
bench-baseline: cpp
	@$(BUILD)/benchmarks/dermasim_bench $(BENCH_SMOKE_ARGS) --benchmark_out=benchmarks/baseline.json
	@echo "wrote benchmarks/baseline.json; commit it with a note on why it changed"
