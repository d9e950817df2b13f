# pycoro: build, header refresh, demo and the full test suite (what CI runs via .ci/run).
SHELL := /bin/bash
.DEFAULT_GOAL := build

CARGO ?= cargo
CC ?= cc
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
PROFILE_DIR := $(TARGET_DIR)/debug
C_FLAGS := -std=c11 -Wall -Wextra -Werror -pedantic -g
# Fuzzing budgets: the bounded run inside `make test`, and `make fuzz`.
FUZZ_SECONDS ?= 60
FUZZ_LONG_SECONDS ?= 1800

.PHONY: build header demo deps test bench fuzz clean

build:
	$(CARGO) build

# Refresh the checked-in header from the one build.rs just generated into OUT_DIR.
header: build
	@generated=$$(ls -t $(PROFILE_DIR)/build/pycoro-*/out/pycoro.h | head -n 1); \
	cp "$$generated" include/pycoro.h; \
	echo "include/pycoro.h <- $$generated"

# The SONAME link (libpycoro.so.0) is what the linked program looks for at run time.
demo: build
	ln -sf libpycoro.so $(PROFILE_DIR)/libpycoro.so.0
	$(CC) $(C_FLAGS) -I include examples/demo.c -o $(PROFILE_DIR)/demo \
		-L $(PROFILE_DIR) -lpycoro -Wl,-rpath,$(PROFILE_DIR)
	$(PROFILE_DIR)/demo

deps:
	./.ci/deps.sh

# The C programs link against the cdylib, which `cargo test` alone does not refresh; the deep-shapes
# stress run (capi-tests/tests/deep_release.rs) links the release one.
test: deps
	$(CARGO) build -p pycoro
	$(CARGO) build --release -p pycoro
	$(CARGO) test --workspace --no-fail-fast
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd fuzz && $(CARGO) fmt -- --check
	./fuzz/run.sh $(FUZZ_SECONDS)

# A longer fuzzing run than the bounded one in `make test` (fuzz/README.md).
fuzz:
	./fuzz/run.sh $(FUZZ_LONG_SECONDS)

# Benchmarks (not part of `make test`): pycoro against a plain-C floor and CPython 3.10.
bench:
	./bench/run.sh

clean:
	$(CARGO) clean
