/* Distinct-error log in shared memory (after Aeron's distinct_error_log).
 *
 * Pinned threads must not format strings or write to stderr, so they note
 * errors here by code: the first occurrence of a code fills an entry (code,
 * first/last time, count, last argument, a fixed detail literal), later ones
 * bump its count and last time. Tools read and format.
 *
 * Each owner (stage, or the engine's main thread) has its own block of
 * entries, so every entry has one writer. A block that is full counts the
 * extra distinct codes in `overflow`.
 */
#ifndef TF_SHM_ERRLOG_H
#define TF_SHM_ERRLOG_H

#include <stdint.h>
#include <string.h>

#include "shm/atomic.h"
#include "shm/common.h"

/* Error codes. Append only: the number is the contract with old tools. */
typedef enum tf_err_code {
    TF_E_NONE = 0,
    TF_E_RING_FULL_DROP,     /* a record was dropped because a ring stayed full */
    TF_E_SEQ_GAP,            /* a consumer saw a sequence gap */
    TF_E_SEQ_REORDER,        /* a consumer saw a sequence go backwards */
    TF_E_JOURNAL_APPEND,     /* a record did not fit the journal slot */
    TF_E_REQUEST_UNKNOWN,    /* a request of an unknown type */
    TF_E_REQUEST_INVALID,    /* a request failed validation */
    TF_E_STATE_OVERFLOW,     /* no state slot left */
    TF_E_JOURNAL_FLUSH,      /* writing the journal to disk failed */
    TF_E_DEADLINE_OVERRUN,   /* a stage fell behind its schedule */
    TF_E_MD_MALFORMED,       /* feed: a message that is not valid JSON, or truncated */
    TF_E_MD_UNKNOWN,         /* feed: a stream, event or symbol we do not know */
    TF_E_MD_BAD_VALUE,       /* feed: a field missing, not a number, or too precise */
    TF_E_MD_OVERSIZED,       /* feed: a message above feed.max_frame_bytes */
    TF_E_MD_DUPLICATE,       /* feed: a trade id seen before (dropped) */
    TF_E_MD_TRADE_GAP,       /* feed: trade ids missing */
    TF_E_MD_BAD_TRADE,       /* feed: absurd price or quantity (refused) */
    TF_E_MD_BOOK_GAP,        /* feed: depth update ids do not connect; resync */
    TF_E_MD_SNAPSHOT,        /* feed: a depth snapshot request failed */
    TF_E_MD_CONNECT,         /* feed: connecting to the venue failed */
    TF_E_MD_IDLE,            /* feed: no message within feed.idle_timeout_ms */
    TF_E_MD_DISCONNECT,      /* feed: the connection went down */
    TF_E_MD_LATE_TRADE,      /* feed: a trade too late to revise its bar */
    TF_E_MD_VENUE_ERROR,     /* feed: the venue answered with an error */
    TF_E_ORDER_ILLEGAL,      /* oms: an impossible execution report (arg = order id) */
    TF_E_ORDER_VENUE_FULL,   /* oms: the venue ring was full (arg = order id) */
    TF_E_FIX_CONNECT,        /* exio: connecting failed (arg = errno, detail = session) */
    TF_E_FIX_DISCONNECT,     /* exio: a session went down (arg = session, detail = why) */
    TF_E_FIX_GARBLED,        /* exio: a garbled message was ignored (arg = session) */
    TF_E_FIX_REJECT,         /* exio: the venue refused a request (arg = order id) */
    TF_E_FIX_BAD_REPORT,     /* exio: a report for no order of ours, or unreadable (arg = session) */
    TF_E_FIX_UNKNOWN_FATE,   /* exio: no status answer after a reconnect (arg = order id) */
    TF_E_FIX_SEQ_RESET,      /* exio: the venue's numbers restarted below ours: session halted (arg = session) */
    TF_E_FIX_LOGON_REFUSED,  /* exio: the venue refused our Logon (arg = session; words in its state slot) */
    TF_E_ORDER_OUT_OF_BAND,  /* oms: a fill for a finished or unknown order (arg = order id) */
    TF_E_FIX_OUT_OF_SCHEDULE,/* exio: a session ended at exchange.schedule's end (arg = session) */
    TF_E_ALGO_REFUSED,       /* risk: a parent's parameters refused (arg = client request id); algo: a parent paused
                              * after its children kept being refused, an amend refused (arg = parent id) */
    TF_E_CODE_COUNT
} tf_err_code;

extern const char *const tf_err_code_names[TF_E_CODE_COUNT];

#define TF_ERRLOG_MAX_OWNERS 32u
#define TF_ERRLOG_ENTRIES 32u
#define TF_ERRLOG_DETAIL 24u

typedef struct tf_errlog_entry {
    uint32_t code;        /* 0 = free; stored last (release) when claimed */
    uint32_t owner;
    uint64_t count;
    uint64_t first_ns;    /* CLOCK_MONOTONIC */
    uint64_t last_ns;
    uint64_t last_arg;    /* e.g. the sequence or value involved */
    char detail[TF_ERRLOG_DETAIL]; /* fixed text from the first occurrence */
} tf_errlog_entry;
_Static_assert(sizeof(tf_errlog_entry) == 64, "one entry per cache line");

typedef struct tf_errlog_block {
    tf_errlog_entry entries[TF_ERRLOG_ENTRIES];
    uint64_t overflow;    /* distinct codes that found no free entry */
    uint8_t _pad[TF_WRITER_LINE - 8];
} tf_errlog_block;
_Static_assert(sizeof(tf_errlog_block) % TF_WRITER_LINE == 0, "blocks tile writer lines");

typedef struct tf_errlog {
    uint32_t owner_count;
    uint8_t _pad[TF_WRITER_LINE - 4];
    tf_errlog_block blocks[TF_ERRLOG_MAX_OWNERS];
} tf_errlog;

/* Owner thread only; no formatting, no allocation. `detail` should be a
 * string literal (copied on the first occurrence only). */
static inline void tf_errlog_note(tf_errlog_block *b, uint32_t owner, tf_err_code code,
                                  uint64_t arg, const char *detail, uint64_t now_ns)
{
    for (uint32_t i = 0; i < TF_ERRLOG_ENTRIES; i++) {
        tf_errlog_entry *e = &b->entries[i];
        uint32_t c = e->code;
        if (c == (uint32_t)code) {
            tf_counter_inc(&e->count, 1);
            tf_store_64(&e->last_ns, now_ns);
            tf_store_64(&e->last_arg, arg);
            return;
        }
        if (c == 0) {
            e->owner = owner;
            e->count = 1;
            e->first_ns = now_ns;
            e->last_ns = now_ns;
            e->last_arg = arg;
            tf_copy_name(e->detail, sizeof e->detail, detail);
            tf_store_release_32(&e->code, (uint32_t)code);
            return;
        }
    }
    tf_counter_inc(&b->overflow, 1);
}

const char *tf_err_code_name(uint32_t code);

#endif
