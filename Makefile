# sockguard — see README.md.  `make` builds build/sockguard; `make run`
# and `make check` also install what they need on Debian 12 (as root).

VERSION		:= 0.1.0
CC		?= cc
CLANG		?= clang
BUILD		:= build
PKGS		:= libevent_core yaml-0.1 jansson
OPTFLAGS	?= -O2 -g
WARNFLAGS	:= -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter
SG_CPPFLAGS	:= -D_GNU_SOURCE -DSOCKGUARD_VERSION='"$(VERSION)"' -Isockguard
SG_CFLAGS	= -std=c11 $(OPTFLAGS) $(WARNFLAGS) -fno-strict-aliasing \
		  -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
		  $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
SG_LDLIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) \
		  -lmbedtls -lmbedx509 -lmbedcrypto -lhttp_parser

SRCS		:= $(wildcard sockguard/*.c)
LIB_SRCS	:= $(filter-out sockguard/main.c,$(SRCS))
OBJS		:= $(SRCS:sockguard/%.c=$(BUILD)/obj/%.o)
LIB_OBJS	:= $(LIB_SRCS:sockguard/%.c=$(BUILD)/obj/%.o)
ASAN_OBJS	:= $(LIB_SRCS:sockguard/%.c=$(BUILD)/asan/%.o)
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_ASAN_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit-asan/%)
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJS	:= $(LIB_SRCS:sockguard/%.c=$(BUILD)/fuzzobj/%.o)
FUZZ_FLAGS	:= -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_SECONDS	?= 300
SMOKE_RUNS	?= 20000
ASAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

# Debian packages: what building needs, and what the tests add.
BUILD_DEPS	:= build-essential pkg-config libmbedtls-dev libevent-dev \
		   libyaml-dev libhttp-parser-dev libjansson-dev
TEST_DEPS	:= $(BUILD_DEPS) libcmocka-dev docker.io busybox-static curl \
		   socat clang libclang-rt-14-dev mandoc python3 openssl
BENCH_DEPS	:= $(BUILD_DEPS) nginx-light curl util-linux procps docker.io \
		   busybox-static

DOCKER_SOCK	?= /var/run/docker.sock

.PHONY: all run check unit unit-asan integration bench deps deps-test \
	deps-bench clean fuzz fuzz-build fuzz-smoke rules-check

all: $(BUILD)/sockguard

$(BUILD)/obj/%.o: sockguard/%.c $(wildcard sockguard/*.h) | $(BUILD)/obj
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: sockguard/%.c $(wildcard sockguard/*.h) | $(BUILD)/asan
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) $(ASAN_FLAGS) -O1 -c -o $@ $<

$(BUILD)/sockguard: $(OBJS)
	$(CC) $(SG_CFLAGS) -o $@ $(OBJS) $(SG_LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/unit
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) -o $@ $< $(LIB_OBJS) $(SG_LDLIBS) -lcmocka

$(BUILD)/unit-asan/%: tests/unit/%.c $(ASAN_OBJS) | $(BUILD)/unit-asan
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) $(ASAN_FLAGS) -O1 -o $@ $< \
	    $(ASAN_OBJS) $(SG_LDLIBS) -lcmocka

$(BUILD)/fuzzobj/%.o: sockguard/%.c $(wildcard sockguard/*.h) | $(BUILD)/fuzzobj
	$(CLANG) $(SG_CPPFLAGS) $(SG_CFLAGS) $(FUZZ_FLAGS) -O1 -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) | $(BUILD)/fuzz
	$(CLANG) $(SG_CPPFLAGS) $(SG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-omit-frame-pointer -O1 -o $@ $< $(FUZZ_OBJS) $(SG_LDLIBS)

$(BUILD)/obj $(BUILD)/asan $(BUILD)/unit $(BUILD)/unit-asan $(BUILD)/fuzz $(BUILD)/fuzzobj:
	mkdir -p $@

# Each fuzz target runs from its seed corpus tests/fuzz/corpus/NAME (new
# inputs go to build/fuzz/corpus/NAME) with tests/fuzz/NAME.dict if any.
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@tests/tools/fuzz-run $(FUZZ_SECONDS) $(FUZZ_BINS)
fuzz-smoke: fuzz-build
	@tests/tools/fuzz-run runs:$(SMOKE_RUNS) $(FUZZ_BINS)

# Installs missing Debian packages (needs root and Debian's registry).
deps:
	@tests/tools/apt-ensure $(BUILD_DEPS)
deps-test:
	@tests/tools/apt-ensure $(TEST_DEPS)
deps-bench:
	@tests/tools/apt-ensure $(BENCH_DEPS)

# Runs sockguard in the foreground in front of $(DOCKER_SOCK).
run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/run
	@sed -e 's|@UPSTREAM@|$(DOCKER_SOCK)|' \
	    -e 's|@LISTEN@|$(CURDIR)/$(BUILD)/run/docker.sock|' \
	    -e 's|@RULES@|$(CURDIR)/rules/default.yaml|' \
	    sockguard.example.yaml > $(BUILD)/run/sockguard.yaml
	@echo "sockguard: config $(BUILD)/run/sockguard.yaml"
	@echo "sockguard: in another shell: export DOCKER_HOST=unix://$(CURDIR)/$(BUILD)/run/docker.sock"
	exec $(BUILD)/sockguard -c $(BUILD)/run/sockguard.yaml

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

unit-asan: $(UNIT_ASAN_BINS)
	@set -e; for t in $(UNIT_ASAN_BINS); do echo "== $$t (ASan/UBSan)"; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

# Shipped rule files decided through the real binary (sockguard explain).
rules-check: all
	@sh tests/rules/run

integration: all
	tests/integration/run

check: deps-test
	@$(MAKE) --no-print-directory all unit unit-asan rules-check fuzz-smoke \
	    integration

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/policybench
	tests/bench/run
	tests/bench/audit-cost
	@echo "### Decision cost (no I/O; tests/bench/policybench.c)"
	@taskset -c 1 $(BUILD)/bench/policybench rules/default.yaml \
	    tests/bench/create-body.json 200000

$(BUILD)/bench/policybench: tests/bench/policybench.c $(LIB_OBJS)
	@mkdir -p $(BUILD)/bench
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) -o $@ $< $(LIB_OBJS) $(SG_LDLIBS)

clean:
	rm -rf $(BUILD)

# Objects are intermediate files of chained rules: keep them, so that a
# parallel or repeated build never links against a deleted one.
.SECONDARY:
