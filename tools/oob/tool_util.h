/* Helpers shared by the out-of-band tools. */
#ifndef TF_TOOLS_TOOL_UTIL_H
#define TF_TOOLS_TOOL_UTIL_H

#include "shm/segment.h"

/* The tools' exit codes for an attach result: 2 no engine, 3 wrong layout
 * version, 4 not a TradeFan segment or corrupt. */
static inline int tool_exit_code(tf_seg_status st)
{
    switch (st) {
    case TF_SEG_OK: return 0;
    case TF_SEG_NOT_THERE: case TF_SEG_NOT_READY: return 2;
    case TF_SEG_WRONG_VERSION: return 3;
    default: return 4;
    }
}

#endif
