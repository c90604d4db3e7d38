# fuzz_query: tfquery's request handling (tools/query/api.c) needs the query
# sources, the out-of-band library and what they link (hiredis, jansson and
# curl are not in the fuzz targets' default libraries; no server is contacted).
QUERY_FUZZ_SRC := tools/query/api.c tools/query/api_record.c tools/query/api_history.c tools/query/api_instance.c tools/query/backend.c tools/query/reply.c tools/query/lru.c $(wildcard tools/oob/*.c)
build/fuzz/fuzz_query: FUZZ_EXTRA := $(QUERY_FUZZ_SRC) $(shell pkg-config --libs hiredis jansson libcurl zlib 2>/dev/null)
build/fuzz/fuzz_query: $(QUERY_FUZZ_SRC)
