# sockguard — see README.md.  `make` builds build/sockguard; `make run`
# and `make check` also install what they need on Debian 12 (as root).

VERSION		:= 0.1.0
CC		?= cc
CLANG		?= clang
BUILD		:= build
PKGS		:= libevent_core yaml-0.1 jansson libseccomp
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
		   libyaml-dev libhttp-parser-dev libjansson-dev \
		   libseccomp-dev
TEST_DEPS	:= $(BUILD_DEPS) libcmocka-dev docker.io busybox-static curl \
		   socat clang libclang-rt-14-dev mandoc python3 openssl systemd \
		   cppcheck clang-tidy docker-compose
# (libssl-dev and openssl: the TLS benchmark's client is OpenSSL.)
BENCH_DEPS	:= $(BUILD_DEPS) nginx-light curl util-linux procps docker.io \
		   busybox-static libssl-dev openssl

DOCKER_SOCK	?= /var/run/docker.sock

# `make install` (README, "Running under systemd").  PREFIX holds the
# program, its manuals and its systemd files; systemd reads units,
# sysusers.d and tmpfiles.d under /usr/local/lib as well as /usr/lib, so
# the default prefix works as it is (packagers: PREFIX=/usr).
# Configuration goes to SYSCONFDIR.  DESTDIR is prepended to every path
# written, never to paths written into the installed files.
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
LOGROTATEDIR	?= $(SYSCONFDIR)/logrotate.d
INSTALL		?= install
# The installed configuration's listener: ListenStream= of
# systemd/sockguard.socket, under sockguard.service's RuntimeDirectory.
RUN_SOCK	:= /run/sockguard/docker.sock
UNITS		:= sockguard.service sockguard.socket sockguard-tls.socket
MAN5		:= $(wildcard man/*.5)
MAN8		:= $(wildcard man/*.8)
SUBST		:= sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		   -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		   -e 's|@UPSTREAM@|$(DOCKER_SOCK)|g' \
		   -e 's|@LISTEN@|$(RUN_SOCK)|g' \
		   -e 's|@RULES@|$(SYSCONFDIR)/sockguard/rules/default.yaml|g'
# sh: installs $1 as $2 (mode 0644) unless $2 exists: configuration the
# operator may have edited is never replaced.
INSTALL_CONF	:= install_conf() { if [ -e "$$2" ] || [ -L "$$2" ]; then \
		   echo "install: $$2 exists; kept, not replaced by $$1"; \
		   else echo "$(INSTALL) -m 0644 $$1 $$2"; \
		   $(INSTALL) -m 0644 "$$1" "$$2" || exit 1; fi; }

.PHONY: all run check unit unit-asan integration bench deps deps-test \
	deps-bench bench-tls clean fuzz fuzz-build fuzz-smoke rules-check install \
	uninstall install-check systemd-check lint soak soak-smoke reliability

all: $(BUILD)/sockguard

$(BUILD)/obj/%.o: sockguard/%.c $(wildcard sockguard/*.h) | $(BUILD)/obj
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: sockguard/%.c $(wildcard sockguard/*.h) | $(BUILD)/asan
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) $(ASAN_FLAGS) -O1 -c -o $@ $<

$(BUILD)/sockguard: $(OBJS)
	$(CC) $(SG_CFLAGS) -o $@ $(OBJS) $(SG_LDLIBS)

# The daemon under AddressSanitizer/UBSan, for the soak smoke in make check.
$(BUILD)/sockguard-asan: $(ASAN_OBJS) $(BUILD)/asan/main.o
	$(CC) $(SG_CFLAGS) $(ASAN_FLAGS) -O1 -o $@ $^ $(SG_LDLIBS)

# The soak's load driver and fake dockerd (tests/soak/soakload.c).
$(BUILD)/soak/soakload: tests/soak/soakload.c
	@mkdir -p $(BUILD)/soak
	$(CC) -std=c11 $(OPTFLAGS) $(WARNFLAGS) -D_GNU_SOURCE -o $@ $<

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

# Installs the program, manuals, systemd units, sysusers.d and tmpfiles.d
# snippets; the configuration, rules and logrotate file only where they do
# not exist yet.  Creates no user and starts nothing: see README.
install: $(BUILD)/sockguard
	@rm -rf $(BUILD)/install && mkdir -p $(BUILD)/install
	$(SUBST) sockguard.example.yaml > $(BUILD)/install/sockguard.yaml
	@set -e; for u in $(UNITS); do \
	    $(SUBST) systemd/$$u > $(BUILD)/install/$$u; done
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(LOGROTATEDIR) $(DESTDIR)$(SYSCONFDIR)/sockguard/rules
	$(INSTALL) -m 0755 $(BUILD)/sockguard $(DESTDIR)$(SBINDIR)/sockguard
	$(INSTALL) -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0644 $(UNITS:%=$(BUILD)/install/%) $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0644 systemd/sockguard.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/sockguard.conf
	$(INSTALL) -m 0644 systemd/sockguard.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/sockguard.conf
	@$(INSTALL_CONF); \
	install_conf $(BUILD)/install/sockguard.yaml \
	    "$(DESTDIR)$(SYSCONFDIR)/sockguard/sockguard.yaml"; \
	for r in rules/*.yaml; do \
	    install_conf "$$r" "$(DESTDIR)$(SYSCONFDIR)/sockguard/$$r"; done; \
	install_conf systemd/sockguard.logrotate \
	    "$(DESTDIR)$(LOGROTATEDIR)/sockguard"

# Removes what install wrote, except the configuration and rules; the
# logrotate file goes only if unchanged.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/sockguard \
	    $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%) \
	    $(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%) \
	    $(UNITS:%=$(DESTDIR)$(UNITDIR)/%) \
	    $(DESTDIR)$(SYSUSERSDIR)/sockguard.conf \
	    $(DESTDIR)$(TMPFILESDIR)/sockguard.conf
	@f="$(DESTDIR)$(LOGROTATEDIR)/sockguard"; \
	if cmp -s systemd/sockguard.logrotate "$$f"; then \
	    echo "rm -f $$f"; rm -f "$$f"; \
	elif [ -e "$$f" ]; then echo "uninstall: $$f was changed; kept"; fi
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/sockguard" \
	    "(configuration and rules), /var/log/sockguard and the user" \
	    "sockguard; remove them by hand if they should go"

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

unit-asan: $(UNIT_ASAN_BINS)
	@set -e; for t in $(UNIT_ASAN_BINS); do echo "== $$t (ASan/UBSan)"; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

# Shipped rule files decided through the real binary (sockguard explain).
rules-check: all
	@sh tests/rules/run

integration: all $(BUILD)/soak/soakload
	tests/integration/run

# Load and soak (tests/soak/run): 10,000 connections held, 1,000,000
# mixed requests, RSS and descriptors sampled (README, "Reliability").
soak: deps-test all $(BUILD)/soak/soakload
	tests/soak/run

# The same at a lower scale against the ASan/UBSan build (make check).
soak-smoke: $(BUILD)/sockguard-asan $(BUILD)/soak/soakload
	SOAK_SCALE=smoke SG_BIN=$(BUILD)/sockguard-asan tests/soak/run

# The README's "Reliability" section: fuzzers (REL_FUZZ_SECONDS each, 60
# by default, two at a time), the full soak and the fault tests, printed
# as Markdown (and saved in build/reliability/section.md).
reliability: deps-test
	tests/reliability/report

# make install/uninstall into a temporary DESTDIR: the tree, modes and
# never replacing configuration.
install-check: all
	@tests/install/run

# The units as installed: systemd-analyze verify, and the exposure score
# of systemd-analyze security (at most 2.0).
systemd-check: all
	@tests/systemd/run

check: deps-test
	@$(MAKE) --no-print-directory all lint unit unit-asan rules-check \
	    install-check systemd-check fuzz-smoke integration soak-smoke

# Static analysis of the daemon's sources: cppcheck, then clang-tidy with
# the checked-in .clang-tidy (one file per job, both cores).  Any finding
# fails; a false positive is suppressed where it occurs, with its reason.
TIDY_FLAGS	= -std=c11 $(SG_CPPFLAGS) \
		  $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
lint:
	@echo "lint: cppcheck"
	@cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
	    --enable=warning,portability,performance -D_GNU_SOURCE \
	    -Isockguard --include=/usr/include/x86_64-linux-gnu/sys/queue.h \
	    sockguard/*.c
	@echo "lint: clang-tidy"
	@printf '%s\n' sockguard/*.c | xargs -P 2 -I {} tests/tools/tidy {} \
	    $(TIDY_FLAGS)
	@echo "lint: man pages (mandoc -T lint, warnings and errors)"
	@mandoc -T lint -W warning man/*.5 man/*.8
	@echo "lint: clean"

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/policybench
	tests/bench/run
	tests/bench/audit-cost
	tests/bench/ownership
	@echo "### Decision cost (no I/O; tests/bench/policybench.c)"
	@taskset -c 1 $(BUILD)/bench/policybench rules/default.yaml \
	    tests/bench/create-body.json 200000

# The TLS part of bench alone (bench runs it too).
bench-tls: deps-bench
	@$(MAKE) --no-print-directory all
	tests/bench/tls

$(BUILD)/bench/policybench: tests/bench/policybench.c $(LIB_OBJS)
	@mkdir -p $(BUILD)/bench
	$(CC) $(SG_CPPFLAGS) $(SG_CFLAGS) -o $@ $< $(LIB_OBJS) $(SG_LDLIBS)

clean:
	rm -rf $(BUILD)

# Objects are intermediate files of chained rules: keep them, so that a
# parallel or repeated build never links against a deleted one.
.SECONDARY:
