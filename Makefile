# postq - build, test and install.
#
#   make            build bin/ (normal build)
#   make demo       install missing packages, build, run on the sample spool
#   make check      install test needs (Postfix included), build, run all tests
#   make install PREFIX=/usr/local DESTDIR=
#   make install-compat DIR=/some/dir   links under classic names (mailq)
#   make uninstall PREFIX=/usr/local DESTDIR= [DIR=/some/dir]
#                   removes what install (and install-compat DIR=) put there

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man

CC ?= cc
# libsystemd: the log follower reads the journal with sd-journal.
PKGS = libpcre2-8 json-c zlib libsystemd
# liburing is optional: with it, listings read queue files in one
# io_uring_enter per batch; without it (or on a kernel that refuses
# io_uring) the same batches are read with plain openat/read/close.
HAVE_URING := $(shell pkg-config --exists liburing 2>/dev/null && echo 1)
ifeq ($(HAVE_URING),1)
PKGS += liburing
URING_DEF = -DPOSTQ_HAVE_URING=1
endif
MISSING_PKGS := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p))))
ifneq ($(MISSING_PKGS),)
ifeq ($(filter deps demo check clean uninstall,$(MAKECMDGOALS)),)
$(error pkg-config cannot find: $(MISSING_PKGS); install their -dev packages (sh scripts/install-deps.sh build))
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
# -O3 with link-time optimisation: the tools' hot loops call across
# lib/'s modules (string maps, the log parser) once per line or file,
# and only the whole program lets the compiler inline them (BENCHMARKS.md).
OPT ?= -O3 -g -flto=auto
CFLAGS ?=
LDFLAGS ?=
BUILD ?= build
BINOUT ?= bin
# Debian's hardening flags (dpkg-buildflags with hardening=+all): every
# binary is a dynamically linked PIE, so a json-c or zlib security update
# reaches it and ASLR covers the parsers.
HARDEN_CFLAGS = -fPIE -fstack-protector-strong -fstack-clash-protection -Wformat -Werror=format-security
HARDEN_CPPFLAGS = -Wdate-time -D_FORTIFY_SOURCE=2
HARDEN_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(OPT) $(HARDEN_CFLAGS) $(HARDEN_CPPFLAGS) \
	$(URING_DEF) -Ilib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)
LDLIBS = $(PKG_LIBS) -lm

LIB_SRC = $(wildcard lib/*/*.c)
LIB_HDR = $(wildcard lib/*/*.h)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBA = $(BUILD)/libpostq.a

# Every directory tools/NAME builds bin/postq-NAME from all its .c files;
# tools/postq is the front end, bin/postq. A tool that needs more
# libraries than lib/ does sets LIBS_NAME.
# tools/common holds what every tool links (how a tool dies on an error).
TOOLS = $(filter-out postq common,$(notdir $(wildcard tools/*)))
COMMON_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/common/*.c))
TOOL_BINS = $(TOOLS:%=$(BINOUT)/postq-%) $(BINOUT)/postq

.PHONY: all unit fuzz demo check test install install-compat compat-check uninstall clean deps bench

all: $(TOOL_BINS)

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

# Programs the shell tests drive (tests/tools/*.c built against lib/;
# smtp_sink and smtp_send stand alone and are built by tests/lib/sandbox.sh).
TEST_TOOLS = $(BUILD)/tests/tools/follow_count $(BUILD)/tests/tools/logcount

unit: $(UNIT_BINS) $(TEST_TOOLS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(COMMON_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools -o $@ $< $(COMMON_OBJ) $(LIBA) $(ALL_LDFLAGS) $(LDLIBS)

# A unit test of a tool's own files links them too (without its main).
UNIT_OBJS_test_qshape = $(patsubst %.c,$(BUILD)/%.o,$(filter-out tools/qshape/qshape.c,$(wildcard tools/qshape/*.c)))

.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $$(UNIT_OBJS_%) $(COMMON_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools -o $@ $< $(UNIT_OBJS_$*) $(COMMON_OBJ) $(LIBA) $(ALL_LDFLAGS) $(LDLIBS)

# libFuzzer targets need clang; built from the library sources directly.
# A target of a tool's own code lists that tool's files in FUZZ_SRC_name.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SRC_fuzz_pflogsumm = $(filter-out tools/pflogsumm/main.c,$(wildcard tools/pflogsumm/*.c)) \
	$(wildcard tools/common/*.c)
FUZZ_SRC_fuzz_qshape_env = tools/qshape/qshape_env.c $(wildcard tools/common/*.c)

fuzz: $(FUZZ_BINS)

build-fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(LIB_HDR) $$(FUZZ_SRC_$$*) $(wildcard tools/*/*.h)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(URING_DEF) -Ilib -Itools $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(FUZZ_SRC_$*) $(LDLIBS)

$(BUILD)/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

define tool_rule
$(BINOUT)/postq-$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/$(1)/*.c)) $(COMMON_OBJ) $(LIBA)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(ALL_LDFLAGS) $$(LDLIBS) $$(LIBS_$(1))
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tools/%.o: tools/%.c $(LIB_HDR) $(wildcard tools/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools -c -o $@ $<

$(BINOUT)/postq: $(BUILD)/tools/postq/postq.o $(COMMON_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LDLIBS)

deps:
	sh scripts/install-deps.sh build

demo:
	sh scripts/install-deps.sh build
	$(MAKE) all
	sh scripts/demo.sh

check:
	sh scripts/install-deps.sh test
	$(MAKE) all
	bash tests/run.sh

test: all
	bash tests/run.sh

bench:
	bash bench/run.sh

install: all
	install -d $(BINDIR) $(MANDIR)/man1
	install -m 755 $(TOOL_BINS) $(BINDIR)/
	install -m 644 man/*.1 $(MANDIR)/man1/

# Classic names, never over Postfix's own files: refuse the directories
# Postfix installs into and any existing file that is not our own link.
COMPAT_LINKS = mailq:postq-mailq qshape:postq-qshape pflogsumm:postq-pflogsumm postsuper:postq-postsuper
compat-check:
	@test -n "$(DIR)" || { echo "usage: make install-compat DIR=/some/dir" >&2; exit 2; }
	@case "$$(readlink -f "$(DIR)" 2>/dev/null || echo "$(DIR)")" in \
	/usr/sbin|/usr/bin|/sbin|/bin|/usr/lib/postfix*|/etc/postfix*) \
		echo "refusing to link into $(DIR): Postfix's own tools live there" >&2; exit 2;; \
	esac
install-compat: compat-check install
	install -d $(DESTDIR)$(DIR)
	@for pair in $(COMPAT_LINKS); do \
		name=$${pair%%:*}; target=$(PREFIX)/bin/$${pair#*:}; \
		link=$(DESTDIR)$(DIR)/$$name; \
		if [ -e "$$link" ] || [ -L "$$link" ]; then \
			case "$$(readlink "$$link")" in */postq-*) ;; \
			*) echo "refusing to replace $$link: not a postq link" >&2; exit 2;; esac; \
		fi; \
		ln -sfn "$$target" "$$link" && echo "$$link -> $$target"; \
	done

# Only our own files: the binaries and man pages install copies, and with
# DIR= the classic-name links that point at postq (anything else there is
# left alone, like install-compat leaves it).
INSTALLED_BINS = $(notdir $(TOOL_BINS))
INSTALLED_MANS = $(notdir $(wildcard man/*.1))
uninstall:
	@for f in $(INSTALLED_BINS); do \
		if [ -e "$(BINDIR)/$$f" ]; then rm -f "$(BINDIR)/$$f" && echo "removed $(BINDIR)/$$f"; fi; \
	done
	@for f in $(INSTALLED_MANS); do \
		if [ -e "$(MANDIR)/man1/$$f" ]; then rm -f "$(MANDIR)/man1/$$f" && echo "removed $(MANDIR)/man1/$$f"; fi; \
	done
	@if [ -n "$(DIR)" ]; then \
		for pair in $(COMPAT_LINKS); do \
			link=$(DESTDIR)$(DIR)/$${pair%%:*}; \
			if [ -L "$$link" ]; then \
				case "$$(readlink "$$link")" in */postq-*) rm -f "$$link" && echo "removed $$link";; \
				*) echo "kept $$link: not a postq link" >&2;; esac; \
			fi; \
		done; \
	fi

clean:
	rm -rf build build-* bin
