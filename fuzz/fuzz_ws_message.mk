# The WebSocket reassembly target links the feed's reassembly alone.
build/fuzz/fuzz_ws_message: FUZZ_EXTRA := engine/md/ws_message.c
build/fuzz/fuzz_ws_message: engine/md/ws_message.c
