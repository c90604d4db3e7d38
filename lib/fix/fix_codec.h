/* FIX 4.4 tag=value codec: framing, validation, zero-allocation decode and
 * encode into caller-owned buffers. Used by the engine's exchange I/O stage,
 * tfsim's acceptor, the fuzzer and the benchmarks.
 *
 * Decoding: tf_fix_frame finds where the next message ends in a receive
 * buffer (8=...|9=N|...|10=ccc|); tf_fix_parse validates one framed message
 * (BeginString first, BodyLength second and exact, MsgType third, CheckSum
 * last and correct, every field tag=value with a numeric tag and a
 * non-empty value) and records each field as an offset/length into the
 * caller's buffer: nothing is copied, nothing allocated, nothing read
 * outside [buf, buf+len). Repeating groups are kept in order, so a reader
 * walks them with tf_fix_next.
 *
 * Encoding: tf_fix_writer builds the body after a reserved prefix, then
 * tf_fix_finish writes "8=FIX.4.4|9=<exact length>|" right before the body
 * and appends the CheckSum; the finished message is [w->msg, w->msg+len).
 * An overflowing writer sets `overflow` and tf_fix_finish returns 0: a
 * message never goes out truncated.
 *
 * Numbers: prices and quantities are int64 fixed point at 10^-8 (the engine's
 * units); sequence numbers and tags are unsigned. Times (SendingTime 52,
 * TransactTime 60) are UTC "YYYYMMDD-HH:MM:SS.ffffff" (micro) written from
 * ns since the epoch; parsing also takes milliseconds or whole seconds.
 *
 * Threading: all functions are reentrant; a writer or parsed message is
 * used by one thread at a time. */
#ifndef TF_ENGINE_FIX_CODEC_H
#define TF_ENGINE_FIX_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_FIX_SOH '\x01'
#define TF_FIX_BEGIN_STRING "FIX.4.4"
/* Fields recorded per message; more is TF_FIX_E_TOO_MANY_FIELDS (the session
 * rejects it, consuming its number). 512 is far above what venue reports
 * carry (an execution report with fee and party groups has well under 200)
 * while a tf_fix_msg stays 4 KiB (8 bytes a field): one is embedded in each
 * session. Still below the ~2040 fields of 4 bytes ("1=x|") an 8 KiB
 * message can hold, so the limit stays reachable and is checked. */
#define TF_FIX_MAX_FIELDS 512u
#define TF_FIX_MAX_MSG 8192u         /* a message longer than this is refused (framing) */
#define TF_FIX_PREFIX 32u            /* room reserved for "8=FIX.4.4|9=NNNN|" */

/* Tags the session and application layers use. */
enum {
    TF_FIX_TAG_ACCOUNT = 1, TF_FIX_TAG_AVG_PX = 6, TF_FIX_TAG_BEGIN_SEQ_NO = 7, TF_FIX_TAG_BEGIN_STRING = 8,
    TF_FIX_TAG_BODY_LENGTH = 9, TF_FIX_TAG_CHECKSUM = 10, TF_FIX_TAG_CL_ORD_ID = 11, TF_FIX_TAG_COMMISSION = 12,
    TF_FIX_TAG_CUM_QTY = 14, TF_FIX_TAG_END_SEQ_NO = 16, TF_FIX_TAG_EXEC_ID = 17, TF_FIX_TAG_EXEC_INST = 18,
    TF_FIX_TAG_LAST_PX = 31, TF_FIX_TAG_LAST_QTY = 32, TF_FIX_TAG_MSG_SEQ_NUM = 34, TF_FIX_TAG_MSG_TYPE = 35,
    TF_FIX_TAG_NEW_SEQ_NO = 36, TF_FIX_TAG_ORDER_ID = 37, TF_FIX_TAG_ORDER_QTY = 38, TF_FIX_TAG_ORD_STATUS = 39,
    TF_FIX_TAG_ORD_TYPE = 40, TF_FIX_TAG_ORIG_CL_ORD_ID = 41, TF_FIX_TAG_POSS_DUP = 43, TF_FIX_TAG_PRICE = 44,
    TF_FIX_TAG_REF_SEQ_NUM = 45, TF_FIX_TAG_SENDER_COMP_ID = 49, TF_FIX_TAG_SENDING_TIME = 52,
    TF_FIX_TAG_SIDE = 54, TF_FIX_TAG_SYMBOL = 55, TF_FIX_TAG_TARGET_COMP_ID = 56, TF_FIX_TAG_TEXT = 58,
    TF_FIX_TAG_TIME_IN_FORCE = 59, TF_FIX_TAG_TRANSACT_TIME = 60, TF_FIX_TAG_RAW_DATA_LENGTH = 95,
    TF_FIX_TAG_RAW_DATA = 96, TF_FIX_TAG_ENCRYPT_METHOD = 98, TF_FIX_TAG_ORD_REJ_REASON = 103,
    TF_FIX_TAG_HEART_BT_INT = 108, TF_FIX_TAG_TEST_REQ_ID = 112, TF_FIX_TAG_ORIG_SENDING_TIME = 122,
    TF_FIX_TAG_GAP_FILL_FLAG = 123, TF_FIX_TAG_RESET_SEQ_NUM_FLAG = 141, TF_FIX_TAG_EXEC_TYPE = 150,
    TF_FIX_TAG_LEAVES_QTY = 151, TF_FIX_TAG_CXL_REJ_REASON = 102, TF_FIX_TAG_CXL_REJ_RESPONSE_TO = 434,
    TF_FIX_TAG_MASS_STATUS_REQ_ID = 584, TF_FIX_TAG_MASS_STATUS_REQ_TYPE = 585, TF_FIX_TAG_USERNAME = 553,
    TF_FIX_TAG_PASSWORD = 554, TF_FIX_TAG_REF_TAG_ID = 371, TF_FIX_TAG_REF_MSG_TYPE = 372,
    TF_FIX_TAG_SESSION_REJECT_REASON = 373, TF_FIX_TAG_BUSINESS_REJECT_REF_ID = 379,
    TF_FIX_TAG_BUSINESS_REJECT_REASON = 380, TF_FIX_TAG_ORD_STATUS_REQ_ID = 790,
    TF_FIX_TAG_LAST_LIQUIDITY_IND = 851, TF_FIX_TAG_TOT_NUM_REPORTS = 911, TF_FIX_TAG_LAST_RPT_REQUESTED = 912,
    TF_FIX_TAG_COMMISSION_ASSET = 13, TF_FIX_TAG_MAX_FLOOR = 111, TF_FIX_TAG_SELF_TRADE_PREVENTION = 25001,
};

/* Session-level reject reasons (tag 373) the parser and session report. */
typedef enum tf_fix_reject_reason {
    TF_FIX_REJ_INVALID_TAG = 0,
    TF_FIX_REJ_REQUIRED_MISSING = 1,
    TF_FIX_REJ_UNDEFINED_TAG = 3,
    TF_FIX_REJ_NO_VALUE = 4,
    TF_FIX_REJ_BAD_VALUE = 5,
    TF_FIX_REJ_BAD_FORMAT = 6,
    TF_FIX_REJ_SENDING_TIME = 10,
    TF_FIX_REJ_BAD_MSG_TYPE = 11,
    TF_FIX_REJ_TAG_REPEATED = 13,
    TF_FIX_REJ_OTHER = 99,
} tf_fix_reject_reason;

/* tf_fix_frame results. */
typedef enum tf_fix_frame_rc {
    TF_FIX_FRAME_OK = 0,         /* a whole message of *msg_len bytes starts at buf */
    TF_FIX_FRAME_MORE,           /* not enough bytes yet */
    TF_FIX_FRAME_GARBLED,        /* not a message start, bad BodyLength, or too long: skip *msg_len bytes
                                  * (to the next "8=FIX" or to the end) and count it */
} tf_fix_frame_rc;

/* tf_fix_parse results (hot path: codes, no strings). */
typedef enum tf_fix_rc {
    TF_FIX_OK = 0,
    TF_FIX_E_BEGIN_STRING,       /* first field not 8=FIX.4.4 */
    TF_FIX_E_BODY_LENGTH,        /* second field not 9, or its value not the body's length */
    TF_FIX_E_CHECKSUM,           /* last field not 10=ddd, or the sum is wrong */
    TF_FIX_E_MSG_TYPE,           /* third field not 35, or empty */
    TF_FIX_E_SYNTAX,             /* a field without '=', a non-numeric or zero tag, an empty value */
    TF_FIX_E_TOO_MANY_FIELDS,
    TF_FIX_E_RC_COUNT
} tf_fix_rc;
extern const char *const tf_fix_rc_names[TF_FIX_E_RC_COUNT];

typedef struct tf_fix_field {
    uint32_t tag;
    uint16_t off, len;           /* the value: buf[off .. off+len) */
} tf_fix_field;

typedef struct tf_fix_msg {
    const char *buf;             /* the framed message (not owned) */
    uint32_t len;
    uint32_t nfields;            /* header, body and trailer fields, in order */
    char msg_type[4];            /* NUL-terminated (1–3 characters) */
    uint32_t seq;                /* 34, 0 if absent or bad */
    bool poss_dup;               /* 43=Y */
    tf_fix_field fields[TF_FIX_MAX_FIELDS];
} tf_fix_msg;

tf_fix_frame_rc tf_fix_frame(const char *buf, size_t len, size_t *msg_len);
tf_fix_rc tf_fix_parse(const char *buf, size_t len, tf_fix_msg *m);

/* Field access. tf_fix_find: the first field with `tag` at or after index
 * `from` (its index, or -1). */
int tf_fix_find(const tf_fix_msg *m, uint32_t tag, int from);
static inline const char *tf_fix_value(const tf_fix_msg *m, int i) { return m->buf + m->fields[i].off; }
/* Typed getters: 0 on success, -1 when absent or malformed (out untouched). */
int tf_fix_get_str(const tf_fix_msg *m, uint32_t tag, const char **v, size_t *len);
int tf_fix_get_u64(const tf_fix_msg *m, uint32_t tag, uint64_t *v);
int tf_fix_get_i64(const tf_fix_msg *m, uint32_t tag, int64_t *v);
int tf_fix_get_char(const tf_fix_msg *m, uint32_t tag, char *v);
int tf_fix_get_fixed(const tf_fix_msg *m, uint32_t tag, int64_t *v);      /* decimal → 1e-8 */
/* decimal → units of 10^-precision (an instrument's price or qty units);
 * more non-zero digits than the precision is malformed, not rounded. */
int tf_fix_get_decimal(const tf_fix_msg *m, uint32_t tag, unsigned precision, int64_t *v);
int tf_fix_get_time(const tf_fix_msg *m, uint32_t tag, uint64_t *ns);     /* UTCTimestamp → ns */
bool tf_fix_is(const tf_fix_msg *m, const char *msg_type);

/* ---- encoding ---------------------------------------------------------- */

typedef struct tf_fix_writer {
    char *buf;                   /* caller's buffer: TF_FIX_PREFIX + body + 7 */
    uint32_t cap, len;           /* len: end of the body written so far */
    bool overflow;
    char *msg;                   /* after tf_fix_finish: the message start */
} tf_fix_writer;

/* Start a message of `msg_type` into buf[cap]: the body begins with 35=. */
void tf_fix_begin(tf_fix_writer *w, char *buf, size_t cap, const char *msg_type);
void tf_fix_put_str(tf_fix_writer *w, uint32_t tag, const char *v, size_t len);
void tf_fix_put_cstr(tf_fix_writer *w, uint32_t tag, const char *v);
void tf_fix_put_u64(tf_fix_writer *w, uint32_t tag, uint64_t v);
void tf_fix_put_i64(tf_fix_writer *w, uint32_t tag, int64_t v);
void tf_fix_put_char(tf_fix_writer *w, uint32_t tag, char v);
void tf_fix_put_fixed(tf_fix_writer *w, uint32_t tag, int64_t v);          /* 1e-8 → shortest decimal */
void tf_fix_put_decimal(tf_fix_writer *w, uint32_t tag, int64_t v, unsigned precision);
void tf_fix_put_time(tf_fix_writer *w, uint32_t tag, uint64_t ns);         /* UTC, microseconds */
/* Write the header prefix and the CheckSum. Returns the message length
 * (w->msg is its start) or 0 on overflow. */
size_t tf_fix_finish(tf_fix_writer *w);

/* Sum of bytes mod 256 (the CheckSum of [p, p+n)). */
unsigned tf_fix_checksum(const char *p, size_t n);

#endif
