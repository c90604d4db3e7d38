# The segment target reads through the tools' market-data formatting.
build/fuzz/fuzz_segment: FUZZ_EXTRA := tools/oob/md_view.c
build/fuzz/fuzz_segment: tools/oob/md_view.c
