# Rapport — plain Makefile (Redis style). `make` builds build/rapport, `make run`
# installs what is missing and starts the server, `make test` runs every test in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings \
	-Wcast-qual -Wpointer-arith -Wundef -Wimplicit-fallthrough -Werror
CFLAGS_COMMON := $(WARN) -Isrc $(PKG_CFLAGS) -pthread
RELEASE_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LIBS := $(PKG_LIBS) -pthread -lm

SRCS := $(sort $(wildcard src/core/*.c src/http/*.c src/store/*.c src/model/*.c \
	src/crm/*.c src/api/*.c src/cli/*.c))
HDRS := $(wildcard src/*/*.h)
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Release objects; `make clang-check` points these at build/clang to prove that clang
# builds the tree warning-free too.
REL ?= build/rel
RAPPORT ?= build/rapport
REL_OBJS := $(patsubst src/%.c,$(REL)/%.o,$(SRCS))
SAN_OBJS := $(patsubst src/%.c,build/san/%.o,$(SRCS))

.PHONY: all run demo test unit api-test e2e screenshots bench-web clang-check clean deps bench

all: $(RAPPORT)

# The web UI: esbuild bundles web/src into web/dist, tools/webassets.mjs turns it into a
# C table that is linked into the binary (one file ships everything). Needs node, which
# scripts/deps.sh installs with the UI's npm packages.
WEB_SRCS := $(shell find web/src -type f 2>/dev/null) web/build.mjs web/package-lock.json

web/node_modules/.package-lock.json: web/package-lock.json
	bash scripts/deps.sh
	@touch $@

web/dist/index.html: $(WEB_SRCS) web/node_modules/.package-lock.json
	@echo "  WEB     web/dist"
	@cd web && node build.mjs

build/gen/webassets.c: web/dist/index.html tools/webassets.mjs
	@echo "  GEN     $@"
	@node tools/webassets.mjs web/dist $@

$(REL)/gen/webassets.o build/san/gen/webassets.o: build/gen/webassets.c src/http/http.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_COMMON) -O1 -c -o $@ $<

$(RAPPORT): $(REL_OBJS) $(REL)/main.o $(REL)/gen/webassets.o
	@echo "  LINK    $@"
	@$(CC) $(RELEASE_CFLAGS) -o $@ $^ $(LIBS)

$(REL)/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_COMMON) $(RELEASE_CFLAGS) -c -o $@ $<

build/san/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(CFLAGS_COMMON) $(SAN_CFLAGS) -c -o $@ $<

build/san/rapport: $(SAN_OBJS) build/san/main.o build/san/gen/webassets.o
	@echo "  LINK    $@"
	@$(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

# Unit tests include the module under test where they need its static functions,
# so they link against every object except that module's own and main.
build/san/unit/%: tests/unit/%.c $(SAN_OBJS) $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  TEST    $<"
	@$(CC) $(CFLAGS_COMMON) $(SAN_CFLAGS) -Itests/unit -o $@ $< \
		$(filter-out build/san/$(shell sed -n 's|^#include "\.\./\.\./src/\(.*\)\.c"|\1|p' $< | head -1).o,$(SAN_OBJS)) \
		$(LIBS) -lcmocka

deps:
	bash scripts/deps.sh

run: deps
	$(MAKE) build/rapport
	./build/rapport serve

# Loads the demo company into the default database (a new one: run before make run).
demo: deps
	$(MAKE) $(RAPPORT)
	./$(RAPPORT) demo

unit: $(addprefix build/san/unit/,$(UNIT_TESTS))
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; ./build/san/unit/$$t; done

api-test: build/san/rapport
	cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport node --test --test-concurrency=2 api/

# Browser tests: Debian's chromium driven by playwright-core against the san server.
e2e: build/san/rapport
	cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport node --test --test-concurrency=1 e2e/

# docs/screenshots/*.png from the demo company (commit the result).
screenshots: $(RAPPORT)
	bash scripts/deps.sh --test
	cd tests && RAPPORT_BIN=$(CURDIR)/$(RAPPORT) node e2e/screenshots.js

# First meaningful paint of the list page and the bundle size (not part of make test).
bench-web: $(RAPPORT)
	bash scripts/deps.sh --test
	RAPPORT_BIN=$(CURDIR)/$(RAPPORT) node bench/web-paint.mjs

test:
	bash scripts/deps.sh --test
	$(MAKE) unit
	$(MAKE) api-test
	$(MAKE) e2e

# The benchmark (not part of `make test`): `make bench`, or `make bench SMALL=1` for a
# ten times smaller company. See bench/README.md.
bench: deps
	bash scripts/deps.sh --bench
	$(MAKE) $(RAPPORT) build/bench/ceiling
	SMALL=$(SMALL) bash bench/run.sh

build/bench/ceiling: bench/ceiling.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WARN) $(PKG_CFLAGS) $(RELEASE_CFLAGS) -pthread -o $@ $< $(PKG_LIBS) -pthread

clang-check:
	$(MAKE) CC=clang REL=build/clang RAPPORT=build/clang/rapport build/clang/rapport

clean:
	rm -rf build web/dist
