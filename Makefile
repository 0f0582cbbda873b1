# Everything starts from a clean checkout: `make test` builds the venv, fetches the Kafka
# jars once into .cache/kafka-libs, and the tests start Kafka/PostgreSQL themselves.
PY ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

STAMP := $(VENV)/.installed

.PHONY: setup jars test run bench clean

setup: $(STAMP) jars

# Reinstall only when the dependency declarations change; the editable install picks up
# code changes by itself.
$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

jars: $(STAMP)
	$(VENV)/bin/postloan kafka jars

# pytest exits 5 when it collected nothing: a broken test path or collection, never a pass.
test: setup
	@$(VENV)/bin/python -m pytest -q -ra $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then \
		echo "make test: pytest collected no tests (exit 5); treating as failure" >&2; exit 1; \
	fi; exit $$status

run: setup
	$(VENV)/bin/postloan up

bench: setup
	$(VENV)/bin/python -m benchmarks $(BENCH_ARGS)

# Stop local servers first: deleting a running broker's or database's files crashes it
# mid-write and leaves orphan processes on the ports.
clean:
	@if [ -x $(VENV)/bin/postloan ]; then \
		$(VENV)/bin/postloan kafka stop || true; \
		$(VENV)/bin/postloan postgres stop || true; \
	fi
	rm -rf .data
