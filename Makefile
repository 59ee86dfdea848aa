# ordertrack developer entry points. Every target installs what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv layer browser faketime synth dev demo test test-later test-unit test-infra test-e2e fuzz bench soak lint redrive webhook links clean

help:
	@echo "make dev    run ordertrack locally (moto + local runtime) on http://127.0.0.1:$${PORT:-3000}"
	@echo "make test   run every test (unit, integration, infra, e2e, browser, contract), then test-later"
	@echo "make test-later  the unit and integration suites with the clock 400 days ahead (libfaketime)"
	@echo "make demo   place an order against a fresh local stack and show what the customer got"
	@echo "make bench  run the benchmarks and print measured ratios (the soak included)"
	@echo "make soak   100 whole journeys under injected faults; fails on any loss or duplicate (JOURNEYS=N FAULTS=<spec> SEED=<n>)"
	@echo "make fuzz   a longer schemathesis run against a local stack (EXAMPLES=200 SEED=<n>)"
	@echo "make synth  synthesize the CloudFormation template into cdk.out/"
	@echo "make redrive  move dead letters back to their queue (ARGS=\"--dry-run --queue ReservationQueue --max N\")"
	@echo "make webhook PROVIDER=<name> FILE=<sample> [TRACKING=<number>]  post a carrier sample to make dev, re-signed and re-dated"
	@echo "make links ORDER=<order id>  the order's tracking, survey and preferences links on make dev"

# `[dev] <step> ...` then `[dev] <step> done in N s` around a command: $(1) step, $(2) what, $(3) command.
define timed
echo "[dev] $(1) $(2) ..."; started=$$(date +%s%N); \
	$(3) && tenths=$$(( ($$(date +%s%N) - started) / 100000000 )) && \
	echo "[dev] $(1) done in $$((tenths / 10)).$$((tenths % 10)) s"
endef

# The dependencies, with uv (pip-installed into the venv first): on the same requirements in fresh
# venvs it installs in 38 s where pip takes 236 s (cold caches, both). pip when uv cannot be had.
$(STAMP): requirements-dev.txt layers/requirements.txt
	@$(call timed,install   ,requirements-dev.txt into $(VENV) (a minute or two the first time),\
		{ test -x $(PY) || $(PYTHON) -m venv $(VENV); } && \
		{ test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv || true; } && \
		if test -x $(VENV)/bin/uv; then \
			$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt; \
		else \
			$(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet -r requirements-dev.txt; \
		fi)
	@touch $(STAMP)

venv: $(STAMP)

layer: $(STAMP)
	@$(call timed,layer     ,the dependencies layer (Lambda's arm64 wheels; reused when its recipe is unchanged),\
		$(PY) -m layers.build)

# Chromium, chromedriver and a Chinese font for tests/browser, from the distribution's own packages
# (Selenium is pointed at /usr/bin/chromedriver, so Selenium Manager never downloads a browser).
# Nothing happens when they are installed. apt-get runs directly as root, through sudo otherwise.
# Without apt-get this only warns: tests/browser then fails and says what is missing. Elsewhere,
# point ORDERTRACK_CHROMIUM and ORDERTRACK_CHROMEDRIVER at a Chromium and its matching driver.
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-microhei fontconfig
export ORDERTRACK_CHROMIUM ?= /usr/bin/chromium
export ORDERTRACK_CHROMEDRIVER ?= /usr/bin/chromedriver

# The end of `make browser` and `make faketime`: $(1) is the target, $(2) the Debian packages;
# apt-get runs directly as root, through sudo otherwise.
define apt_install
if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make $(1): installing $(2) needs root or sudo" >&2; exit 1; fi; \
	echo "make $(1): installing $(2) with apt-get (once)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2) >/dev/null
endef

browser:
	@if [ -x $(ORDERTRACK_CHROMIUM) ] && [ -x $(ORDERTRACK_CHROMEDRIVER) ] && fc-list ':lang=zh' 2>/dev/null | grep -q .; then \
		exit 0; \
	fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make browser: no apt-get here; install Chromium, chromedriver and a Chinese font" \
		     "($(ORDERTRACK_CHROMIUM), $(ORDERTRACK_CHROMEDRIVER); Debian: $(BROWSER_PACKAGES)) or tests/browser fails" >&2; \
		exit 0; \
	fi; \
	$(call apt_install,browser,$(BROWSER_PACKAGES))

# axe-core (npm, pinned in package.json/package-lock.json) for the accessibility check of tests/browser.
AXE_JS := node_modules/axe-core/axe.min.js
$(AXE_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(AXE_JS)

.PHONY: axe
axe: $(AXE_JS)

# libfaketime (Debian package `faketime`) for `make test-later`, installed like the browser above.
faketime:
	@if find /usr/lib -name libfaketimeMT.so.1 2>/dev/null | grep -q .; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make faketime: no apt-get here; install libfaketime or make test-later fails" >&2; exit 0; \
	fi; \
	$(call apt_install,faketime,faketime)

synth: layer
	$(PY) -m infra.synth

dev: layer
	@$(PY) -m infra.local

demo: layer
	$(PY) -m infra.local.demo

test: layer browser axe faketime
	$(PY) -m pytest -n 2 --dist loadgroup
	$(MAKE) --no-print-directory test-later

# The unit and integration suites again with the process clock 400 days ahead (libfaketime), so
# no test depends on today's date. These are the suites that touch time in-process; e2e, browser
# and contract tests run a local stack whose clock is real and whose tests date fixtures from it.
FAKE_DAYS ?= 400
test-later: layer faketime
	@lib=$$(find /usr/lib -name libfaketimeMT.so.1 2>/dev/null | head -1); \
	test -n "$$lib" || { echo "make test-later: libfaketime not found (Debian package faketime)" >&2; exit 1; }; \
	now=$$(date +%s); \
	LD_PRELOAD=$$lib FAKETIME="+$(FAKE_DAYS)d" $(PY) -c \
		"import sys, time; sys.exit(0 if time.time() > $$now + ($(FAKE_DAYS) - 1) * 86400 else 'libfaketime did not move the clock')" && \
	echo "make test-later: unit and integration suites with the clock $(FAKE_DAYS) days ahead" && \
	LD_PRELOAD=$$lib FAKETIME="+$(FAKE_DAYS)d" $(PY) -m pytest tests/unit tests/integration -n 2 -q -p no:cacheprovider

# The contract tests with more examples per operation and another seed than `make test` uses.
fuzz: layer
	ORDERTRACK_FUZZ_EXAMPLES=$${EXAMPLES:-200} ORDERTRACK_FUZZ_SEED=$${SEED:-$$RANDOM} \
		$(PY) -m pytest tests/contract -p no:cacheprovider -s

redrive: $(STAMP)
	$(PY) -m infra.redrive $(ARGS)

# A carrier sample (events/carriers/<provider>/, or any file of that shape) posted to the running
# `make dev` as the provider sends it now: addressed to TRACKING when given, re-dated when older than
# a day, signed with the local stack's webhook secret by the provider's own scheme.
# They talk to a running `make dev`, which installed what they need (.venv is made if missing).
webhook:
	@test -x $(PY) || $(MAKE) --no-print-directory venv
	@test -n "$(PROVIDER)" && test -n "$(FILE)" || { echo "usage: make webhook PROVIDER=<easypost|aftership|kuaidi100|17track|shippo|generic> FILE=<sample> [TRACKING=<number>]" >&2; exit 2; }
	@$(PY) -m infra.local.webhook "$(PROVIDER)" "$(FILE)" $(if $(TRACKING),--tracking-number "$(TRACKING)")

# The order's customer links on the running `make dev`, signed with its link key.
links:
	@test -x $(PY) || $(MAKE) --no-print-directory venv
	@test -n "$(ORDER)" || { echo "usage: make links ORDER=<order id>" >&2; exit 2; }
	@$(PY) -m infra.local.links "$(ORDER)"

bench: layer
	$(PY) -m benchmarks
	$(PY) -m benchmarks.console_pages
	$(PY) -m pytest -m slow -q -p no:cacheprovider
	$(MAKE) --no-print-directory soak

# Whole journeys with faults injected in the local stack (docs/local-runtime.md, Faults); prints
# the figures and exits non-zero on any loss or duplicate. Bounded: each phase may take TIMEOUT s.
soak: layer
	$(PY) -m benchmarks.soak --journeys $${JOURNEYS:-100} --timeout $${TIMEOUT:-900} \
		$${FAULTS:+--faults "$$FAULTS"} $${SEED:+--seed $$SEED}

lint: $(STAMP)
	$(PY) -m ruff check functions infra tests benchmarks layers
	$(PY) -m ruff format --check functions infra tests benchmarks layers

clean:
	rm -rf cdk.out layers/build .pytest_cache
