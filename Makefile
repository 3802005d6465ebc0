# autoseccomp: see README.md.  `make`, `make check` (plain, then sanitized),
# `make install PREFIX=... DESTDIR=...`, `make uninstall` with the same.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
# Root's cache of compiled profiles, which other users read (cache.h).
CACHEDIR    ?= /var/cache/autoseccomp
BUILD       ?= build
PYTHON      ?= /usr/bin/python3

CC          ?= cc
CFLAGS      ?= -O2 -g
WARNINGS    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
SANITIZE    ?=
ifneq ($(SANITIZE),)
SANFLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
# src/ by role (src/README.md): the stages from bytes to a program, the BPF
# toolbox beside them, what starts a confined process, the command, the
# build-time precompiler, and what they all share.
SRC_DIRS    := src/common src/compile src/bpf src/start src/command src/build-time
HEADERS     := $(wildcard $(SRC_DIRS:%=%/*.h))
# The source files named N in SRC_DIRS.
sources      = $(foreach n,$(1),$(firstword $(wildcard $(SRC_DIRS:%=%/$(n).c))))
vpath %.c $(SRC_DIRS)
ALL_CFLAGS  := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(SANFLAGS) -fPIC -fvisibility=hidden \
               -Iinclude $(SRC_DIRS:%=-I%) -DAUTOSECCOMP_VERSION='"$(VERSION)"'
LIBSECCOMP  := -lseccomp

# The stages, shared by the library and the command; the library adds the
# constructor and the public API, the command its own main.
STAGES  := error source json names profile host resolve emit filter eval decisions decisions-check optimize probe sha256 pipeline
# How the stages reach libseccomp (libseccomp.h): the shared object loads it
# when it first compiles, everything else links it.
LIBSECCOMP_LAZY   := $(BUILD)/obj/libseccomp-lazy.o
LIBSECCOMP_LINKED := $(BUILD)/obj/libseccomp-linked.o
STAGE_OBJECTS := $(STAGES:%=$(BUILD)/obj/%.o)
DRIVER_OBJECTS := $(STAGE_OBJECTS) $(BUILD)/obj/scratch.o $(BUILD)/obj/precompiled.o $(BUILD)/obj/cache.o \
                  $(BUILD)/obj/install.o $(BUILD)/obj/agent.o $(BUILD)/obj/environ.o $(BUILD)/obj/marker.o $(BUILD)/obj/apply.o $(BUILD)/obj/builtin.o \
                  $(BUILD)/obj/notify.o $(BUILD)/obj/explain.o $(BUILD)/obj/syscalls.o $(BUILD)/obj/supervisor.o
OBJECTS := $(DRIVER_OBJECTS) $(BUILD)/obj/preload.o $(BUILD)/obj/api.o
TOOL_OBJECTS := $(DRIVER_OBJECTS) $(BUILD)/obj/disasm.o $(BUILD)/obj/readback.o $(BUILD)/obj/cli.o $(BUILD)/obj/cli-commands.o $(BUILD)/obj/cli-explain.o $(BUILD)/obj/cli-record.o

LIBS    := $(BUILD)/libautoseccomp.so $(BUILD)/libautoseccomp.a
TOOL    := $(BUILD)/autoseccomp
# The minimal seccomp agent of examples/, which the tests run.
AGENT   := $(BUILD)/examples/seccomp-agent
EXAMPLES := $(BUILD)/examples/show-denied $(BUILD)/examples/embedded $(BUILD)/examples/embedded-locked
TEST_PROGRAMS := $(BUILD)/tests/probe $(BUILD)/tests/probe-linked $(BUILD)/tests/libearly-thread.so \
                 $(BUILD)/tests/probe-api $(BUILD)/tests/fork-during-apply $(BUILD)/tests/filter-check \
                 $(BUILD)/tests/get-filter \
                 $(BUILD)/tests/sha256sum $(BUILD)/tests/sha256sum-portable $(BUILD)/tests/libmalloc-count.so \
                 $(BUILD)/tests/libautoseccomp-test-cachedir.so $(BUILD)/tests/autoseccomp-test-cachedir \
                 $(BUILD)/tests/libautoseccomp-test-libcopy.so \
                 $(BUILD)/tests/profile-decode $(BUILD)/tests/spin
ifeq ($(SANITIZE),)
TEST_PROGRAMS += $(BUILD)/tests/probe-static $(EXAMPLES:%=%-static)
endif

.PHONY: FORCE all tests check check-plain check-report check-sanitize bench fuzz install uninstall clean
all: $(LIBS) $(TOOL) $(EXAMPLES) $(AGENT)

profiles/default.h: profiles/default.json profiles/embed.sh
	sh profiles/embed.sh $< as_default_profile_json > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/builtin.o: profiles/default.h

# The built-in profile compiled for common hosts at build time, by the stages themselves.
$(BUILD)/precompile: $(STAGE_OBJECTS) $(LIBSECCOMP_LINKED) $(BUILD)/obj/verify.o $(BUILD)/obj/precompile.o
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LIBSECCOMP)

$(BUILD)/gen/precompiled-default.h: $(BUILD)/precompile profiles/default.json
	@mkdir -p $(@D)
	$(BUILD)/precompile profiles/default.json > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/precompiled.o: $(BUILD)/gen/precompiled-default.h

$(BUILD)/obj/%.o: %.c $(HEADERS) include/autoseccomp.h Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -c $< -o $@

$(BUILD)/obj/cache.o: ALL_CFLAGS += -DAS_SYSTEM_CACHE_DIR='"$(CACHEDIR)"'
# The shared object loads libseccomp from where the build found it, so that
# the file the cache keys is the one it loads (libseccomp.h).
PKG_CONFIG ?= pkg-config
LIBSECCOMP_DIR ?= $(shell $(PKG_CONFIG) --variable=libdir libseccomp 2>/dev/null)
$(LIBSECCOMP_LAZY): ALL_CFLAGS += $(if $(LIBSECCOMP_DIR),-DAS_LIBSECCOMP_PATH='"$(LIBSECCOMP_DIR)/libseccomp.so.2"')

# What the cache key calls this build (cache.h): a digest of every source, so
# that two builds of one version never read each other's entries.  Rewritten
# only when it changes, so that only then is cache.o rebuilt.
BUILD_ID := $(shell cat $(sort $(wildcard $(SRC_DIRS:%=%/*.[ch]))) profiles/default.json | sha256sum | cut -c1-32)

$(BUILD)/gen/build-id.h: FORCE
	@mkdir -p $(@D)
	@echo '#define AS_BUILD_ID "$(BUILD_ID)"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/cache.o: $(BUILD)/gen/build-id.h

FORCE:

# The shared object loads libseccomp only when it compiles a profile.
$(BUILD)/libautoseccomp.so: $(OBJECTS) $(LIBSECCOMP_LAZY)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libautoseccomp.so.0 -Wl,-z,defs -Wl,-z,now $(LDFLAGS) $^ -o $@
	ln -sf libautoseccomp.so $(BUILD)/libautoseccomp.so.0

$(TOOL): $(TOOL_OBJECTS) $(LIBSECCOMP_LINKED)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBSECCOMP)

# One relocatable object with every hidden symbol made local, so the archive,
# like the shared object, defines nothing a program could clash with.
$(BUILD)/libautoseccomp.a: $(OBJECTS) $(LIBSECCOMP_LINKED)
	ld -r $^ -o $(BUILD)/obj/autoseccomp.o
	objcopy --localize-hidden $(BUILD)/obj/autoseccomp.o
	rm -f $@ && ar rcs $@ $(BUILD)/obj/autoseccomp.o

# The link line README.md gives for linking the constructor in.
LINK_CONSTRUCTOR = -Wl,--undefined=autoseccomp_version $(BUILD)/libautoseccomp.a $(LIBSECCOMP)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libautoseccomp.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LINK_CONSTRUCTOR)

$(BUILD)/examples/show-denied: examples/show-denied.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@

$(AGENT): examples/seccomp-agent.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBSECCOMP)

$(BUILD)/examples/%-static: examples/%.c $(BUILD)/libautoseccomp.a
	$(CC) $(ALL_CFLAGS) -static $< -o $@ $(LINK_CONSTRUCTOR)

$(BUILD)/tests/probe: tests/probe.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ -lpthread

$(BUILD)/tests/probe-linked: tests/probe.c $(BUILD)/libautoseccomp.a
	$(CC) $(ALL_CFLAGS) $< -o $@ -lpthread $(LINK_CONSTRUCTOR)

$(BUILD)/tests/probe-static: tests/probe.c $(BUILD)/libautoseccomp.a
	$(CC) $(ALL_CFLAGS) -static $< -o $@ -lpthread $(LINK_CONSTRUCTOR)

$(BUILD)/tests/probe-api: tests/probe-api.c $(BUILD)/libautoseccomp.so
	$(CC) $(ALL_CFLAGS) $< -o $@ -L$(BUILD) -l:libautoseccomp.so -Wl,-rpath,$(abspath $(BUILD))

$(BUILD)/tests/fork-during-apply: tests/fork-during-apply.c $(BUILD)/libautoseccomp.so
	$(CC) $(ALL_CFLAGS) $< -o $@ -lpthread -L$(BUILD) -l:libautoseccomp.so \
		-Wl,-rpath,$(abspath $(BUILD))

# The library with a system cache the tests may change and remove: the
# build's own, not the machine's.
$(BUILD)/tests/obj/cache.o: src/start/cache.c $(HEADERS) include/autoseccomp.h Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DAS_SYSTEM_CACHE_DIR='"$(abspath $(BUILD))/tests/system-cache"' \
		-DAS_BUILD_ID='"$(BUILD_ID)-test-cachedir"' -c $< -o $@

$(BUILD)/tests/libautoseccomp-test-cachedir.so: $(filter-out $(BUILD)/obj/cache.o,$(OBJECTS)) \
		$(BUILD)/tests/obj/cache.o $(LIBSECCOMP_LAZY)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-z,defs -Wl,-z,now $^ -o $@

# The library loading libseccomp from a copy the tests replace, as an
# upgrade of libseccomp does.
$(BUILD)/tests/obj/libseccomp-lazy-copy.o: src/start/libseccomp-lazy.c $(HEADERS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DAS_LIBSECCOMP_PATH='"$(abspath $(BUILD))/tests/libseccomp-copy/libseccomp.so.2"' -c $< -o $@

$(BUILD)/tests/libautoseccomp-test-libcopy.so: $(OBJECTS) $(BUILD)/tests/obj/libseccomp-lazy-copy.o
	$(CC) $(ALL_CFLAGS) -shared -Wl,-z,defs -Wl,-z,now $^ -o $@

# The command, with the same system cache, for compile --install.
$(BUILD)/tests/autoseccomp-test-cachedir: $(filter-out $(BUILD)/obj/cache.o,$(TOOL_OBJECTS)) \
		$(BUILD)/tests/obj/cache.o $(LIBSECCOMP_LINKED)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LIBSECCOMP)

$(BUILD)/tests/libearly-thread.so: tests/early-thread.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared $< -o $@ -lpthread

# Built without the sanitizers even in the sanitized build: its child runs
# under a filter that refuses every call, where ASan's runtime cannot map
# memory.  The sanitized command exercises the same evaluator (explain).
$(BUILD)/tests/filter-check: tests/filter-check.c $(call sources,eval error verify) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) tests/filter-check.c $(call sources,eval error verify) -o $@

$(BUILD)/tests/sha256sum: tests/sha256sum.c src/common/sha256.c src/common/sha256.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) tests/sha256sum.c src/common/sha256.c -o $@

# The portable code alone, for the machines whose CPUs have SHA extensions.
$(BUILD)/tests/sha256sum-portable: tests/sha256sum.c src/common/sha256.c src/common/sha256.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DAS_SHA256_PORTABLE tests/sha256sum.c src/common/sha256.c -o $@

# The JSON stage and the profile view alone, printed for test_12_go_decoder.py.
$(BUILD)/tests/profile-decode: tests/profile-decode.c $(BUILD)/obj/error.o $(BUILD)/obj/source.o \
		$(BUILD)/obj/json.o $(BUILD)/obj/names.o $(BUILD)/obj/profile.o $(BUILD)/obj/scratch.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc $^ -o $@

# No C library and no sanitizer: it must make no system call after execve.
$(BUILD)/tests/spin: tests/spin.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -nostdlib -fno-stack-protector $< -o $@

$(BUILD)/tests/get-filter: tests/get-filter.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@

BENCH_PROGRAMS := $(BUILD)/tests/bench-startup $(BUILD)/tests/bench-syscall $(BUILD)/tests/bench-attach \
                  $(BUILD)/tests/libmalloc-count.so \
                  $(BUILD)/tests/true-static $(BUILD)/tests/true-static-confined $(BUILD)/tests/filter-check \
                  $(BUILD)/tests/libfloor-none.so $(BUILD)/tests/libfloor-one.so $(BUILD)/tests/libfloor-builtin.so $(BUILD)/tests/true-static-floor \
                  $(BUILD)/tests/libpeer-libseccomp.so

$(BUILD)/tests/bench-%: tests/bench/bench-%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@

$(BUILD)/tests/libmalloc-count.so: tests/malloc-count.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared $< -o $@

$(BUILD)/tests/true-static: tests/true.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static $< -o $@

$(BUILD)/tests/true-static-confined: tests/true.c $(BUILD)/libautoseccomp.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static $< -o $@ $(LINK_CONSTRUCTOR)

# The floor any seccomp preload can reach, for make bench to compare with.
$(BUILD)/tests/libfloor-none.so: tests/bench/floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFLOOR_NONE -shared $< -o $@

$(BUILD)/tests/libfloor-one.so: tests/bench/floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFLOOR_ONE -shared $< -o $@

$(BUILD)/tests/libfloor-builtin.so: tests/bench/floor.c src/start/precompiled.h $(BUILD)/gen/precompiled-default.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -shared $< -o $@

$(BUILD)/tests/true-static-floor: tests/true.c tests/bench/floor.c src/start/precompiled.h $(BUILD)/gen/precompiled-default.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -static tests/true.c tests/bench/floor.c -o $@

# What runc and crun do with a profile, as a preload.
$(BUILD)/tests/libpeer-libseccomp.so: tests/peer-libseccomp.c $(STAGE_OBJECTS) $(LIBSECCOMP_LINKED) $(BUILD)/obj/install.o $(BUILD)/obj/agent.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared $^ -o $@ $(LIBSECCOMP)

# Benchmarks print a table; they pass or fail nothing.
bench: $(LIBS) $(TOOL) $(BENCH_PROGRAMS)
	AUTOSECCOMP_BUILD=$(abspath $(BUILD)) $(PYTHON) tests/bench/bench.py

tests: $(LIBS) $(TOOL) $(EXAMPLES) $(AGENT) $(TEST_PROGRAMS)

# The suite twice: as built, then under AddressSanitizer and UBSan; between
# them, the behaviour tests again with every confined program in report
# mode, which must answer every call as enforcement does.
check: check-plain check-report check-sanitize

check-plain: tests
	AUTOSECCOMP_BUILD=$(abspath $(BUILD)) AUTOSECCOMP_SANITIZE=$(SANITIZE) \
		$(PYTHON) -m pytest -q -rs tests

REPORT_RUN_TESTS := tests/test_01_semantics.py tests/test_02_builtin.py tests/test_03_abi.py \
                    tests/test_04_processes.py tests/test_09_fidelity.py
check-report: tests
	rm -f $(abspath $(BUILD))/report-run.log && install -m 666 /dev/null $(abspath $(BUILD))/report-run.log
	AUTOSECCOMP_BUILD=$(abspath $(BUILD)) AUTOSECCOMP_TEST_REPORT=$(abspath $(BUILD))/report-run.log \
		$(PYTHON) -m pytest -q -rs $(REPORT_RUN_TESTS)
	@test -s $(abspath $(BUILD))/report-run.log && echo "report mode: $$(wc -l < $(abspath $(BUILD))/report-run.log) lines reported"

check-sanitize:
	$(MAKE) --no-print-directory BUILD=build-sanitize SANITIZE=1 check-plain

# libFuzzer, with ASan and UBSan: the JSON stage and the view, then the whole
# compile, each for half of FUZZ_SECONDS, on a copy of the seed corpus in
# build-fuzz (which keeps what it finds across runs; the tree's does not grow).
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude $(SRC_DIRS:%=-I%) -I$(FUZZ_BUILD)/gen
FUZZ_RUN     := -max_len=65536 -rss_limit_mb=2048 -timeout=20 -dict=tests/fuzz/json.dict -print_final_stats=1

FUZZ_JSON_SOURCES := $(call sources,error json names profile)
FUZZ_PIPELINE_SOURCES := $(call sources,$(STAGES) libseccomp-linked agent)

$(FUZZ_BUILD)/fuzz-json: tests/fuzz/fuzz-json.c $(FUZZ_JSON_SOURCES) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz-json.c $(FUZZ_JSON_SOURCES) -o $@

$(FUZZ_BUILD)/fuzz-pipeline: tests/fuzz/fuzz-pipeline.c $(FUZZ_PIPELINE_SOURCES) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz-pipeline.c $(FUZZ_PIPELINE_SOURCES) -o $@ $(LIBSECCOMP)

fuzz: $(FUZZ_BUILD)/fuzz-json $(FUZZ_BUILD)/fuzz-pipeline
	@mkdir -p $(FUZZ_BUILD)/corpus/json $(FUZZ_BUILD)/corpus/pipeline
	cp -n tests/fuzz/corpus/json/* $(FUZZ_BUILD)/corpus/json/
	cp -n tests/fuzz/corpus/json/* $(FUZZ_BUILD)/corpus/pipeline/
	$(FUZZ_BUILD)/fuzz-json $(FUZZ_RUN) -max_total_time=$$(( ($(FUZZ_SECONDS) + 1) / 2 )) \
		-artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/json
	$(FUZZ_BUILD)/fuzz-pipeline $(FUZZ_RUN) -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) \
		-artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus/pipeline

# The dynamic linker's cache is refreshed only for a root install into the
# live system: never with DESTDIR (a package build or a staging tree).
LDCONFIG_IF_NEEDED = @if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		echo ldconfig; ldconfig; fi

MAN1_PAGES := $(notdir $(wildcard src/man/man1/*.1))
MAN3_PAGES := $(notdir $(wildcard src/man/man3/*.3))

# The .pc file is written at install time, from this install's directories:
# a file built once would keep the PREFIX of whichever install built it.
install: $(LIBS) $(TOOL)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/autoseccomp
	install -m 0644 $(MAN1_PAGES:%=src/man/man1/%) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN3_PAGES:%=src/man/man3/%) $(DESTDIR)$(MANDIR)/man3/
	install -m 0755 $(BUILD)/libautoseccomp.so $(DESTDIR)$(LIBDIR)/libautoseccomp.so.$(VERSION)
	ln -sf libautoseccomp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libautoseccomp.so.0
	ln -sf libautoseccomp.so.0 $(DESTDIR)$(LIBDIR)/libautoseccomp.so
	install -m 0644 $(BUILD)/libautoseccomp.a $(DESTDIR)$(LIBDIR)/libautoseccomp.a
	install -m 0644 include/autoseccomp.h $(DESTDIR)$(INCLUDEDIR)/autoseccomp.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' src/autoseccomp.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/autoseccomp.pc.tmp
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/autoseccomp.pc.tmp
	mv $(DESTDIR)$(PKGCONFIGDIR)/autoseccomp.pc.tmp $(DESTDIR)$(PKGCONFIGDIR)/autoseccomp.pc
	$(LDCONFIG_IF_NEEDED)

# Exactly the files install writes, for the same PREFIX and DESTDIR; the
# directories stay, as others may share them.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/autoseccomp $(MAN1_PAGES:%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(MAN3_PAGES:%=$(DESTDIR)$(MANDIR)/man3/%) $(DESTDIR)$(LIBDIR)/libautoseccomp.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libautoseccomp.so.0 $(DESTDIR)$(LIBDIR)/libautoseccomp.so \
		$(DESTDIR)$(LIBDIR)/libautoseccomp.a $(DESTDIR)$(INCLUDEDIR)/autoseccomp.h \
		$(DESTDIR)$(PKGCONFIGDIR)/autoseccomp.pc
	$(LDCONFIG_IF_NEEDED)

clean:
	rm -rf build build-sanitize build-fuzz profiles/default.h
