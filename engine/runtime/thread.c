/* Agent thread: pinning, scheduling, the duty cycle and the drain phase. */
#include "engine/runtime/thread.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shm/atomic.h"
#include "shm/err.h"

static int tf__thread_setup(tf_agent_thread *t)
{
    pthread_setname_np(pthread_self(), t->name[0] ? t->name : "tf-agent");
    if (t->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(t->cpu, &set);
        int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
        if (rc != 0) {
            snprintf(t->start_error, sizeof t->start_error, "thread %s: pin to cpu %d: %s",
                     t->name, t->cpu, strerror(rc));
            return -1;
        }
    }
    if (t->rt_priority > 0) {
        struct sched_param sp = {.sched_priority = t->rt_priority};
        int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
        if (rc != 0) {
            snprintf(t->start_error, sizeof t->start_error,
                     "thread %s: SCHED_FIFO priority %d: %s (needs root or CAP_SYS_NICE)",
                     t->name, t->rt_priority, strerror(rc));
            return -1;
        }
    }
    t->stats->tid = (int32_t)syscall(SYS_gettid);
    return 0;
}

static int tf__poll_all(tf_agent_thread *t, uint64_t now)
{
    int work = 0;
    for (uint32_t i = 0; i < t->stage_count; i++) {
        tf_stage *s = t->stages[i];
        int w = s->poll(s, now);
        tf_stage_stats *ss = s->stats;
        tf_counter_inc(&ss->polls, 1);
        tf_store_64(&ss->heartbeat_ns, now);
        if (w > 0) {
            tf_counter_inc(&ss->polls_with_work, 1);
            tf_counter_inc(&ss->work, (uint64_t)w);
            tf_store_64(&ss->last_work_ns, now);
            work += w;
        }
    }
    return work;
}

static void *tf__thread_main(void *arg)
{
    tf_agent_thread *t = arg;
    t->start_rc = tf__thread_setup(t);
    /* Release: start_rc is visible before the starter sees ready. */
    tf_store_release_32(&t->ready, 1);
    if (t->start_rc != 0)
        return NULL;

    tf_thread_stats *st = t->stats;
    tf_run_control *ctl = t->control;
    uint64_t prev = tf_now_ns();
    tf_store_64(&st->started_ns, prev);
    int prev_work = 0;
    /* Acquire: pairs with tf_engine_start/stop's release (the drain
     * deadline written before running drops is seen after it). */
    while (tf_load_acquire_32(&ctl->running)) {
        uint64_t now = tf_now_ns(); /* once per cycle */
        uint64_t cycle = now - prev; /* the previous cycle, idle wait included */
        if (prev_work > 0) {
            tf_counter_inc(&st->busy_ns, cycle);
            tf_counter_inc(&st->loops_with_work, 1);
            if (cycle > st->max_cycle_ns)
                tf_store_64(&st->max_cycle_ns, cycle);
        } else {
            tf_counter_inc(&st->idle_ns, cycle);
        }
        tf_counter_inc(&st->loops, 1);
        tf_store_64(&st->heartbeat_ns, now);
        prev = now;
        prev_work = tf__poll_all(t, now);
        tf_idle_after(&t->idle, prev_work);
        if (t->idle.parks != st->parks)
            tf_store_64(&st->parks, t->idle.parks);
    }

    /* Drain in pipeline order (see thread.h). */
    uint32_t mine = 0;
    for (uint32_t i = 0; i < t->stage_count; i++)
        mine |= t->stages[i]->drain_bit;
    for (;;) {
        uint64_t now = tf_now_ns();
        tf_store_64(&st->heartbeat_ns, now);
        int work = 0;
        for (uint32_t i = 0; i < t->stage_count; i++) {
            tf_stage *s = t->stages[i];
            /* Acquire: an upstream stage's last ring writes are seen once its drained bit is. */
            uint32_t drained = tf_load_acquire_32(&ctl->drained);
            if (drained & s->drain_bit)
                continue;
            int upstream_done = (drained & s->upstream_mask) == s->upstream_mask;
            int w = s->drain ? s->drain(s, now) : 0;
            if (w > 0) {
                tf_counter_inc(&s->stats->work, (uint64_t)w);
                work += w;
            } else if (upstream_done) {
                tf_or_32(&ctl->drained, s->drain_bit); /* after its last delivery */
            }
        }
        if ((tf_load_acquire_32(&ctl->drained) & mine) == mine || now > tf_load_64(&ctl->drain_deadline_ns))
            break;
        if (work == 0)
            sched_yield();
    }
    return NULL;
}

int tf_agent_thread_start(tf_agent_thread *t)
{
    t->ready = 0;
    t->start_rc = 0;
    t->start_error[0] = 0;
    int rc = pthread_create(&t->handle, NULL, tf__thread_main, t);
    if (rc != 0)
        return TF_ERR("thread %s: %s", t->name, strerror(rc));
    t->started = true;
    /* Start-up only: wait for the thread to report its pinning result. */
    for (int i = 0; !tf_load_acquire_32(&t->ready); i++) { /* pairs with the thread's release */
        if (i > 100000) { /* ~10 s: something is badly wrong */
            return TF_ERR("thread %s did not start", t->name);
        }
        usleep(100);
    }
    if (t->start_rc != 0) {
        pthread_join(t->handle, NULL);
        t->started = false;
        return TF_ERR("%s", t->start_error);
    }
    return 0;
}

void tf_agent_thread_join(tf_agent_thread *t)
{
    if (t->started) {
        pthread_join(t->handle, NULL);
        t->started = false;
    }
}
