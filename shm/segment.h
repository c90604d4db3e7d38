/* Shared-memory segments: the files in /dev/shm (or on local disk) that the
 * engine creates and out-of-band tools map read-only.
 *
 * A segment is `<dir>/tradefan.<instance>.<segment>`: a 4 KiB header page
 * followed by named regions. The header says what the file is (magic, layout
 * version, kind, size, region table) and who owns it (pid, start time, boot
 * id, heartbeat, LIVE/CLOSED). The creator builds the file under a temporary
 * name, initialises every region, then stores the layout version last (a
 * release store) and renames the file into place, so a reader never maps a
 * half-built segment under its real name.
 *
 * PROMISES
 * - tf_segment_attach() maps read-only (a write through the mapping faults)
 *   and answers in stages: not there, not ready, wrong magic, wrong version,
 *   wrong kind, truncated — each with a message in tf_err_msg().
 * - tf_segment_owner() tells a live engine from one that closed cleanly and
 *   from one that died (pid gone, pid reused by another process, or the host
 *   rebooted since).
 * - tf_segment_create() never silently reuses a segment left by a crashed
 *   engine: it refuses (TF_STALE_REFUSE) or reports and replaces it.
 * - The header holds no pointers; every offset is from the segment start.
 *
 * OWNERSHIP (a shared /dev/shm is world-writable: anyone may plant a name)
 * - Every open uses O_NOFOLLOW | O_CLOEXEC (and O_NONBLOCK, so a planted
 *   FIFO cannot hang a reader), then fstat()s what it opened: anything but a
 *   regular file is refused (TF_SEG_FOREIGN).
 * - The creator: whatever already sits at the path must be the current
 *   euid's; a file or link of another user is refused with its owner's uid
 *   and the path — never replaced, never used. The file it creates, and a
 *   file it recovers, must be its euid's.
 * - Readers (tools, the client): the engine's uid is not knowable from the
 *   file alone, so a segment is accepted when it is owned by the reader's
 *   own euid, by root, or by the uid in the environment variable
 *   TRADEFAN_ENGINE_UID when that is set (tools run as another user than the
 *   engine set it). Otherwise: "segment X is owned by uid N, not the
 *   engine's user" (TF_SEG_FOREIGN).
 * - The one symlink followed is one owned by such a user (the engine links
 *   a disk-backed journal into shm_dir), one level deep, to an absolute
 *   path; the target must pass the same checks.
 *
 * VALIDATION: tf_segment_attach() also runs tf_segment_validate(), so every
 * reader sees only segments whose header fields add up (TF_SEG_CORRUPT with
 * the reason otherwise).
 */
#ifndef TF_SHM_SEGMENT_H
#define TF_SHM_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "shm/atomic.h"

#include "shm/common.h"
#include "shm/err.h"

#define TF_SEG_MAGIC 0x544E4D4745534654ull /* "TFSEGMNT" little-endian */
#define TF_LAYOUT_MAJOR 4u /* 4: the venue command's timeline stamps as offsets, a native iceberg's display */
#define TF_LAYOUT_MINOR 0u
#define TF_LAYOUT_VERSION ((TF_LAYOUT_MAJOR << 16) | TF_LAYOUT_MINOR)

#define TF_SEG_HEADER_SIZE 4096u
#define TF_SEG_MAX_REGIONS 32u
#define TF_SEG_NAME_MAX 24u
#define TF_SEG_REGION_ALIGN 4096u

typedef enum tf_seg_kind {
    TF_SEG_KIND_NONE = 0,
    TF_SEG_KIND_STATS = 1,     /* counters, histograms, heartbeats, error log */
    TF_SEG_KIND_STATE = 2,     /* seqlock-protected records */
    TF_SEG_KIND_RINGS = 3,     /* rings between stages and from other processes */
    TF_SEG_KIND_JOURNAL = 4,   /* a sequenced journal */
    TF_SEG_KIND_COUNT
} tf_seg_kind;

typedef enum tf_seg_owner_state {
    TF_OWNER_STATE_LIVE = 1,
    TF_OWNER_STATE_CLOSED = 2,
} tf_seg_owner_state;

typedef struct tf_seg_region {
    char name[TF_SEG_NAME_MAX];
    uint64_t offset;           /* from segment start; multiple of 4096 */
    uint64_t length;
} tf_seg_region;

typedef struct tf_seg_header {
    uint64_t magic;
    uint32_t layout_version;   /* 0 until the creator has finished; written last */
    uint32_t kind;             /* tf_seg_kind */
    uint64_t total_size;
    uint32_t header_size;
    uint32_t region_count;
    int32_t owner_pid;
    uint32_t owner_state;      /* tf_seg_owner_state */
    uint64_t owner_start_ticks;/* /proc/<pid>/stat starttime: tells a reused pid */
    uint64_t created_realtime_ns;
    uint64_t closed_realtime_ns;
    char boot_id[40];          /* /proc/sys/kernel/random/boot_id at creation */
    char instance[32];
    char segment[32];
    tf_seg_region regions[TF_SEG_MAX_REGIONS];
    uint8_t _pad0[2560 - 168 - TF_SEG_MAX_REGIONS * sizeof(tf_seg_region)];
    /* Written by the owner's main thread only, on its own line. */
    uint64_t heartbeat_ns TF_ALIGNED(TF_WRITER_LINE); /* CLOCK_MONOTONIC */
    uint8_t _pad1[TF_SEG_HEADER_SIZE - 2560 - sizeof(uint64_t)];
} tf_seg_header;

_Static_assert(sizeof(tf_seg_region) == 40, "region entry size");
_Static_assert(offsetof(tf_seg_header, layout_version) == 8, "version offset");
_Static_assert(offsetof(tf_seg_header, owner_pid) == 32, "pid offset");
_Static_assert(offsetof(tf_seg_header, boot_id) == 64, "boot id offset");
_Static_assert(offsetof(tf_seg_header, instance) == 104, "instance offset");
_Static_assert(offsetof(tf_seg_header, regions) == 168, "regions offset");
_Static_assert(offsetof(tf_seg_header, heartbeat_ns) == 2560, "heartbeat line");
_Static_assert(offsetof(tf_seg_header, heartbeat_ns) % TF_WRITER_LINE == 0, "heartbeat alignment");
_Static_assert(sizeof(tf_seg_header) == TF_SEG_HEADER_SIZE, "header is one page");

/* Attach results, in the order a reader meets them. */
typedef enum tf_seg_status {
    TF_SEG_OK = 0,
    TF_SEG_NOT_THERE,      /* no such file: engine not started (or other dir/instance) */
    TF_SEG_NOT_READY,      /* file there but version not yet published */
    TF_SEG_WRONG_MAGIC,    /* not a TradeFan segment */
    TF_SEG_WRONG_VERSION,  /* another major layout version */
    TF_SEG_WRONG_KIND,     /* e.g. a stats segment where a journal was expected */
    TF_SEG_TRUNCATED,      /* shorter than its header or its declared size */
    TF_SEG_IO_ERROR,       /* open/stat/mmap failed (permissions ...) */
    TF_SEG_FOREIGN,        /* not a regular file, or not the engine's user's (see below) */
    TF_SEG_CORRUPT,        /* header fields that do not add up (tf_segment_validate) */
    TF_SEG_STATUS_COUNT
} tf_seg_status;

typedef enum tf_seg_owner {
    TF_OWNER_LIVE = 0,     /* owner process alive and the segment open */
    TF_OWNER_CLOSED,       /* owner shut down cleanly */
    TF_OWNER_DEAD,         /* owner gone without closing: crashed or killed */
} tf_seg_owner;

typedef enum tf_stale_action {
    TF_STALE_ACTION_REFUSE = 0,
    TF_STALE_ACTION_REPLACE,
} tf_stale_action;

/* Process-local handle: holds this process's mapping; never in shared memory. */
typedef struct tf_segment {
    tf_seg_header *hdr;
    uint8_t *base;
    size_t size;
    int fd;
    bool writable;
    bool published;
    char path[256];
    char tmp_path[288];
} tf_segment;

/* What to create: kind and region sizes (offsets are computed). */
typedef struct tf_seg_layout {
    uint32_t kind;
    uint32_t region_count;
    /* tf_segment_recover only: the oldest layout major whose file this
     * layout takes over as it is (records unchanged since); 0 = only the
     * current one. The file's version is then rewritten to the current. */
    uint32_t compat_major;
    struct {
        const char *name;
        uint64_t length;
    } regions[TF_SEG_MAX_REGIONS];
} tf_seg_layout;

const char *tf_seg_status_name(tf_seg_status st);
const char *tf_seg_owner_name(tf_seg_owner o);
const char *tf_seg_kind_name(uint32_t kind);

/* "<dir>/tradefan.<instance>.<segment>". Returns -1 if it does not fit. */
int tf_segment_path(char *buf, size_t cap, const char *dir, const char *instance,
                    const char *segment);

/* Create a segment at `path` under a temporary name, sized and zeroed, with
 * the header filled in but not yet published. An existing segment at `path`
 * is inspected first: a live owner refuses; a cleanly closed one is replaced;
 * anything else (crashed owner, wrong magic/version, truncated) follows
 * `on_stale`, reporting what it found on stderr when replacing. */
int tf_segment_create(tf_segment *seg, const char *path, const char *instance,
                      const char *segment, const tf_seg_layout *layout,
                      unsigned mode, tf_stale_action on_stale);

/* What tf_segment_create does with whatever is at `path` first: nothing
 * there or a cleanly closed segment → 0 (removed); a live owner → -1; a
 * crashed owner or an unusable file → per `on_stale`. */
int tf_segment_clear_existing(const char *path, tf_stale_action on_stale);

/* Publish: store the layout version (release) and rename into place. */
int tf_segment_publish(tf_segment *seg);

/* Take over an existing segment read-write whose owner is dead or closed
 * (a disk-backed journal after a restart). Checks magic, version, kind and
 * that the layout matches; refuses a live owner. */
int tf_segment_recover(tf_segment *seg, const char *path, const tf_seg_layout *layout);

/* May a reader accept a segment owned by `uid`? Its own euid, root, or
 * TRADEFAN_ENGINE_UID (see OWNERSHIP above). */
bool tf_segment_owner_accepted(uid_t uid);

/* Does the segment add up? The region table lies inside the declared size
 * with named entries, and a region of a known name holds what it promises:
 * a state table's slot capacity and count fit its region and every counted
 * slot's key and payload length fit their fields; the limits region holds a
 * limits slot; a stats directory's counts fit the regions and every
 * counter's value slot, owner, histogram owner and thread stage is inside
 * them; a journal's slot size and capacity fit its region (slots of at most
 * 64 KiB). 0, or -1 with tf_err_msg naming the field. */
int tf_segment_validate(const tf_segment *seg);

/* Map read-only. On anything but TF_SEG_OK the handle is unmapped and
 * tf_err_msg() says what was found. expected_kind 0 accepts any kind. */
tf_seg_status tf_segment_attach(tf_segment *seg, const char *path, uint32_t expected_kind);

/* Map read-write without taking ownership: for processes that submit into
 * the engine's request ring (the file mode decides who may). The header and
 * every other region stay the owner's to write. */
tf_seg_status tf_segment_attach_writable(tf_segment *seg, const char *path, uint32_t expected_kind);

/* The region called `name`, or NULL (with tf_err_msg; *length untouched)
 * when missing or when it does not lie inside the mapped size. Inline: the layouts that live in
 * segments (journal, stats, state) look their regions up without calling
 * back into segment.c, which validates them at attach. */
static inline void *tf_segment_region(const tf_segment *seg, const char *name, uint64_t *length)
{
    const tf_seg_header *h = seg->hdr;
    for (uint32_t i = 0; i < h->region_count && i < TF_SEG_MAX_REGIONS; i++) {
        const tf_seg_region *r = &h->regions[i];
        if (strncmp(r->name, name, TF_SEG_NAME_MAX) != 0)
            continue;
        if (r->offset < TF_SEG_HEADER_SIZE || r->offset > seg->size || r->length > seg->size - r->offset) {
            TF_ERR("region %s of %s lies outside the segment", name, seg->path);
            return NULL;
        }
        if (length)
            *length = r->length;
        return seg->base + r->offset;
    }
    TF_ERR("%s has no region '%s'", seg->path, name);
    return NULL;
}

/* Start time of process `pid` in clock ticks after boot (/proc/<pid>/stat
 * field 22), 0 if it does not exist or has exited: with the pid it names a
 * process even after the pid is reused. */
uint64_t tf_pid_start_ticks(int pid);

/* Owner liveness as seen now, and the heartbeat's age (0 if none yet). */
tf_seg_owner tf_segment_owner(const tf_segment *seg, uint64_t now_ns,
                              uint64_t *heartbeat_age_ns);

/* Called from the owner's main thread. */
static inline void tf_segment_heartbeat(tf_segment *seg, uint64_t now_ns)
{
    tf_store_64(&seg->hdr->heartbeat_ns, now_ns); /* a figure on its own: no ordering */
}

/* Owner: mark the segment CLOSED (release) and unmap. Unpublished segments
 * are unlinked instead. Reader: unmap. Safe on a zeroed handle. */
void tf_segment_close(tf_segment *seg);

/* Remove the file (after close); for tests and for `tfengine --clean`. */
int tf_segment_unlink(const char *path);

#endif
