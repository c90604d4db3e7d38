# TradeFan Engine — plain Makefile driven by pkg-config.
#
#   make            build everything (engine, tools, tests, benchmarks) into build/
#   make deps       install missing Debian packages (idempotent, needs root)
#   make test       unit tests, ASan+UBSan, TSan, valgrind and integration tests
#   make bench      every benchmark (make bench-ring, make bench-journal ...)
#   make run        build, start the engine with the development config, show tfstat live
#   make install PREFIX=/usr/local
#
# VARIANT=asan|tsan builds into build/asan or build/tsan with sanitizers.
# Quiet unless V=1.

CC      ?= cc
PREFIX  ?= /usr/local
VARIANT ?= release
ENV     ?= development

PKGS      := ck yaml-0.1
TEST_PKGS := cmocka

ifeq ($(V),1)
Q :=
else
Q := @
endif

BASE_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -g -pthread -MMD -MP -I. \
               -D_GNU_SOURCE

ifeq ($(VARIANT),release)
OUT        := build
OPT_CFLAGS := -O2 -mtune=native
SAN_FLAGS  :=
else ifeq ($(VARIANT),asan)
OUT        := build/asan
OPT_CFLAGS := -O1 -fno-omit-frame-pointer
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(VARIANT),tsan)
OUT        := build/tsan
OPT_CFLAGS := -O1 -fno-omit-frame-pointer
SAN_FLAGS  := -fsanitize=thread
else
$(error VARIANT must be release, asan or tsan)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

CFLAGS  := $(BASE_CFLAGS) $(OPT_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN_FLAGS) -pthread
LDLIBS  := $(PKG_LIBS) -lrt -lm

# ---- sources --------------------------------------------------------------
SHM_SRC    := $(wildcard shm/*.c)
ENGINE_SRC := $(filter-out engine/main.c,$(wildcard engine/*.c))
TOOLS      := tfstat tfdump tfctl
TEST_SRC   := $(wildcard tests/shm/test_*.c tests/engine/test_*.c)
BENCH_SRC  := $(wildcard bench/bench_*.c)

SHM_OBJ    := $(SHM_SRC:%.c=$(OUT)/obj/%.o)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(OUT)/obj/%.o)
TOOL_BINS  := $(TOOLS:%=$(OUT)/bin/%)
TEST_BINS  := $(TEST_SRC:tests/%.c=$(OUT)/tests/%)
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(OUT)/bench/%)

LIBSHM    := $(OUT)/lib/libtfshm.a
LIBENGINE := $(OUT)/lib/libtfengine.a
ENGINE    := $(OUT)/bin/tfengine

.PHONY: all deps test test-unit test-asan test-tsan test-valgrind test-integration \
        bench run install clean
.DEFAULT_GOAL := all

all: $(ENGINE) $(TOOL_BINS) $(TEST_BINS) $(BENCH_BINS)

$(OUT)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBSHM): $(SHM_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(LIBENGINE): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(ENGINE): $(OUT)/obj/engine/main.o $(LIBENGINE) $(LIBSHM)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/bin/%: $(OUT)/obj/tools/%.o $(LIBSHM)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/obj/tests/%.o: tests/%.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(OUT)/tests/%: $(OUT)/obj/tests/%.o $(LIBENGINE) $(LIBSHM)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

$(OUT)/bench/%: $(OUT)/obj/bench/%.o $(LIBSHM)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)

# ---- the two commands and their helpers ------------------------------------
deps:
	$(Q)sh tuning/deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory VARIANT=asan all
	$(Q)$(MAKE) --no-print-directory VARIANT=tsan all
	$(Q)sh tests/run_all.sh

test-unit: all
	$(Q)sh tests/run_unit.sh build

bench: all
	$(Q)sh bench/run_all.sh

bench-%: all
	$(Q)sh bench/run_all.sh $*

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tuning/run.sh $(ENV)

install: $(ENGINE) $(TOOL_BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tradefan/environments
	install -m 0755 $(ENGINE) $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 tuning/environments/*.yaml $(DESTDIR)$(PREFIX)/share/tradefan/environments/

clean:
	rm -rf build
