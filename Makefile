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
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= /etc/systemd/system
DOCDIR  ?= $(PREFIX)/share/doc/tradefan
VARIANT ?= release
ENV     ?= development

PKGS      := ck yaml-0.1 liburing libwebsockets openssl libcurl hiredis zlib jansson libcap
TEST_PKGS := cmocka
BENCH_PKGS := jansson

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
BENCH_CFLAGS := $(shell pkg-config --cflags $(BENCH_PKGS) 2>/dev/null)
BENCH_LIBS   := $(shell pkg-config --libs $(BENCH_PKGS) 2>/dev/null)

CFLAGS  := $(BASE_CFLAGS) $(OPT_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN_FLAGS) -pthread
LDLIBS  := $(PKG_LIBS) -lrt -lm -ldl

# ---- sources --------------------------------------------------------------
# Libraries, lowest first; each links only those below it:
#   shm/      libtfshm.a    the shared-memory contract and its catalogue
#   lib/      libtfbase.a (small helpers: text, backoff, time zones, schedules), libtffix.a (FIX 4.4),
#             libtfconf.a (the YAML config every process reads), libtfalgo.a (execution
#             algorithms as pure logic: the engine's algo stage runs them, tfctl checks parameters)
#   engine/   libtfengine.a the engine's subsystems; only tfengine, its tests
#             and benchmarks link it
#   tools/oob libtfoob.a    the out-of-band reader library of the tools
SHM_SRC    := $(wildcard shm/*.c)
BASE_SRC   := $(wildcard lib/base/*.c)
FIX_SRC    := $(wildcard lib/fix/*.c)
CONF_SRC   := $(wildcard lib/conf/*.c)
ALGO_SRC   := $(wildcard lib/algo/*.c)
ENGINE_SRC := engine/engine.c engine/event_log.c $(wildcard engine/runtime/*.c engine/md/*.c engine/orders/*.c engine/algo/*.c engine/venue/*.c)
OOB_SRC    := $(wildcard tools/oob/*.c tools/oob/stat/*.c)
TOOLS      := tfstat tfdump tfctl tfsim tfwatchdog tfsup
TFSIM_SRC  := $(wildcard tools/tfsim/*.c tools/tfsim/md/*.c tools/tfsim/exchange/*.c)
OOB_TOOLS  := tfexport-influx tfexport-redis tfexport-prom tfquery tfconsole
CONSOLE_SRC := $(wildcard tools/console/*.c)
# The console's pages and the front-end libraries they draw with (web/,
# pinned in web/package-lock.json, fetched by make deps), copied into
# $(OUT)/web: the pages load nothing from outside.
WEB_SRC    := $(wildcard web/console/*)
WEB_VENDOR := web/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js \
              web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css
PROM_SRC   := $(filter-out tools/prom/main.c,$(wildcard tools/prom/*.c))
QUERY_SRC  := $(wildcard tools/query/*.c)
CLIENT_SRC := client/tfclient.c
TEST_SRC   := $(shell find tests -name 'test_*.c' | sort)
BENCH_SRC  := $(wildcard bench/bench_*.c)

SHM_OBJ    := $(SHM_SRC:%.c=$(OUT)/obj/%.o)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(OUT)/obj/%.o)
TOOL_BINS  := $(TOOLS:%=$(OUT)/bin/%) $(OOB_TOOLS:%=$(OUT)/bin/%)
# The client library (strategies in other processes, the Python module) and
# the sample in-engine strategy plugin: shared objects, built position-independent.
CLIENT_SO  := $(OUT)/lib/libtfclient.so
PLUGIN_SO  := $(OUT)/lib/sample_strategy.so
TEST_BINS  := $(TEST_SRC:tests/%.c=$(OUT)/tests/%)
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(OUT)/bench/%)

LIBSHM    := $(OUT)/lib/libtfshm.a
LIBBASE   := $(OUT)/lib/libtfbase.a
LIBFIX    := $(OUT)/lib/libtffix.a
LIBCONF   := $(OUT)/lib/libtfconf.a
LIBALGO   := $(OUT)/lib/libtfalgo.a
LIBENGINE := $(OUT)/lib/libtfengine.a
LIBOOB    := $(OUT)/lib/libtfoob.a
ENGINE    := $(OUT)/bin/tfengine
# What an engine-side binary links, and what a tool links (never the engine).
ENGINE_LIBS := $(LIBENGINE) $(LIBALGO) $(LIBFIX) $(LIBCONF) $(LIBBASE) $(LIBSHM)
TOOL_LIBS   := $(LIBOOB) $(LIBALGO) $(LIBCONF) $(LIBBASE) $(LIBSHM)

.PHONY: all deps test test-build test-unit bench chaos run install clean
.DEFAULT_GOAL := all

all: $(ENGINE) $(TOOL_BINS) $(TEST_BINS) $(BENCH_BINS) $(OUT)/bench/query_load $(CLIENT_SO) $(PLUGIN_SO) $(OUT)/web/.built \
     $(OUT)/examples/c_strategy $(if $(filter release,$(VARIANT)),$(OUT)/bench/quickfix_rtt)

# Link $@ from its prerequisites, with the libraries given.
define link
@mkdir -p $(dir $@)
@$(if $(Q),echo "  LD      $@")
$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(1)
endef

$(OUT)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/lib/%.a:
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBSHM): $(SHM_OBJ)
$(LIBBASE): $(BASE_SRC:%.c=$(OUT)/obj/%.o)
$(LIBFIX): $(FIX_SRC:%.c=$(OUT)/obj/%.o)
$(LIBCONF): $(CONF_SRC:%.c=$(OUT)/obj/%.o)
$(LIBALGO): $(ALGO_SRC:%.c=$(OUT)/obj/%.o)
$(LIBENGINE): $(ENGINE_OBJ)
$(LIBOOB): $(OOB_SRC:%.c=$(OUT)/obj/%.o)

$(OUT)/bin/tfexport-%: $(OUT)/obj/tools/export/main_%.o $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/bin/tfquery: $(QUERY_SRC:%.c=$(OUT)/obj/%.o) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

# tfconsole: its process and the client library (operator actions);
# tfstat's sections and the hot store are in tools/oob.
$(OUT)/bin/tfconsole: $(CONSOLE_SRC:%.c=$(OUT)/obj/%.o) $(OUT)/obj/client/tfclient.o $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/web/.built: $(WEB_SRC) web/package-lock.json
	$(Q)for f in $(WEB_VENDOR); do [ -f "$$f" ] || { echo "web: $$f is missing: run make deps (npm ci in web/)" >&2; exit 1; }; done
	$(Q)mkdir -p $(OUT)/web/vendor && cp $(WEB_SRC) $(OUT)/web/ && cp $(WEB_VENDOR) $(OUT)/web/vendor/ && touch $@

# tfexport-prom: its process and the renderer in tools/prom/.
$(OUT)/bin/tfexport-prom: $(OUT)/obj/tools/prom/main.o $(PROM_SRC:%.c=$(OUT)/obj/%.o) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(ENGINE): $(OUT)/obj/engine/main.o $(ENGINE_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/pic/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC PIC  $<")
	$(Q)$(CC) $(CFLAGS) -fPIC -c $< -o $@

$(CLIENT_SO): $(CLIENT_SRC:%.c=$(OUT)/pic/%.o) $(SHM_SRC:%.c=$(OUT)/pic/%.o)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -o $@ $^ $(LDLIBS)

$(PLUGIN_SO): $(OUT)/pic/plugins/sample_strategy.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -o $@ $^

# The C client example, linked against the shared library as a user would.
$(OUT)/examples/c_strategy: examples/c_strategy.c $(CLIENT_SO)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< -L$(OUT)/lib -ltfclient -Wl,-rpath,$(abspath $(OUT)/lib) $(LDFLAGS)

$(OUT)/bin/tfctl: $(patsubst %.c,$(OUT)/obj/%.o,$(wildcard tools/tfctl/*.c)) $(CLIENT_SRC:%.c=$(OUT)/obj/%.o) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

# tfwatchdog: out-of-band stage heartbeats; it asks for the kill switch as a client.
$(OUT)/bin/tfwatchdog: $(patsubst %.c,$(OUT)/obj/%.o,$(wildcard tools/watchdog/*.c)) $(CLIENT_SRC:%.c=$(OUT)/obj/%.o) \
                       $(TOOL_LIBS)
	$(call link,$(LDLIBS))

# tfsup: one box's supervisor (tfctl up/down/status run it).
$(OUT)/bin/tfsup: $(patsubst %.c,$(OUT)/obj/%.o,$(wildcard tools/sup/*.c)) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

# tfsim, the local exchange: its market-data half (md/), its order-entry
# half (exchange/) and main.c. It speaks FIX through lib/fix, as the engine does.
$(OUT)/bin/tfsim: $(TFSIM_SRC:%.c=$(OUT)/obj/%.o) $(LIBFIX) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/bin/tfstat: $(OUT)/obj/tools/tfstat/tfstat.o $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/bin/tfdump: $(patsubst %.c,$(OUT)/obj/%.o,$(wildcard tools/tfdump/*.c)) $(TOOL_LIBS)
	$(call link,$(LDLIBS))

$(OUT)/obj/tests/%.o: tests/%.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) -c $< -o $@

# Tests link what the code under test links: shm/ and lib/ tests the lowest
# libraries, tools/ tests the tools' libraries (tfsim's pieces as objects),
# engine/ tests the engine.
TFSIM_TESTED := $(filter-out tools/tfsim/main.c,$(TFSIM_SRC))
$(OUT)/tests/tools/tfsim/%: $(OUT)/obj/tests/tools/tfsim/%.o $(TFSIM_TESTED:%.c=$(OUT)/obj/%.o) $(LIBFIX) $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

# tfquery's tests link its cache and hot store as objects (not main.c).
$(OUT)/tests/tools/query/%: $(OUT)/obj/tests/tools/query/%.o $(OUT)/obj/tools/query/lru.o $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))
# test_api includes api.c; the endpoints and replies it calls are linked.
$(OUT)/tests/tools/query/test_api: $(OUT)/obj/tests/tools/query/test_api.o $(OUT)/obj/tools/query/lru.o \
    $(OUT)/obj/tools/query/api_record.o $(OUT)/obj/tools/query/api_history.o $(OUT)/obj/tools/query/api_instance.o $(OUT)/obj/tools/query/backend.o $(OUT)/obj/tools/query/reply.o $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

# The watchdog's judgement, tested as an object.
$(OUT)/tests/tools/watchdog/%: $(OUT)/obj/tests/tools/watchdog/%.o $(OUT)/obj/tools/watchdog/watch.o $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

# The supervisor's plan and status, tested as objects (not main.c).
$(OUT)/tests/tools/sup/%: $(OUT)/obj/tests/tools/sup/%.o \
    $(patsubst %.c,$(OUT)/obj/%.o,$(filter-out tools/sup/main.c,$(wildcard tools/sup/*.c))) $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

# The exporter's renderer, tested as objects.
$(OUT)/tests/tools/prom/%: $(OUT)/obj/tests/tools/prom/%.o $(PROM_SRC:%.c=$(OUT)/obj/%.o) $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

$(OUT)/tests/tools/%: $(OUT)/obj/tests/tools/%.o $(TOOL_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

$(OUT)/tests/shm/%: $(OUT)/obj/tests/shm/%.o $(LIBSHM)
	$(call link,$(TEST_LIBS) $(LDLIBS))

$(OUT)/tests/lib/%: $(OUT)/obj/tests/lib/%.o $(LIBALGO) $(LIBFIX) $(LIBCONF) $(LIBBASE) $(LIBSHM)
	$(call link,$(TEST_LIBS) $(LDLIBS))

# The client library's tests link it as a strategy process does: shm/ only.
$(OUT)/tests/client/%: $(OUT)/obj/tests/client/%.o $(CLIENT_SRC:%.c=$(OUT)/obj/%.o) $(LIBSHM)
	$(call link,$(TEST_LIBS) $(LDLIBS))

$(OUT)/tests/%: $(OUT)/obj/tests/%.o $(ENGINE_LIBS)
	$(call link,$(TEST_LIBS) $(LDLIBS))

$(OUT)/obj/bench/%.o: bench/%.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(BENCH_CFLAGS) -c $< -o $@

# The QuickFIX initiator the FIX round trip is compared with (C++, Debian's
# libquickfix-dev): a baseline, built like the other benchmarks.
CXX ?= g++
$(OUT)/bench/quickfix_rtt: bench/quickfix_rtt.cpp Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) -std=gnu++17 -O2 -g -Wall -Wextra -Werror -Wno-deprecated-declarations $(SAN_FLAGS) \
		$(shell pkg-config --cflags quickfix 2>/dev/null) -o $@ $< $(shell pkg-config --libs quickfix 2>/dev/null) -pthread

# bench_decode's simdjson On-Demand baseline (Debian libsimdjson-dev), C++:
# linked in release builds; under sanitizers the baseline is skipped (weak symbol).
ifeq ($(VARIANT),release)
$(OUT)/obj/bench/decode_simdjson.o: bench/decode_simdjson.cpp bench/decode_simdjson.h Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) -std=gnu++17 -O2 -g -Wall -Wextra -Werror -I. $(shell pkg-config --cflags simdjson 2>/dev/null) -c $< -o $@
$(OUT)/bench/bench_decode: $(OUT)/obj/bench/bench_decode.o $(OUT)/obj/bench/decode_simdjson.o $(ENGINE_LIBS)
	$(call link,$(BENCH_LIBS) $(LDLIBS) $(shell pkg-config --libs simdjson 2>/dev/null || echo -lsimdjson) -lstdc++)
endif

# Tick-to-trade submits through the client library, as a strategy process does.
$(OUT)/bench/bench_t2t: $(OUT)/obj/bench/bench_t2t.o $(CLIENT_SRC:%.c=$(OUT)/obj/%.o) $(LIBSHM)
	$(call link,$(BENCH_LIBS) $(LDLIBS))

# The query benchmark's load generator (run by bench/bench_query.sh).
$(OUT)/bench/query_load: $(OUT)/obj/bench/query_load.o
	$(call link,)

$(OUT)/bench/%: $(OUT)/obj/bench/%.o $(ENGINE_LIBS)
	$(call link,$(BENCH_LIBS) $(LDLIBS))

# ---- fuzzing (clang libFuzzer + ASan/UBSan) ----------------------------------
# make fuzz runs each target for FUZZ_SECONDS (default 60); make test runs a
# short pass (tests/fuzz_run.sh with FUZZ_SECONDS=10). Corpus seeds live in fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 60
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_LIB_SRC := $(SHM_SRC) $(BASE_SRC) $(CONF_SRC) $(FIX_SRC) engine/md/md_decode.c engine/md/instruments.c engine/md/md_book.c \
                engine/orders/risk.c engine/orders/risk_control.c engine/orders/risk_setup.c engine/orders/risk_limits.c engine/orders/oms.c engine/orders/oms_table.c engine/orders/oms_settle.c \
                engine/orders/paper.c engine/orders/order_fsm.c engine/orders/position.c \
                engine/orders/risk_algo.c engine/orders/risk_exposure.c $(ALGO_SRC)
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 -I. -D_GNU_SOURCE \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               $(shell pkg-config --cflags ck yaml-0.1 2>/dev/null)

# A target that needs more than FUZZ_LIB_SRC names it in fuzz/<target>.mk:
#   build/fuzz/fuzz_x: FUZZ_EXTRA := tools/x/a.c tools/x/b.c
FUZZ_EXTRA :=
-include $(wildcard fuzz/*.mk)

build/fuzz/%: fuzz/%.c $(FUZZ_LIB_SRC) $(wildcard shm/*.h lib/*/*.h engine/*/*.h tools/*/*.h) Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(FUZZ_EXTRA) $(shell pkg-config --libs ck yaml-0.1 openssl 2>/dev/null) -lrt -lm -pthread

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz_run.sh

-include $(shell find $(OUT)/obj $(OUT)/pic -name '*.d' 2>/dev/null)

# ---- the two commands and their helpers ------------------------------------
deps:
	$(Q)sh tuning/deps.sh

test: test-build
	$(Q)sh tests/run_all.sh

# What the tests run: the release, ASan+UBSan and TSan builds and the fuzz targets.
test-build: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory VARIANT=asan all
	$(Q)$(MAKE) --no-print-directory VARIANT=tsan all
	$(Q)$(MAKE) --no-print-directory fuzz-build

test-unit: all
	$(Q)sh tests/run_unit.sh build

bench: all
	$(Q)sh bench/run_all.sh

# The chaos suite: every fault (tests/chaos/chaos.py), Redis and InfluxDB
# frozen CHAOS_FREEZE seconds (default 60); a short pass runs in make test.
CHAOS_FREEZE ?= 60
chaos: all
	$(Q)/usr/bin/python3 tests/chaos/chaos.py --freeze $(CHAOS_FREEZE)

bench-%: all
	$(Q)sh bench/run_all.sh $*

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tuning/run.sh $(ENV)

# Binaries, the environments, the monitoring configs (tfsup renders them
# from share/tradefan/monitoring) and the systemd units (tuning/systemd,
# their @BINDIR@, @SYSCONFDIR@ and @DOCDIR@ filled in); then, as root:
# systemctl daemon-reload (README: "Production with systemd").
install: $(ENGINE) $(TOOL_BINS) $(OUT)/web/.built
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tradefan/environments \
	    $(DESTDIR)$(PREFIX)/share/tradefan/web/vendor \
	    $(DESTDIR)$(PREFIX)/share/tradefan/monitoring/rules $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(ENGINE) $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 tuning/environments/*.yaml $(DESTDIR)$(PREFIX)/share/tradefan/environments/
	install -m 0644 tuning/monitoring/*.yml $(DESTDIR)$(PREFIX)/share/tradefan/monitoring/
	install -m 0755 tuning/monitoring/render.sh $(DESTDIR)$(PREFIX)/share/tradefan/monitoring/
	install -m 0755 tuning/backup $(DESTDIR)$(PREFIX)/share/tradefan/
	install -m 0644 $(OUT)/web/*.html $(OUT)/web/*.js $(OUT)/web/*.css $(DESTDIR)$(PREFIX)/share/tradefan/web/
	install -m 0644 $(OUT)/web/vendor/* $(DESTDIR)$(PREFIX)/share/tradefan/web/vendor/
	install -m 0644 tuning/monitoring/rules/*.yml $(DESTDIR)$(PREFIX)/share/tradefan/monitoring/rules/
	install -m 0644 README.md ARCHITECTURE.md $(DESTDIR)$(DOCDIR)/
	for u in tuning/systemd/*.service tuning/systemd/*.target; do \
	    sed -e 's|@BINDIR@|$(PREFIX)/bin|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@DOCDIR@|$(DOCDIR)|g' $$u \
	        >$(DESTDIR)$(SYSTEMDDIR)/$$(basename $$u) && chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$(basename $$u) || exit 1; \
	done

clean:
	rm -rf build
