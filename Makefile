# yunmao: two commands for a new user — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 3000
STAMP := $(VENV)/.installed

.PHONY: install run demo-data train lint test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## run: build the embedded demo data, train, register and promote the SMS and call models, then serve.
run: install
	$(BIN)/yunmao quickstart --port $(PORT)

## lint: style and bugs (ruff), dead code (vulture), the floors' import direction (import-linter).
lint: install
	$(BIN)/ruff check .
	$(BIN)/vulture
	$(BIN)/lint-imports

## test: lint, then the whole suite (tests needing ../shared/data or a system binary such as
## chromium or redis-server skip with a reason where it is absent; CI installs both and fails on such skips).
test: install lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data
