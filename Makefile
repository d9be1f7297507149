# Two commands do everything on a fresh machine:
#   make run    create .venv, install flowsim, run the Worcestershire baseline
#   make test   create .venv, install flowsim with test dependencies, run the suite
#   make app    create .venv, install flowsim with the app extra, serve the summit app
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
ARGS   ?=

.PHONY: run test test-fast lint format bench clean install install-test wheel schema-reference notebook install-app app

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-app: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[app]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-app: $(VENV)/.installed-app

run: install
	$(BIN)/flowsim run $(ARGS)

# The summit app on http://127.0.0.1:8501 (this machine only); e.g. ARGS="--port 8502".
app: install-app
	$(BIN)/flowsim app $(ARGS)

test: install-test
	$(PY) -m pytest -q $(ARGS)

test-fast: install-test
	$(PY) -m pytest -q -m "not slow" $(ARGS)

lint: install-test
	$(BIN)/ruff check flowsim tests benchmarks
	$(BIN)/ruff format --check flowsim tests benchmarks

format: install-test
	$(BIN)/ruff format flowsim tests benchmarks
	$(BIN)/ruff check --fix flowsim tests benchmarks

# Re-execute the summit notebook in place, so it is committed with its outputs.
notebook: install-test
	cd experiments && env -u MPLBACKEND ../$(PY) -c "import nbformat; from nbclient import NotebookClient; \
	nb = nbformat.read('summit.ipynb', as_version=4); \
	NotebookClient(nb, timeout=600, kernel_name='python3').execute(); \
	nbformat.write(nb, 'summit.ipynb')"

bench: install-test
	$(PY) benchmarks/bench_speed.py $(ARGS)

# A wheel with the packaged scenarios (flowsim.scenarios), in dist/
wheel: install-test
	$(PY) -m pip wheel --no-deps --no-build-isolation --quiet -w dist .

# The configuration reference as Markdown (every key, type, default, limits, meaning)
schema-reference: install
	$(BIN)/flowsim schema --format markdown

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
