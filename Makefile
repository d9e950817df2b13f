# pycoro: build, install, header refresh, demo and the full test suite (what CI runs via .ci/run).
SHELL := /bin/bash
.DEFAULT_GOAL := build

CARGO ?= cargo
CC ?= cc
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
PROFILE_DIR := $(TARGET_DIR)/debug
RELEASE_DIR := $(TARGET_DIR)/release
C_FLAGS := -std=c11 -Wall -Wextra -Werror -pedantic -g
# Fuzzing budgets: the bounded run inside `make test`, and `make fuzz`.
FUZZ_SECONDS ?= 60
FUZZ_LONG_SECONDS ?= 1800

# The package version (Cargo.toml) names the installed file, libpycoro.so.$(VERSION); its
# major number is the SONAME's (build.rs): what linked programs look for at run time, and
# what cargo does not create. Every build below gets that link beside the library.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
$(if $(VERSION),,$(error cannot read the version from Cargo.toml))
SONAME := libpycoro.so.$(firstword $(subst ., ,$(VERSION)))

# `make install PREFIX=... [DESTDIR=...]`; LIBDIR and INCLUDEDIR may be set on their own.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The python-3.10*.pc stand-ins live apart, so only builds that ask for them
# (PKG_CONFIG_PATH=$(LIBDIR)/pycoro/pkgconfig) get pycoro where they look for libpython.
PYTHON_PKGCONFIGDIR := $(LIBDIR)/pycoro/pkgconfig
PYTHON_PCS := python-3.10.pc python-3.10-embed.pc python3.pc python3-embed.pc
HEADERS := $(notdir $(wildcard include/*.h))
LDCONFIG ?= ldconfig
RELEASE_SOURCES := Cargo.toml Cargo.lock build.rs cbindgen.toml $(wildcard src/*.rs src/*/*.rs)

.PHONY: build release header demo deps test bench fuzz install uninstall clean

build:
	$(CARGO) build -p pycoro
	ln -sf libpycoro.so $(PROFILE_DIR)/$(SONAME)

release:
	$(CARGO) build --release -p pycoro
	ln -sf libpycoro.so $(RELEASE_DIR)/$(SONAME)

# What `install` installs: rebuilt only when a source is newer, so `make release` followed by
# `sudo make install` needs no cargo as root.
$(RELEASE_DIR)/libpycoro.so: $(RELEASE_SOURCES)
	$(MAKE) release

# Refresh the checked-in header from the one build.rs just generated into OUT_DIR.
header: build
	@generated=$$(ls -t $(PROFILE_DIR)/build/pycoro-*/out/pycoro.h | head -n 1); \
	cp "$$generated" include/pycoro.h; \
	echo "include/pycoro.h <- $$generated"

demo: build
	$(CC) $(C_FLAGS) -I include examples/demo.c -o $(PROFILE_DIR)/demo \
		-L $(PROFILE_DIR) -lpycoro -Wl,-rpath,$(PROFILE_DIR)
	$(PROFILE_DIR)/demo

# The .pc files name folders inside PREFIX as ${prefix}/..., so pkg-config can relocate them.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
define write_pc
sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|g' \
	-e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
	pkgconfig/$(1).in >$(2)/$(1)
chmod 644 $(2)/$(1)
endef
# The run-time linker's cache lists the library once ldconfig has seen it (what programs
# linked against /usr/local/lib need, and ctypes.util.find_library reads); refreshed only
# when LIBDIR is a folder of its configuration and the install is not staged (DESTDIR).
define refresh_ldconfig
@if [ -z "$(DESTDIR)" ] && [ -n "$(LDCONFIG)" ] && \
	$(LDCONFIG) -v -N 2>/dev/null | grep -q '^$(LIBDIR):'; then \
	echo "$(LDCONFIG)"; $(LDCONFIG); fi
endef

install: $(RELEASE_DIR)/libpycoro.so
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/pycoro $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(PYTHON_PKGCONFIGDIR)
	install -m 755 $(RELEASE_DIR)/libpycoro.so $(DESTDIR)$(LIBDIR)/libpycoro.so.$(VERSION)
	ln -sfn libpycoro.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(LIBDIR)/libpycoro.so
	install -m 644 $(addprefix include/,$(HEADERS)) $(DESTDIR)$(INCLUDEDIR)/pycoro
	$(call write_pc,pycoro.pc,$(DESTDIR)$(PKGCONFIGDIR))
	$(call write_pc,python-3.10.pc,$(DESTDIR)$(PYTHON_PKGCONFIGDIR))
	$(call write_pc,python-3.10-embed.pc,$(DESTDIR)$(PYTHON_PKGCONFIGDIR))
	ln -sfn python-3.10.pc $(DESTDIR)$(PYTHON_PKGCONFIGDIR)/python3.pc
	ln -sfn python-3.10-embed.pc $(DESTDIR)$(PYTHON_PKGCONFIGDIR)/python3-embed.pc
	$(refresh_ldconfig)

# Removes what `install` installed, and its own folders (include/pycoro, lib/pycoro).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,libpycoro.so libpycoro.so.$(VERSION) $(SONAME))
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/pycoro/,$(HEADERS))
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/pycoro.pc $(addprefix $(DESTDIR)$(PYTHON_PKGCONFIGDIR)/,$(PYTHON_PCS))
	for dir in $(DESTDIR)$(INCLUDEDIR)/pycoro $(DESTDIR)$(PYTHON_PKGCONFIGDIR) $(DESTDIR)$(LIBDIR)/pycoro; do \
		if [ -d "$$dir" ]; then rmdir "$$dir"; fi; \
	done
	$(refresh_ldconfig)

deps:
	./.ci/deps.sh

# The C programs link against the cdylib, which `cargo test` alone does not refresh; the deep-shapes
# stress run (capi-tests/tests/deep_release.rs) links the release one.
test: deps build release
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
