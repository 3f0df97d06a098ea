# publish: `make editions` and `make test` work as the first command on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEED := seeds/中苏关系.wiki
OUT := build

# Debian packages the project needs: CJK fonts, HarfBuzz's subsetter (WeasyPrint is about 10x
# slower without it), Pango for WeasyPrint, fontconfig's fc-match, poppler, mupdf and Java for
# tests, Latin faces for editions of articles in other languages (fonts-liberation2), and
# Chromium for the test that opens a batch's catalogue in a headless browser (Playwright).
APT_PACKAGES := fonts-noto-cjk fonts-liberation2 libharfbuzz-subset0 libpango-1.0-0 \
                libpangoft2-1.0-0 fontconfig poppler-utils mupdf-tools default-jre-headless \
                python3-venv chromium

.PHONY: setup system-packages editions handouts check test fuzz bench bench-batch bench-seed bench-shapes interop clean

setup: system-packages $(STAMP)

# Installs only what is missing; prints what to install where it cannot (no apt, not root).
system-packages:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  case $$pkg in \
	    default-jre-headless) command -v java >/dev/null 2>&1 && continue ;; \
	    python3-venv) $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 && continue ;; \
	    npm) command -v npm >/dev/null 2>&1 && continue ;; \
	  esac; \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "publish: missing system packages:$$missing"; \
	  echo "publish: this is not Debian/Ubuntu; install their equivalents, then run make again."; \
	  exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else \
	  echo "publish: missing system packages:$$missing"; \
	  echo "publish: run: sudo apt-get install -y$$missing   (then make again)"; \
	  exit 1; \
	fi; \
	echo "publish: installing$$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "publish: Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

editions: setup
	$(BIN)/publish build $(SEED) --out $(OUT)

# The seed's classroom handouts, both scripts: build/中苏关系.<script>.handout.pdf
handouts: setup
	$(BIN)/publish build $(SEED) --out $(OUT) --profile handout --format pdf

# The fast loop: the unit tests, without the end-to-end ones (marked e2e), one process a core
# (pytest-xdist). Under 30 s on two cores.
check: setup
	$(BIN)/python -m pytest -q -m "not e2e" -n auto

# Everything: the type check (every dispatcher on the node types is exhaustive) and the tests,
# the end-to-end ones included.
test: setup
	$(BIN)/python -m mypy publish
	$(BIN)/python -m pytest

# The long property-based run (a short one is part of make test).
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

# Speed and size, measured side by side (pandoc makes the bare HTML it is compared with).
bench: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES=pandoc
	$(BIN)/python tests/bench.py

# The EPUBs and PDFs in reading tools no one here wrote: DAISY Ace (npm, run in Debian's
# chromium: puppeteer downloads no browser of its own) and calibre (ebook-meta, ebook-convert
# to AZW3 and text). Not part of make test; see tests/interop.py for what fails it.
INTEROP := .interop
ACE := $(INTEROP)/node_modules/.bin/ace-puppeteer
interop: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="calibre chromium npm"
	test -x $(ACE) || { mkdir -p $(INTEROP) && cd $(INTEROP) && \
	  ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
	  npm install --no-audit --no-fund --prefix . '@daisy/ace@^1.4'; }
	PUPPETEER_EXECUTABLE_PATH=$$(command -v chromium) \
	  $(BIN)/python tests/interop.py --ace $(ACE) --out $(OUT)/interop

# The batch figure alone: a dump of corpus articles on the local pool and on a 2-worker
# Dask LocalCluster (articles a minute a core, the scheduler's overhead a task).
bench-batch: setup
	$(BIN)/python tests/bench.py --only batch

# The seed's editions against the bare render alone (the speed table of the README).
bench-seed: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES=pandoc
	$(BIN)/python tests/bench.py --only seed

# The size figures alone: each shape of the size rule (one line, notes, links, 100 KB headings,
# template calls) at 1 MB and 2 MB, seconds and peak memory per MB for each edition kind.
bench-shapes: setup
	$(BIN)/python tests/bench.py --only shapes

clean:
	rm -rf $(OUT)
