# Rapport — plain Makefile (Redis style). `make` builds build/rapport, `make run`
# installs what is missing and starts the server, `make test` runs every test in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libsodium libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Import and export (libzip and expat read .xlsx): libcsv has no pkg-config file.
PKGS_IO := xlsxwriter libical libzip expat
PKG_CFLAGS += $(shell pkg-config --cflags $(PKGS_IO) 2>/dev/null)
PKG_LIBS += $(shell pkg-config --libs $(PKGS_IO) 2>/dev/null) -lcsv
# The knowledge base renders its articles' Markdown with cmark.
PKGS_KB := libcmark
PKG_CFLAGS += $(shell pkg-config --cflags $(PKGS_KB) 2>/dev/null)
PKG_LIBS += $(shell pkg-config --libs $(PKGS_KB) 2>/dev/null)
# Outgoing e-mail (the mail module) speaks SMTP through libcurl.
PKGS_MAIL := libcurl
PKG_CFLAGS += $(shell pkg-config --cflags $(PKGS_MAIL) 2>/dev/null)
PKG_LIBS += $(shell pkg-config --libs $(PKGS_MAIL) 2>/dev/null)
# Quotes as PDF: libharu has no pkg-config file.
PKG_LIBS += -lhpdf

WARN := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings \
	-Wcast-qual -Wpointer-arith -Wundef -Wimplicit-fallthrough -Werror
CFLAGS_COMMON := $(WARN) -Isrc $(PKG_CFLAGS) -pthread
RELEASE_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
# Hardened release link: position-independent executable, full RELRO (GOT read-only
# after start-up); scripts/hardening.sh checks the result with checksec.
RELEASE_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LIBS := $(PKG_LIBS) -pthread -lm

SRCS := $(sort $(wildcard src/core/*.c src/http/*.c src/store/*.c src/engine/*.c src/mod/*.c \
	src/mod/*/*.c src/api/*.c src/cli/*.c))
HDRS := $(wildcard src/*/*.h src/mod/*/*.h) src/engine/common_passwords.inc
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Release objects; `make clang-check` points these at build/clang to prove that clang
# builds the tree warning-free too.
REL ?= build/rel
RAPPORT ?= build/rapport
REL_OBJS := $(patsubst src/%.c,$(REL)/%.o,$(SRCS))
SAN_OBJS := $(patsubst src/%.c,build/san/%.o,$(SRCS))

.PHONY: all run demo test unit api-test e2e screenshots bench-web clang-check clean deps bench bench-service
.PHONY: bench-mail bench-imap bench-commerce bench-automation
.PHONY: fuzz fuzz-replay sqlmap
.PHONY: reliability-test hardening-check test-valgrind pg-test
.PHONY: pg-reliability-test ha-test bench-ha

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
	@$(CC) $(RELEASE_CFLAGS) $(RELEASE_LDFLAGS) -o $@ $^ $(LIBS)

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

# First meaningful paint of the contacts list, a record page and the dashboard on the
# benchmark's full-size data (SMALL=1: a tenth), and the bundle size (not part of make
# test; DEMO=1 on the demo company instead). See bench/README.md.
bench-web: $(RAPPORT)
	bash scripts/deps.sh --test
	$(if $(DEMO),RAPPORT_BIN=$(CURDIR)/$(RAPPORT) node bench/web-paint.mjs,SMALL=$(SMALL) bash bench/web.sh)

# Crash safety (SIGKILL cycles; LONG=1 or CYCLES=N for more), concurrency and online
# backup against the real binary (tests/reliability/).
reliability-test: build/san/rapport build/rapport
	cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport node --test --test-concurrency=2 reliability/

# The release binary carries the hardening flags (checksec: full RELRO, canary, NX,
# PIE, FORTIFY).
hardening-check: $(RAPPORT)
	bash scripts/hardening.sh $(RAPPORT)

# The unit tests and an API smoke run under valgrind, on builds without sanitizers
# (valgrind and ASan do not mix). Any valgrind error fails the target.
VG_OBJS := $(patsubst src/%.c,build/vg/%.o,$(SRCS))
.SECONDARY: $(VG_OBJS)
VALGRIND := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--track-origins=yes --quiet

build/vg/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC vg   $<"
	@$(CC) $(CFLAGS_COMMON) -O1 -g -c -o $@ $<

build/vg/unit/%: tests/unit/%.c $(VG_OBJS) $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  TEST vg $<"
	@$(CC) $(CFLAGS_COMMON) -O1 -g -Itests/unit -o $@ $< \
		$(filter-out build/vg/$(shell sed -n 's|^#include "\.\./\.\./src/\(.*\)\.c"|\1|p' $< | head -1).o,$(VG_OBJS)) \
		$(LIBS) -lcmocka

test-valgrind: $(addprefix build/vg/unit/,$(UNIT_TESTS)) $(RAPPORT)
	@set -e; for t in $(UNIT_TESTS); do echo "== valgrind $$t"; $(VALGRIND) ./build/vg/unit/$$t; done
	cd tests && RAPPORT_BIN=$(CURDIR)/tests/valgrind/rapport-valgrind \
		RAPPORT_REAL_BIN=$(CURDIR)/$(RAPPORT) VALGRIND="$(VALGRIND)" RAPPORT_TIMEOUT_MS=300000 \
		node --test valgrind/
# The same API suite on PostgreSQL, plus the scale-out tests (two servers, migrate), on
# a throwaway cluster that tests/pg/cluster.sh starts and removes.
pg-test: build/san/rapport
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		bash tests/pg/cluster.sh run sh -c 'cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport \
			node --test --test-concurrency=2 api/ pg/ e2e/admin.test.js e2e/system.test.js'; \
	else echo "pg-test: PostgreSQL is not installed (scripts/deps.sh installs it): skipped"; fi

# The crash test on PostgreSQL: server SIGKILLs and `pg_ctl stop -m immediate` of a
# cluster with fsync on (tests/pg/cluster.sh run --durable); LONG=1 or CYCLES=N for more.
pg-reliability-test: build/san/rapport
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		bash tests/pg/cluster.sh run --durable sh -c 'cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport \
			node --test reliability/crash.test.js'; \
	else echo "pg-reliability-test: PostgreSQL is not installed (scripts/deps.sh installs it): skipped"; fi

# High availability on PostgreSQL: a pg_auto_failover formation (scripts/ha.sh local),
# two servers, writers and readers, the primary killed and failed back (tests/ha/);
# CYCLES=N for more failovers.
ha-test: build/san/rapport
	@if command -v pg_autoctl >/dev/null; then \
		cd tests && RAPPORT_BIN=$(CURDIR)/build/san/rapport node --test ha/; \
	else echo "ha-test: pg_autoctl is not installed (scripts/deps.sh installs it): skipped"; fi

test:
	bash scripts/deps.sh --test
	$(MAKE) unit
	$(MAKE) fuzz-replay
	$(MAKE) api-test
	$(MAKE) e2e
	$(MAKE) reliability-test
	$(MAKE) hardening-check
	$(MAKE) pg-test
	$(MAKE) pg-reliability-test
	$(MAKE) ha-test

# The benchmark (not part of `make test`): `make bench`, or `make bench SMALL=1` for a
# ten times smaller company; DB=postgres or DB=both (SQLite and PostgreSQL side by side)
# in a throwaway PostgreSQL cluster. See bench/README.md.
bench: deps
	bash scripts/deps.sh --bench
	$(MAKE) $(RAPPORT) build/bench/ceiling
	SMALL=$(SMALL) DB=$(DB) AB=$(AB) ROUNDS=$(ROUNDS) bash bench/run.sh

# The customer-service benchmark: a service desk with a year of cases and a knowledge
# base (`make bench-service`, or SMALL=1 for a tenth). See bench/README.md.
# Outgoing e-mail: 10,000 templated messages queued through the API and delivered to
# the local aiosmtpd sink (bench/mail.sh; N=… to change the count). See bench/README.md.
bench-mail: deps
	$(MAKE) $(RAPPORT)
	bash bench/mail.sh

# Products and quotes: 100,000 products with volume prices, price lookups, 500-line
# quotes and quote PDFs timed (bench/commerce.sh; N=… products). See bench/README.md.
bench-commerce: deps
	$(MAKE) $(RAPPORT)
	bash bench/commerce.sh

bench-automation: deps
	$(MAKE) $(RAPPORT)
	bash bench/automation.sh

bench-imap: deps
	$(MAKE) $(RAPPORT)
	bash bench/imap.sh

bench-service: deps
	bash scripts/deps.sh --bench
	$(MAKE) $(RAPPORT)
	SMALL=$(SMALL) bash bench/service.sh

# High availability on PostgreSQL: creates with and without synchronous replication,
# lists and search with and without the read replica, and ten failovers timed
# (bench/ha.sh; CONTACTS, ROUNDS, FAILOVERS to change). See bench/README.md.
bench-ha: deps
	bash scripts/deps.sh --bench
	$(MAKE) $(RAPPORT)
	bash bench/ha.sh

build/bench/ceiling: bench/ceiling.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WARN) $(PKG_CFLAGS) $(RELEASE_CFLAGS) -pthread -o $@ $< $(PKG_LIBS) -pthread

# ---- fuzzing (tests/fuzz/README.md) ----
# The targets include src/http/server.c through tests/fuzz/harness.c, so they link
# every object but that one. `make test` replays the committed corpora with gcc and
# ASan/UBSan; `make fuzz` runs each target under libFuzzer for FUZZ_SECONDS.
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_DEPS := tests/fuzz/harness.c tests/fuzz/harness.h src/http/server.c $(HDRS)
FUZZ_SAN_OBJS := $(filter-out build/san/http/server.o,$(SAN_OBJS))
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(filter-out src/http/server.c,$(SRCS)))
FUZZ_CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -Itests/fuzz

build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_DEPS) $(FUZZ_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $< (replay)"
	@$(CC) $(CFLAGS_COMMON) $(SAN_CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/harness.c \
		tests/fuzz/replay.c $(FUZZ_SAN_OBJS) $(LIBS)

fuzz-replay: $(addprefix build/san/fuzz/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t"; \
		./build/san/fuzz/$$t tests/fuzz/corpus/$$t; done

.PRECIOUS: build/fuzz/obj/%.o
build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS) $(FUZZ_OBJS)
	@echo "  FUZZ    $<"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/harness.c $(FUZZ_OBJS) $(LIBS)

# SQL injection scan of a live server (scripts/sqlmap.sh); LONG=1 for level 5 risk 3.
sqlmap: $(RAPPORT)
	bash scripts/deps.sh --sqlmap
	RAPPORT_BIN=$(RAPPORT) bash scripts/sqlmap.sh

# One target at a time, one job: the machine is shared. New inputs go to
# build/fuzz/corpus/<target>; crashes to build/fuzz/crash-<target>-*.
fuzz:
	bash scripts/deps.sh --fuzz
	$(MAKE) $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t for $(FUZZ_SECONDS) s"; \
		mkdir -p build/fuzz/corpus/$$t; \
		./build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
			-dict=tests/fuzz/$$t.dict -artifact_prefix=build/fuzz/crash-$$t- \
			-print_final_stats=1 build/fuzz/corpus/$$t tests/fuzz/corpus/$$t; done

clang-check:
	$(MAKE) CC=clang REL=build/clang RAPPORT=build/clang/rapport build/clang/rapport

clean:
	rm -rf build web/dist
