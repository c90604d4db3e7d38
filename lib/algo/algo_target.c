/* What each algorithm wants filled by now (see algo.h): TWAP's released
 * slices, VWAP's share of the horizon's volume, POV's share of what has
 * traded. Products of two quantities go through 128 bits. */
#include "lib/algo/algo_internal.h"

static int64_t mul_div(int64_t a, int64_t b, int64_t c)
{
    if (c <= 0)
        return 0;
    return (int64_t)((__int128)a * b / c);
}

static int64_t at_most(int64_t v, int64_t cap) { return v < cap ? v : cap; }

/* TWAP: release the slices that are due. Each slice wants the schedule's
 * remaining quantity over the remaining slices (a lot or more), moved by
 * the size jitter; the last one wants the rest. The next slice's time is
 * moved by the time jitter. */
static void release_slices(tf_algo *a, uint64_t now)
{
    const tf_algo_params *p = &a->p;
    while (a->slice < a->slices && now >= a->next_slice_ns) {
        uint32_t left = a->slices - a->slice;
        int64_t rest = p->qty - a->slice_target;
        int64_t size = left > 1 ? tf__algo_jitter(a, rest / left, p->size_jitter_pct) : rest;
        size -= size % a->ins.lot_size;
        if (size > rest)
            size = rest;
        a->slice_target += size;
        a->slice++;
        uint64_t due = p->start_ns + (uint64_t)a->slice * p->slice_ns;
        int64_t shift = tf__algo_jitter(a, (int64_t)p->slice_ns, p->time_jitter_pct) - (int64_t)p->slice_ns;
        a->next_slice_ns = (int64_t)due + shift > (int64_t)now ? (uint64_t)((int64_t)due + shift) : due;
    }
}

/* VWAP: the profile's cumulative share at now, in ppm, linear inside a
 * bucket. */
static int64_t profile_share_ppm(const tf_algo *a, uint64_t now)
{
    const tf_algo_profile *pr = &a->profile;
    uint64_t start = a->p.start_ns, end = a->p.end_ns;
    if (now <= start)
        return 0;
    if (now >= end)
        return 1000000;
    if (!pr->buckets) /* no profile: flat in time */
        return (int64_t)((__int128)(now - start) * 1000000 / (end - start));
    uint64_t span = end - start;
    __int128 pos = (__int128)(now - start) * pr->buckets; /* bucket index * span + offset */
    uint32_t b = (uint32_t)(pos / span);
    int64_t within = (int64_t)(pos % span);
    int64_t lo = b ? pr->cum_ppm[b - 1] : 0, hi = pr->cum_ppm[b];
    return lo + (int64_t)((__int128)(hi - lo) * within / (int64_t)span);
}

static int64_t vwap_target(const tf_algo *a, const tf_algo_market *m)
{
    int64_t f = profile_share_ppm(a, m->now_ns); /* F, ppm */
    int64_t v = m->volume > 0 ? m->volume : 0;
    int64_t target;
    if (a->profile.total <= 0) {
        target = mul_div(a->p.qty, f, 1000000);
    } else {
        /* The horizon's volume re-estimated as the day goes: the prior for
         * what is still to come, the market's own volume for what came.
         * E = (1 - F) * prior + V; still to come R = (1 - F) * E; the
         * target is the share done, V / (V + R). On the profile's pace it
         * is F; a heavier day trades sooner. */
        int64_t e = mul_div(a->profile.total, 1000000 - f, 1000000) + v;
        int64_t r = mul_div(e, 1000000 - f, 1000000);
        target = v + r > 0 ? mul_div(a->p.qty, v, v + r) : 0;
    }
    if (a->p.participation_bps)
        target = at_most(target, mul_div(v, a->p.participation_bps, 10000));
    return at_most(target, a->p.qty);
}

int64_t tf__algo_target(const tf_algo *a, const tf_algo_market *m)
{
    switch (a->p.kind) {
    case TF_ALGO_TWAP:
        return at_most(a->slice_target, a->p.qty);
    case TF_ALGO_VWAP:
        return vwap_target(a, m);
    case TF_ALGO_POV:
        return at_most(mul_div(m->volume > 0 ? m->volume : 0, a->p.participation_bps, 10000), a->p.qty);
    default:
        return a->p.qty;
    }
}

int64_t tf__algo_target_step(tf_algo *a, const tf_algo_market *m)
{
    if (a->p.kind == TF_ALGO_TWAP)
        release_slices(a, m->now_ns);
    return tf__algo_target(a, m);
}

int tf_algo_profile_from_volumes(tf_algo_profile *out, const int64_t *volumes, uint32_t n)
{
    if (n == 0 || n > TF_ALGO_PROFILE_BUCKETS)
        return -1;
    int64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += volumes[i] > 0 ? volumes[i] : 0;
    if (total <= 0)
        return -1;
    int64_t cum = 0;
    out->buckets = n;
    for (uint32_t i = 0; i < n; i++) {
        cum += volumes[i] > 0 ? volumes[i] : 0;
        out->cum_ppm[i] = (uint32_t)mul_div(cum, 1000000, total);
    }
    out->cum_ppm[n - 1] = 1000000;
    out->total = total;
    return 0;
}

/* Volume of the day profile between two wall-clock instants (ns), minutes
 * pro rata. */
static int64_t day_volume(const int64_t *day, uint64_t from, uint64_t to)
{
    const uint64_t min_ns = 60000000000ull;
    __int128 v = 0; /* volume * ns, divided once */
    for (uint64_t t = from; t < to;) {
        uint64_t minute = t / min_ns, next = (minute + 1) * min_ns, end = next < to ? next : to;
        int64_t m = day[minute % TF_ALGO_DAY_MINUTES];
        v += (__int128)(m > 0 ? m : 0) * (int64_t)(end - t);
        t = end;
    }
    return (int64_t)(v / (int64_t)min_ns);
}

int tf_algo_profile_from_day(tf_algo_profile *out, const int64_t *day, uint64_t start_ns, uint64_t end_ns)
{
    if (end_ns <= start_ns)
        return -1;
    uint64_t span = end_ns - start_ns, minutes = (span + 59999999999ull) / 60000000000ull;
    uint32_t n = minutes < TF_ALGO_PROFILE_BUCKETS ? (uint32_t)minutes : TF_ALGO_PROFILE_BUCKETS;
    if (n == 0)
        n = 1;
    int64_t vols[TF_ALGO_PROFILE_BUCKETS];
    for (uint32_t b = 0; b < n; b++)
        vols[b] = day_volume(day, start_ns + span * b / n, start_ns + span * (b + 1) / n);
    return tf_algo_profile_from_volumes(out, vols, n);
}
