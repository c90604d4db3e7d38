/* What a FIX session must remember: its sequence numbers, across restarts,
 * and the application messages it sent, for a counterparty's ResendRequest.
 *
 * Sequence numbers live in a small file mapped into memory (one per
 * session: "<dir>/<sender>-<target>.seq"): advancing them is a store into
 * the mapping, no system call on the hot path; the kernel's page cache
 * keeps them across a crash of the process (not of the machine: a power
 * loss can lose the last numbers, and the Logon's sequence check then says
 * so). A file of another version or another session is refused.
 *
 * Sent application messages are kept by sequence number in a fixed ring of
 * slots and a byte ring for their fields (everything after the standard
 * header), so a resend rebuilds each one with PossDup=Y and its original
 * SendingTime; a message that fell out of the rings is gap-filled instead.
 * No allocation after open. One writer: the session's thread. */
#ifndef TF_ENGINE_FIX_STORE_H
#define TF_ENGINE_FIX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_FIX_SEQ_MAGIC 0x5446464958534551ull /* "TFFIXSEQ" */
#define TF_FIX_SEQ_VERSION 1u
#define TF_FIX_COMP_ID_MAX 32u
#define TF_FIX_STORE_SLOTS 8192u          /* power of two */
#define TF_FIX_STORE_BYTES (1u << 20)     /* power of two */

typedef struct tf_fix_seq_file {
    uint64_t magic;
    uint32_t version, _pad;
    uint64_t next_out;                    /* MsgSeqNum of the next message we send */
    uint64_t next_in;                     /* MsgSeqNum we expect next */
    char sender[TF_FIX_COMP_ID_MAX], target[TF_FIX_COMP_ID_MAX];
    uint64_t created_realtime_ns;
} tf_fix_seq_file;

typedef struct tf_fix_stored {
    uint64_t seq;                         /* 0: empty */
    uint64_t pos;                         /* absolute byte position of its fields */
    uint64_t sent_wall_ns;                /* original SendingTime */
    uint32_t len;
    char msg_type[4];
} tf_fix_stored;

typedef struct tf_fix_store {
    tf_fix_seq_file *seq;                 /* the mapping (or `mem` when no directory) */
    tf_fix_seq_file mem;
    size_t map_len;
    tf_fix_stored *slots;
    char *bytes;
    uint64_t byte_head;                   /* absolute position of the next byte written */
} tf_fix_store;

/* Open (create when missing) the sequence file of sender→target under
 * `dir`; dir NULL keeps the numbers in memory only (tests, the simulator).
 * 0, or -1 with TF_ERR (a file of another version or session, I/O). */
int tf_fix_store_open(tf_fix_store *st, const char *dir, const char *sender, const char *target);
void tf_fix_store_close(tf_fix_store *st);

/* Both numbers back to 1 (Logon with ResetSeqNumFlag) and the sent
 * messages forgotten. */
void tf_fix_store_reset(tf_fix_store *st);

/* Keep an application message we sent (its fields after the standard
 * header). A message longer than the byte ring is not kept (gap-filled). */
void tf_fix_store_keep(tf_fix_store *st, uint64_t seq, const char *msg_type, const char *fields, size_t len,
                       uint64_t sent_wall_ns);
/* The message sent as `seq`, or NULL (never kept, an admin message, or
 * overwritten since). *fields points into the ring, valid until the next
 * keep. */
const tf_fix_stored *tf_fix_store_get(const tf_fix_store *st, uint64_t seq, const char **fields);

#endif
