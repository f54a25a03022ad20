# Rapport — plain Makefile (Redis style). `make` builds build/rapport, `make run`
# installs what is missing and starts the server, `make test` runs every test in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Import and export: libcsv has no pkg-config file.
PKGS_IO := xlsxwriter libical
PKG_CFLAGS += $(shell pkg-config --cflags $(PKGS_IO) 2>/dev/null)
PKG_LIBS += $(shell pkg-config --libs $(PKGS_IO) 2>/dev/null) -lcsv

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

.PHONY: all run demo test unit api-test clang-check clean deps

all: $(RAPPORT)

$(RAPPORT): $(REL_OBJS) $(REL)/main.o
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

build/san/rapport: $(SAN_OBJS) build/san/main.o
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

test:
	bash scripts/deps.sh --test
	$(MAKE) unit
	$(MAKE) api-test

clang-check:
	$(MAKE) CC=clang REL=build/clang RAPPORT=build/clang/rapport build/clang/rapport

clean:
	rm -rf build
