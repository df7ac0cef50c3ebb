# Zhongtai: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ZT := $(BIN)/zhongtai
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve worker test lint typecheck pytest browser messages bench clean

install: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(ZT) migrate --no-input -v 0
	$(ZT) demo
	$(ZT) collectstatic --no-input -v 0
	$(ZT) serve --host $(HOST) --port $(PORT)

serve: install
	$(ZT) serve --host $(HOST) --port $(PORT)

worker: install
	$(ZT) worker

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here);
# a CJK font lets the screenshots of the Chinese UI show real characters; GNU gettext
# lets the tests check that every string of the code is in the Chinese catalog; Dovecot
# is the real IMAP server the mail-polling tests start privately on loopback (its
# packaged service is never used: the tests run their own instance with their own config).
DOVECOT ?= /usr/sbin/dovecot
browser:
	@{ test -x $(CHROMIUM) && fc-list :lang=zh 2>/dev/null | grep -q . && command -v xgettext >/dev/null \
	  && test -x $(DOVECOT); } || { \
	  echo "Installing Debian's chromium, fonts-noto-cjk, gettext and dovecot-imapd for the tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk gettext dovecot-imapd >/dev/null; }

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy src

pytest: install browser
	$(ZT) makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

messages: install
	cd src/zhongtai && ../../$(ZT) makemessages -l zh_Hans --no-obsolete --no-location -i "static/*"
	cd src/zhongtai && ../../$(ZT) compilemessages -l zh_Hans

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache
