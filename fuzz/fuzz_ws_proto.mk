# The WebSocket protocol target links the protocol alone (and OpenSSL, for SHA-1).
build/fuzz/fuzz_ws_proto: FUZZ_EXTRA := engine/md/ws_proto.c
build/fuzz/fuzz_ws_proto: engine/md/ws_proto.c
