# tallylab — the two commands of the README are `make run` and `make test`.
# Each installs what it needs first; nothing here relies on a tool installed by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help run test setup-wasm check-wasm test-rust bench fmt lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## Serve the API (and the web app when built) on http://127.0.0.1:8000 with the embedded default
	$(CARGO) run --release -p backend --bin tallylab -- serve

setup-wasm: ## Make sure the wasm32 target (or its fallback) is installed
	@mkdir -p target && frontend/setup-toolchain.sh > target/wasm-env.sh

check-wasm: setup-wasm ## Build the shared crate for WebAssembly
	source target/wasm-env.sh && $${TALLYLAB_WASM_CARGO:-$(CARGO)} build -p shared --target wasm32-unknown-unknown

test-rust: ## Every Rust test of the workspace (unit, integration, end to end)
	$(CARGO) test --workspace --no-fail-fast

test: check-wasm test-rust ## Install what the tests need and run every test

bench: ## Benchmarks: print measured figures
	$(CARGO) run --release -p backend --bin bench

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## Clippy on the workspace
	$(CARGO) clippy --workspace --all-targets

clean: ## Remove build output and the local database
	$(CARGO) clean
	rm -rf data
