# fuzz_exio_reports: the exchange I/O stage and what it links beyond
# FUZZ_LIB_SRC (the stage runtime for its error log, io_uring for its
# transport, which the target never polls).
build/fuzz/fuzz_exio_reports: FUZZ_EXTRA := $(wildcard engine/venue/*.c) $(wildcard engine/runtime/*.c) \
    $(shell pkg-config --libs liburing libcap 2>/dev/null)
