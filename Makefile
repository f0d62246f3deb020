# Two commands do everything on a fresh machine:
#   make        builds the website, the PDF and the EPUB from content/ into output/
#   make test   runs the whole test suite (lint, types, tests)
# Also: make check [STRICT=1], make site, make book (PDF + EPUB), make workspace, make bench,
# make upgrade (newer pinned packages in requirements.lock, then the tests).
# Each target bootstraps what it needs: a .venv with the project, the typeface, and for
# the tests the tools they drive; or stops with one line saying what to install.

SHELL := /bin/bash
.DEFAULT_GOAL := all
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CONTENT ?= content
OUT ?= output

# $(call need,TEST-COMMAND,DEBIAN-PACKAGES): run apt-get when root, else say what to install.
define need
	@if ! $(1) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(2) (Debian packages)…"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null; } \
	    || { echo "could not install $(2): install it with apt-get and run make again"; exit 1; }; \
	  else echo "missing: run  sudo apt-get install $(2)  and then make again"; exit 1; fi; \
	fi
endef

.PHONY: all site book pdf epub check new serve workspace publish messages test lint typecheck setup test-setup bench upgrade clean

all: setup
	$(BIN)/builder build --content $(CONTENT) --out $(OUT) all

site: setup
	$(BIN)/builder build --content $(CONTENT) --out $(OUT) site

book: setup
	$(BIN)/builder build --content $(CONTENT) --out $(OUT) pdf epub

check: setup
	$(BIN)/builder check --content $(CONTENT) $(if $(STRICT),--strict)

# make new TITLE="Tên mô hình"   (asks for the rest)
new: setup
	$(BIN)/builder new --content $(CONTENT) "$(TITLE)"

serve: setup
	$(BIN)/builder serve --content $(CONTENT) $(if $(PORT),--port $(PORT))

# make workspace [HOST=0.0.0.0] [PORT=8080]: the editorial workspace for an office (docs/workspace.md);
# the first account:  .venv/bin/builder workspace --content content add-user NAME --role truong-ban
workspace: setup
	$(BIN)/builder workspace --content $(CONTENT) $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# make publish TO=/var/www/dan-van-kheo   or   make publish BRANCH=gh-pages
publish: setup
	$(BIN)/builder publish --content $(CONTENT) --out $(OUT) $(if $(TO),--to $(TO)) $(if $(BRANCH),--branch $(BRANCH))

# Every test file on one worker (its fixtures built once), as many workers as cores.
test: setup test-setup lint typecheck
	$(BIN)/pytest -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check builder tests
	$(BIN)/ruff format --check builder tests

typecheck: $(STAMP)
	$(BIN)/mypy

setup: $(STAMP)
	$(call need,test -f /usr/share/fonts/truetype/charis/CharisSIL-BoldItalic.ttf,fonts-sil-charis)
	$(call need,/sbin/ldconfig -p | grep -q libpangoft2-1.0,libpango-1.0-0 libpangoft2-1.0-0)
	$(call need,/sbin/ldconfig -p | grep -q libharfbuzz-subset,libharfbuzz-subset0)
	$(call need,test -f /usr/share/color/icc/ghostscript/default_cmyk.icc,libgs-common)
	$(call need,command -v gs,ghostscript)

TOOLS := tests/tools/node_modules/.installed-stamp

test-setup: setup $(TOOLS)
	$(call need,command -v pdftoppm,poppler-utils)
	$(call need,command -v java,default-jre-headless)
	$(call need,test -x /usr/bin/chromium,chromium)
	$(call need,command -v soffice,libreoffice-writer-nogui libreoffice-draw-nogui)

# axe-core, vnu-jar and Lighthouse for the browser tests, from the npm registry.
$(TOOLS): tests/tools/package.json tests/tools/package-lock.json
	$(call need,command -v npm,nodejs npm)
	cd tests/tools && npm ci --ignore-scripts --no-fund --no-audit --loglevel=error
	@touch $@

# Every package is installed at the version and with the hashes in requirements.lock, so a
# fresh clone gets what the tests passed with; `make upgrade` is the one step that moves them.
$(STAMP): pyproject.toml requirements.lock
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Python 3.11 or newer is needed: install python3 (3.11+)"; exit 1; }
	@test -x $(BIN)/python || python3 -m venv $(VENV) \
	  || { echo "cannot create .venv: run  sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

# Newer versions of every package, pinned again with their hashes, then the whole test suite.
upgrade: $(STAMP)
	$(BIN)/pip-compile -q --upgrade --generate-hashes --allow-unsafe --strip-extras \
	  --extra dev --extra bench --no-emit-find-links --no-emit-index-url \
	  -o requirements.lock pyproject.toml
	$(MAKE) test

# After changing messages in builder/: collect them and merge into the Vietnamese catalogue,
# then translate what `make test` (tests/test_messages.py) reports as missing.
messages: setup
	mkdir -p .cache
	$(BIN)/pybabel extract -F builder/locale/babel.cfg -k N_ -k ngettext:1,2 \
	  --no-location --sort-output --project dan-van-kheo-builder -o .cache/builder.pot builder \
	  templates/workspace
	$(BIN)/pybabel update -i .cache/builder.pot -d builder/locale -D builder -l vi \
	  --no-fuzzy-matching --ignore-obsolete --width 100

# make bench [SIZES="100 1000"] [OUTPUTS="site epub"] [RUNS=1]: see docs/performance.md
# (only the full run, without these, rewrites the table there).
bench: setup
	$(call need,command -v pandoc,pandoc)
	$(call need,command -v hugo,hugo)
	$(BIN)/python -m tests.bench.run $(if $(SIZES)$(OUTPUTS)$(RUNS),,--write-doc) $(if $(SIZES),--sizes $(SIZES)) \
	  $(if $(OUTPUTS),--outputs $(OUTPUTS)) $(if $(RUNS),--runs $(RUNS))

clean:
	rm -rf $(OUT) .cache .pytest_cache .mypy_cache .ruff_cache
