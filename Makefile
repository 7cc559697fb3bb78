# SatuPintu: two commands for a new user.
#   make demo   - create .venv, install, migrate SQLite, load demo data, serve on http://127.0.0.1:8000
#   make test   - run the whole test suite (SQLite always; PostgreSQL when reachable)
#   make check  - ruff and mypy (CI runs it before the tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check install bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed
	$(BIN)/satupintu voice build || echo "Suara papan belum dibuat (lihat pesan di atas); papan memakai suara peramban atau memperingatkan 'Suara mati'."

demo: install
	$(BIN)/satupintu demo --serve --host 127.0.0.1 --port 8000

test: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

check: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python bench/catalogue_bench.py

clean:
	rm -rf $(VENV) satupintu.db satupintu.db-wal satupintu.db-shm .demo-password
