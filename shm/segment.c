/* Shared-memory segments: create, publish, attach, recover, close.
 *
 * DESIGN: the creator works on "<path>.tmp.<pid>" and renames it into place
 * only after the version is stored, so the staged answers a reader can get at
 * the real path are: not there, ready (with a version it may refuse), or
 * something that is not ours. "Not ready" remains for a segment recovered in
 * place (version cleared while it is being taken over). Liveness uses the
 * pid, the pid's start time and the boot id, because a pid alone is reused.
 * Cold path: everything here runs at start, stop or in tools.
 */
#include "shm/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/state.h"
#include "shm/stats.h"

static const char *const tf__status_names[TF_SEG_STATUS_COUNT] = {
    [TF_SEG_OK] = "ok",
    [TF_SEG_NOT_THERE] = "not there",
    [TF_SEG_NOT_READY] = "not ready",
    [TF_SEG_WRONG_MAGIC] = "wrong magic",
    [TF_SEG_WRONG_VERSION] = "wrong version",
    [TF_SEG_WRONG_KIND] = "wrong kind",
    [TF_SEG_TRUNCATED] = "truncated",
    [TF_SEG_IO_ERROR] = "i/o error",
    [TF_SEG_FOREIGN] = "not the engine's",
    [TF_SEG_CORRUPT] = "corrupt",
};
_Static_assert(TF_ARRAY_LEN(tf__status_names) == TF_SEG_STATUS_COUNT, "status names");

static const char *const tf__kind_names[TF_SEG_KIND_COUNT] = {
    [TF_SEG_KIND_NONE] = "none",       [TF_SEG_KIND_STATS] = "stats",
    [TF_SEG_KIND_STATE] = "state",     [TF_SEG_KIND_RINGS] = "rings",
    [TF_SEG_KIND_JOURNAL] = "journal",
};
_Static_assert(TF_ARRAY_LEN(tf__kind_names) == TF_SEG_KIND_COUNT, "kind names");

const char *tf_seg_status_name(tf_seg_status st)
{
    return (unsigned)st < TF_SEG_STATUS_COUNT ? tf__status_names[st] : "?";
}

const char *tf_seg_kind_name(uint32_t kind)
{
    return kind < TF_SEG_KIND_COUNT ? tf__kind_names[kind] : "unknown";
}

const char *tf_seg_owner_name(tf_seg_owner o)
{
    switch (o) {
    case TF_OWNER_LIVE: return "live";
    case TF_OWNER_CLOSED: return "closed";
    case TF_OWNER_DEAD: return "dead";
    }
    return "?";
}

int tf_segment_path(char *buf, size_t cap, const char *dir, const char *instance,
                    const char *segment)
{
    int n = snprintf(buf, cap, "%s/tradefan.%s.%s", dir, instance, segment);
    if (n < 0 || (size_t)n >= cap)
        return TF_ERR("segment path for %s/%s in %s is too long", instance, segment, dir);
    return 0;
}

static void tf__read_boot_id(char *out, size_t cap)
{
    memset(out, 0, cap);
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!f)
        return;
    if (fgets(out, (int)cap, f)) {
        size_t n = strlen(out);
        if (n && out[n - 1] == '\n')
            out[n - 1] = 0;
    }
    fclose(f);
}

/* Field 22 of /proc/<pid>/stat: start time in clock ticks after boot.
 * Returns 0 when the process does not exist. */
uint64_t tf_pid_start_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* comm may hold spaces and parens */
    if (!p)
        return 0;
    p++;
    while (*p == ' ')
        p++;
    if (*p == 'Z' || *p == 'X')
        return 0; /* a zombie has exited: it holds nothing and never writes again */
    for (int field = 3; field < 22 && *p; field++) {
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
    }
    return strtoull(p, NULL, 10);
}

static uint64_t tf__align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static int tf__layout_size(const tf_seg_layout *layout, uint64_t *total)
{
    if (layout->region_count > TF_SEG_MAX_REGIONS)
        return TF_ERR("%u regions; at most %u", layout->region_count, TF_SEG_MAX_REGIONS);
    uint64_t off = TF_SEG_HEADER_SIZE;
    for (uint32_t i = 0; i < layout->region_count; i++) {
        if (!layout->regions[i].name || strlen(layout->regions[i].name) >= TF_SEG_NAME_MAX)
            return TF_ERR("region %u has no name or a name too long", i);
        off += tf__align_up(layout->regions[i].length, TF_SEG_REGION_ALIGN);
    }
    *total = off;
    return 0;
}

/* ---- who owns a segment ------------------------------------------------- */

bool tf_segment_owner_accepted(uid_t uid)
{
    if (uid == geteuid() || uid == 0)
        return true;
    const char *env = getenv("TRADEFAN_ENGINE_UID");
    if (!env || !*env)
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(env, &end, 10);
    return !*end && errno == 0 && v == (unsigned long)uid;
}

static bool tf__uid_ok(uid_t uid, bool own_only)
{
    return own_only ? uid == geteuid() : tf_segment_owner_accepted(uid);
}

/* Open a segment file without following a link planted in a shared
 * directory, and without blocking on a planted FIFO. The one link followed
 * is one the engine's user made (a disk-backed journal's name in shm_dir),
 * and only one level: its target is opened with O_NOFOLLOW too. Then the
 * file itself must be a regular file of an accepted owner (`own_only`:
 * this process's euid, for the creator). */
static tf_seg_status tf__open_checked(const char *path, int flags, bool own_only, int *out,
                                      struct stat *st)
{
    flags |= O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    int fd = open(path, flags);
    if (fd < 0 && errno == ELOOP) {
        struct stat lst;
        char target[PATH_MAX];
        if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) {
            TF_ERR("open %s: %s", path, strerror(ELOOP));
            return TF_SEG_IO_ERROR;
        }
        if (!tf__uid_ok(lst.st_uid, own_only)) {
            TF_ERR("segment %s is a symlink owned by uid %u, not the engine's user; not following it",
                   path, (unsigned)lst.st_uid);
            return TF_SEG_FOREIGN;
        }
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0 || target[0] != '/') { /* the engine links absolute paths only */
            TF_ERR("segment %s is a symlink that does not name an absolute path", path);
            return TF_SEG_FOREIGN;
        }
        target[n] = 0;
        fd = open(target, flags);
        if (fd < 0 && errno == ELOOP) {
            TF_ERR("segment %s links to %s, itself a symlink: not followed", path, target);
            return TF_SEG_FOREIGN;
        }
    }
    if (fd < 0) {
        if (errno == ENOENT) {
            TF_ERR("%s does not exist: no engine has created it (is the engine running, "
                   "with this instance name and directory?)", path);
            return TF_SEG_NOT_THERE;
        }
        TF_ERR("open %s: %s", path, strerror(errno));
        return TF_SEG_IO_ERROR;
    }
    if (fstat(fd, st) != 0) {
        TF_ERR("stat %s: %s", path, strerror(errno));
        close(fd);
        return TF_SEG_IO_ERROR;
    }
    if (!S_ISREG(st->st_mode)) {
        TF_ERR("segment %s is not a regular file", path);
        close(fd);
        return TF_SEG_FOREIGN;
    }
    if (!tf__uid_ok(st->st_uid, own_only)) {
        if (own_only)
            TF_ERR("segment %s is owned by uid %u, not this process's user (uid %u)", path,
                   (unsigned)st->st_uid, (unsigned)geteuid());
        else
            TF_ERR("segment %s is owned by uid %u, not the engine's user", path, (unsigned)st->st_uid);
        close(fd);
        return TF_SEG_FOREIGN;
    }
    *out = fd;
    return TF_SEG_OK;
}

/* Inspect what sits at `path` before creating: 0 = free to create there. */
int tf_segment_clear_existing(const char *path, tf_stale_action on_stale)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : TF_ERR("stat %s: %s", path, strerror(errno));
    /* Someone else's file or link under our name (a shared /dev/shm): never
     * replaced, never used — the name is squatted, and the owner decides. */
    if (st.st_uid != geteuid())
        return TF_ERR("%s exists and is owned by uid %u, not this user (uid %u): not replacing or "
                      "using it; remove it or use another instance name", path, (unsigned)st.st_uid,
                      (unsigned)geteuid());
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return TF_ERR("%s exists and is not a regular file: not replacing or using it", path);

    tf_segment old;
    tf_seg_status s = tf_segment_attach(&old, path, 0);
    char found[512];
    if (s == TF_SEG_OK) {
        uint64_t age = 0;
        tf_seg_owner o = tf_segment_owner(&old, tf_now_ns(), &age);
        int pid = old.hdr->owner_pid;
        tf_segment_close(&old);
        if (o == TF_OWNER_LIVE)
            return TF_ERR("%s belongs to a running engine (pid %d); stop it first "
                          "or use another instance name", path, pid);
        if (o == TF_OWNER_CLOSED)
            return unlink(path) == 0 || errno == ENOENT ? 0
                   : TF_ERR("unlink %s: %s", path, strerror(errno));
        snprintf(found, sizeof found, "left by a crashed engine (pid %d, last heartbeat %.1f s ago)",
                 pid, (double)age / 1e9);
    } else {
        snprintf(found, sizeof found, "unusable (%s: %s)", tf_seg_status_name(s), tf_err_msg());
        /* Another layout version, or regions another build sized (a minor
         * version's larger stats directory): the header prefix (magic,
         * version, owner) is the same in every version, so a cleanly closed
         * one from an earlier build is simply replaced, as a closed one of
         * ours is. Only segments this call would create are at stake:
         * persistent ones are taken over by tf_segment_recover. */
        tf_seg_header h;
        int fd = -1;
        if ((s != TF_SEG_WRONG_VERSION && s != TF_SEG_CORRUPT) ||
            tf__open_checked(path, O_RDONLY, false, &fd, &st) != TF_SEG_OK)
            fd = -1;
        if (fd >= 0) {
            ssize_t n = pread(fd, &h, sizeof h, 0);
            close(fd);
            if (n == (ssize_t)sizeof h && h.magic == TF_SEG_MAGIC && h.owner_state == TF_OWNER_STATE_CLOSED) {
                fprintf(stderr, "tradefan: replacing %s, closed by an engine of layout %u.%u\n", path,
                        h.layout_version >> 16, h.layout_version & 0xffffu);
                return unlink(path) == 0 || errno == ENOENT ? 0
                       : TF_ERR("unlink %s: %s", path, strerror(errno));
            }
        }
    }
    if (on_stale == TF_STALE_ACTION_REFUSE)
        return TF_ERR("%s is %s; not reusing it. Inspect it with tfstat, then remove it "
                      "or set shm.on_stale: replace", path, found);
    fprintf(stderr, "tradefan: replacing %s, %s\n", path, found);
    if (unlink(path) != 0 && errno != ENOENT)
        return TF_ERR("unlink %s: %s", path, strerror(errno));
    return 0;
}

static void tf__fill_owner(tf_seg_header *h)
{
    h->owner_pid = (int32_t)getpid();
    h->owner_start_ticks = tf_pid_start_ticks(getpid());
    tf__read_boot_id(h->boot_id, sizeof h->boot_id);
    h->created_realtime_ns = tf_realtime_ns();
    h->closed_realtime_ns = 0;
    h->heartbeat_ns = tf_now_ns();
    /* Release: the owner fields above are seen with LIVE, also when an
     * existing published segment is taken over (no version store follows). */
    tf_store_release_32(&h->owner_state, TF_OWNER_STATE_LIVE);
}

int tf_segment_create(tf_segment *seg, const char *path, const char *instance,
                      const char *segment, const tf_seg_layout *layout,
                      unsigned mode, tf_stale_action on_stale)
{
    memset(seg, 0, sizeof *seg);
    seg->fd = -1;
    uint64_t total;
    if (tf__layout_size(layout, &total) != 0)
        return TF_ERR_CTX("segment %s", path);
    if (strlen(path) >= sizeof seg->path)
        return TF_ERR("path too long: %s", path);
    if (tf_segment_clear_existing(path, on_stale) != 0)
        return -1;

    tf_copy_name(seg->path, sizeof seg->path, path);
    snprintf(seg->tmp_path, sizeof seg->tmp_path, "%s.tmp.%d", path, (int)getpid());
    unlink(seg->tmp_path); /* ours from an earlier failed attempt, same pid */
    /* O_EXCL already refuses an existing name (a planted link included);
     * O_NOFOLLOW says so here too. */
    int fd = open(seg->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
    if (fd < 0)
        return TF_ERR("create %s: %s", seg->tmp_path, strerror(errno));
    if (fchmod(fd, mode & 0777) != 0 || ftruncate(fd, (off_t)total) != 0) {
        int e = errno;
        close(fd);
        unlink(seg->tmp_path);
        return TF_ERR("size %s to %" PRIu64 " bytes: %s", seg->tmp_path, total, strerror(e));
    }
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (base == MAP_FAILED) {
        int e = errno;
        close(fd);
        unlink(seg->tmp_path);
        return TF_ERR("mmap %s (%" PRIu64 " bytes): %s", seg->tmp_path, total, strerror(e));
    }
    seg->fd = fd;
    seg->base = base;
    seg->size = total;
    seg->writable = true;
    seg->hdr = base;

    tf_seg_header *h = seg->hdr;
    h->magic = TF_SEG_MAGIC;
    h->kind = layout->kind;
    h->total_size = total;
    h->header_size = TF_SEG_HEADER_SIZE;
    h->region_count = layout->region_count;
    tf_copy_name(h->instance, sizeof h->instance, instance);
    tf_copy_name(h->segment, sizeof h->segment, segment);
    uint64_t off = TF_SEG_HEADER_SIZE;
    for (uint32_t i = 0; i < layout->region_count; i++) {
        tf_copy_name(h->regions[i].name, TF_SEG_NAME_MAX, layout->regions[i].name);
        h->regions[i].offset = off;
        h->regions[i].length = layout->regions[i].length;
        off += tf__align_up(layout->regions[i].length, TF_SEG_REGION_ALIGN);
    }
    tf__fill_owner(h);
    return 0;
}

int tf_segment_publish(tf_segment *seg)
{
    /* Every region and header field must be visible before the version. */
    /* Release: the whole header and region table are visible before a
     * reader that sees the version trusts them. */
    tf_store_release_32(&seg->hdr->layout_version, TF_LAYOUT_VERSION);
    if (seg->tmp_path[0]) {
        if (rename(seg->tmp_path, seg->path) != 0)
            return TF_ERR("rename %s to %s: %s", seg->tmp_path, seg->path, strerror(errno));
        seg->tmp_path[0] = 0;
    }
    seg->published = true;
    return 0;
}

/* Map and check a segment; staged answers. `writable` maps read-write. */
static tf_seg_status tf__map(tf_segment *seg, const char *path, uint32_t expected_kind,
                             bool writable, bool own_only, uint32_t min_major)
{
    memset(seg, 0, sizeof *seg);
    seg->fd = -1;
    tf_copy_name(seg->path, sizeof seg->path, path);
    int fd = -1;
    struct stat st;
    tf_seg_status opened = tf__open_checked(path, writable ? O_RDWR : O_RDONLY, own_only, &fd, &st);
    if (opened != TF_SEG_OK)
        return opened;
    if ((uint64_t)st.st_size < TF_SEG_HEADER_SIZE) {
        TF_ERR("%s is %lld bytes, shorter than a segment header (%u)", path,
               (long long)st.st_size, TF_SEG_HEADER_SIZE);
        close(fd);
        return TF_SEG_TRUNCATED;
    }
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void *base = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        TF_ERR("mmap %s: %s", path, strerror(errno));
        close(fd);
        return TF_SEG_IO_ERROR;
    }
    seg->fd = fd;
    seg->base = base;
    seg->size = (size_t)st.st_size;
    seg->hdr = base;
    seg->writable = writable;
    const tf_seg_header *h = seg->hdr;
    tf_seg_status rc = TF_SEG_OK;
    /* Acquire: pairs with the creator's release of the version. */
    uint32_t version = tf_load_acquire_32(&((tf_seg_header *)h)->layout_version);
    if (h->magic != TF_SEG_MAGIC) {
        rc = TF_SEG_WRONG_MAGIC;
        TF_ERR("%s is not a TradeFan segment (magic %016" PRIx64 ", expected %016" PRIx64 ")",
               path, h->magic, (uint64_t)TF_SEG_MAGIC);
    } else if (version == 0) {
        rc = TF_SEG_NOT_READY;
        TF_ERR("%s exists but its creator has not finished initialising it", path);
    } else if ((version >> 16) > TF_LAYOUT_MAJOR || (version >> 16) < min_major) {
        rc = TF_SEG_WRONG_VERSION;
        TF_ERR("%s has layout version %u.%u; this program reads %u.x — use the tools "
               "built with that engine", path, version >> 16, version & 0xffff, TF_LAYOUT_MAJOR);
    } else if (h->total_size > seg->size || h->header_size != TF_SEG_HEADER_SIZE ||
               h->region_count > TF_SEG_MAX_REGIONS) {
        rc = TF_SEG_TRUNCATED;
        TF_ERR("%s declares %" PRIu64 " bytes but the file has %zu", path, h->total_size, seg->size);
    } else if (expected_kind && h->kind != expected_kind) {
        rc = TF_SEG_WRONG_KIND;
        TF_ERR("%s is a %s segment, expected %s", path, tf_seg_kind_name(h->kind),
               tf_seg_kind_name(expected_kind));
    } else if (tf_segment_validate(seg) != 0) {
        rc = TF_SEG_CORRUPT;
    }
    if (rc != TF_SEG_OK)
        tf_segment_close(seg);
    return rc;
}

tf_seg_status tf_segment_attach(tf_segment *seg, const char *path, uint32_t expected_kind)
{
    return tf__map(seg, path, expected_kind, false, false, TF_LAYOUT_MAJOR);
}

tf_seg_status tf_segment_attach_writable(tf_segment *seg, const char *path, uint32_t expected_kind)
{
    return tf__map(seg, path, expected_kind, true, false, TF_LAYOUT_MAJOR);
}

/* ---- what readers check before they trust a header ---------------------- */

/* The largest journal slot tf_journal_init makes: readers size their copy
 * buffers by slot_size, so a bigger one is corrupt, not a bigger journal. */
#define TF_JOURNAL_SLOT_MAX 65536u

/* The region table: every entry named, inside the declared size. */
static int tf__check_regions(const tf_segment *seg)
{
    const tf_seg_header *h = seg->hdr;
    for (uint32_t i = 0; i < h->region_count; i++) {
        const tf_seg_region *r = &h->regions[i];
        if (memchr(r->name, 0, TF_SEG_NAME_MAX) == NULL)
            return TF_ERR("%s: region %u has an unterminated name", seg->path, i);
        if (r->offset < TF_SEG_HEADER_SIZE || r->offset % TF_SEG_REGION_ALIGN != 0 ||
            r->offset > h->total_size || r->length > h->total_size - r->offset)
            return TF_ERR("%s: region %u (%.*s) at %" PRIu64 "+%" PRIu64 " lies outside the %" PRIu64
                          "-byte segment", seg->path, i, (int)TF_SEG_NAME_MAX, r->name, r->offset,
                          r->length, h->total_size);
    }
    return 0;
}

/* The stats directory: counts within the regions, and every index an entry
 * holds (a counter's value slot, owners, a thread's stages) inside them. */
static int tf__check_stats(const tf_segment *seg)
{
    tf_stats st;
    uint64_t vlen = 0;
    if (tf_stats_attach(&st, seg) != 0 || !tf_segment_region(seg, TF_REGION_VALUES, &vlen))
        return TF_ERR_CTX("stats");
    const tf_stats_dir *d = st.dir;
    /* Owner indices are checked against the array, not the count: an
     * engine still registering may name an owner a reader has not counted. */
    const uint32_t owners = TF_STATS_MAX_OWNERS;
    for (uint32_t i = 0; i < d->counter_count; i++)
        if (d->counters[i].slot >= vlen / sizeof(uint64_t) || d->counters[i].owner >= owners)
            return TF_ERR("%s: counter %u names value slot %u of owner %u; the segment has %" PRIu64
                          " slots and %u owners", seg->path, i, d->counters[i].slot,
                          d->counters[i].owner, vlen / sizeof(uint64_t), owners);
    for (uint32_t i = 0; i < d->hist_count; i++)
        if (d->hists[i].owner >= owners)
            return TF_ERR("%s: histogram %u names owner %u of %u", seg->path, i, d->hists[i].owner,
                          owners);
    for (uint32_t i = 0; i < d->thread_count; i++) {
        const tf_thread_stats *t = &d->threads[i];
        if (t->stage_count > sizeof t->stages)
            return TF_ERR("%s: thread %u claims %u stages (at most %zu)", seg->path, i,
                          t->stage_count, sizeof t->stages);
        for (uint32_t k = 0; k < t->stage_count; k++)
            if (t->stages[k] >= owners)
                return TF_ERR("%s: thread %u polls stage %u of %u", seg->path, i, t->stages[k],
                              owners);
    }
    if (st.errlog->owner_count > TF_ERRLOG_MAX_OWNERS)
        return TF_ERR("%s: the error log claims %u owners (at most %u)", seg->path,
                      st.errlog->owner_count, TF_ERRLOG_MAX_OWNERS);
    return 0;
}

int tf_segment_validate(const tf_segment *seg)
{
    if (tf__check_regions(seg) != 0)
        return -1;
    /* A region of a known name must hold what that name promises; one that
     * is missing is the reader's to report (an optional region). */
    uint64_t len = 0;
    switch (seg->hdr->kind) {
    case TF_SEG_KIND_STATE: {
        const tf_state_table *t = tf_segment_region(seg, TF_REGION_STATE, &len);
        if (t && tf_state_table_check(t, len, seg->path) != 0)
            return -1;
        if (tf_segment_region(seg, TF_REGION_LIMITS, &len) && len < sizeof(tf_limits_slot))
            return TF_ERR("%s: the limits region holds %" PRIu64 " bytes, less than one limits slot "
                          "(%zu)", seg->path, len, sizeof(tf_limits_slot));
        break;
    }
    case TF_SEG_KIND_STATS:
        if (tf_segment_region(seg, TF_REGION_DIRECTORY, &len) && tf__check_stats(seg) != 0)
            return -1;
        break;
    case TF_SEG_KIND_JOURNAL: {
        tf_journal j;
        if (tf_segment_region(seg, TF_REGION_JOURNAL, &len) && tf_journal_attach(&j, seg) != 0)
            return -1;
        if (len && j.slot_size > TF_JOURNAL_SLOT_MAX)
            return TF_ERR("%s: journal slots of %u bytes (at most %u)", seg->path, j.slot_size,
                          TF_JOURNAL_SLOT_MAX);
        break;
    }
    default:
        break;
    }
    tf_err_clear();
    return 0;
}

tf_seg_owner tf_segment_owner(const tf_segment *seg, uint64_t now_ns, uint64_t *heartbeat_age_ns)
{
    tf_seg_header *h = seg->hdr;
    uint64_t hb = tf_load_64(&h->heartbeat_ns);
    if (heartbeat_age_ns)
        *heartbeat_age_ns = hb && now_ns > hb ? now_ns - hb : 0;
    if (tf_load_acquire_32(&h->owner_state) == TF_OWNER_STATE_CLOSED) /* pairs with the close */
        return TF_OWNER_CLOSED;
    char boot[40];
    tf__read_boot_id(boot, sizeof boot);
    if (boot[0] && h->boot_id[0] && strncmp(boot, h->boot_id, sizeof boot) != 0)
        return TF_OWNER_DEAD; /* created before this boot */
    if (h->owner_pid <= 0 || (kill(h->owner_pid, 0) != 0 && errno == ESRCH))
        return TF_OWNER_DEAD;
    uint64_t ticks = tf_pid_start_ticks(h->owner_pid);
    if (ticks == 0 || (h->owner_start_ticks && ticks != h->owner_start_ticks))
        return TF_OWNER_DEAD; /* pid reused by another process */
    return TF_OWNER_LIVE;
}

int tf_segment_recover(tf_segment *seg, const char *path, const tf_seg_layout *layout)
{
    uint32_t min_major = layout->compat_major ? layout->compat_major : TF_LAYOUT_MAJOR;
    tf_seg_status s = tf__map(seg, path, layout->kind, true, true, min_major); /* ours to write: our file only */
    if (s != TF_SEG_OK)
        return TF_ERR_CTX("cannot recover (%s)", tf_seg_status_name(s));
    uint32_t was = tf_load_acquire_32(&seg->hdr->layout_version);
    if (was >> 16 != TF_LAYOUT_MAJOR) { /* an older file this layout reads as it is: ours now */
        fprintf(stderr, "tradefan: %s: layout %u.%u taken over as %u.%u\n", path, was >> 16, was & 0xffffu,
                TF_LAYOUT_MAJOR, TF_LAYOUT_MINOR);
        tf_store_release_32(&seg->hdr->layout_version, TF_LAYOUT_VERSION);
    }
    uint64_t total;
    if (tf__layout_size(layout, &total) != 0 || seg->hdr->total_size != total ||
        seg->hdr->region_count != layout->region_count) {
        uint64_t found = seg->hdr->total_size;
        uint32_t regions = seg->hdr->region_count;
        tf_segment_close(seg);
        return TF_ERR("%s has another layout than configured (%" PRIu64 " bytes in %u regions, "
                      "configured %" PRIu64 " in %u); move it away to start a new one",
                      path, found, regions, total, layout->region_count);
    }
    for (uint32_t i = 0; i < layout->region_count; i++) {
        if (strncmp(seg->hdr->regions[i].name, layout->regions[i].name, TF_SEG_NAME_MAX) != 0 ||
            seg->hdr->regions[i].length != layout->regions[i].length) {
            tf_segment_close(seg);
            return TF_ERR("%s region %u differs from the configured layout", path, i);
        }
    }
    tf_seg_owner o = tf_segment_owner(seg, tf_now_ns(), NULL);
    if (o == TF_OWNER_LIVE && seg->hdr->owner_pid != (int32_t)getpid()) {
        int pid = seg->hdr->owner_pid;
        tf_segment_close(seg);
        return TF_ERR("%s belongs to a running engine (pid %d)", path, pid);
    }
    tf__fill_owner(seg->hdr);
    seg->published = true;
    return 0;
}

void tf_segment_close(tf_segment *seg)
{
    if (!seg->base) {
        if (seg->fd >= 0)
            close(seg->fd);
        seg->fd = -1;
        return;
    }
    if (seg->writable && seg->published && seg->hdr->owner_pid == (int32_t)getpid()) {
        seg->hdr->closed_realtime_ns = tf_realtime_ns();
        /* Release: everything the owner wrote is visible before a reader
         * sees CLOSED and takes the figures as final. */
        tf_store_release_32(&seg->hdr->owner_state, TF_OWNER_STATE_CLOSED);
        msync(seg->base, seg->size, MS_SYNC); /* durable if file-backed */
    }
    munmap(seg->base, seg->size);
    if (seg->fd >= 0)
        close(seg->fd);
    if (seg->writable && !seg->published && seg->tmp_path[0])
        unlink(seg->tmp_path);
    seg->base = NULL;
    seg->hdr = NULL;
    seg->fd = -1;
}

int tf_segment_unlink(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return TF_ERR("unlink %s: %s", path, strerror(errno));
    return 0;
}
