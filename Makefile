# planscan: `make demo` sets everything up and ingests the bundled corpus; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := python3-venv tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-liberation2 fonts-dejavu-core
DEMO_SCANS := outputs/scans

.PHONY: setup system-deps demo test lint train clean

system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "planscan needs these system packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(BIN)/planscan: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[flows,dev]"
	@touch $@

setup: system-deps $(BIN)/planscan

demo: setup
	$(BIN)/planscan synth corpus/documents/*.txt -o $(DEMO_SCANS) --truth-dir outputs/truth --dpi 200
	$(BIN)/planscan ingest $(DEMO_SCANS) -o outputs

# Rebuild models/restorer (not needed to use planscan: the artefacts are committed). Needs hunspell-vi.
train: setup
	@dpkg -s hunspell-vi >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && apt-get install -y -qq hunspell-vi >/dev/null; } \
	  || { echo "run: sudo apt-get install -y hunspell-vi"; exit 1; }
	$(BIN)/planscan train restorer

lint: setup
	$(BIN)/ruff check pipeline flows tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
