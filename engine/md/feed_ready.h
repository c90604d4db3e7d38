/* When the feed's socket has something to read, learnt without a system
 * call: a multishot io_uring poll on the stream's socket, its completions
 * read from the completion queue in memory. The feed then calls
 * lws_service (which polls and reads) only when there is data, instead of
 * once per duty cycle: on a busy-spinning thread that was a poll() for
 * every loop (tfstat's loops per second; make bench-t2t found the tick's latency
 * the same either way on 2 vCPUs). One owner thread; the ring is this
 * module's alone. */
#ifndef TF_ENGINE_MD_FEED_READY_H
#define TF_ENGINE_MD_FEED_READY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tf_feed_ready tf_feed_ready;

/* Cold. NULL when io_uring cannot be set up (the caller then services every
 * cycle, as before); the reason is in TF_ERR. */
tf_feed_ready *tf_feed_ready_open(void);
void tf_feed_ready_close(tf_feed_ready *r);
/* Watch fd for input, hang-up and errors (a new connection; cold). A watch
 * already in place is cancelled first. 0, or -1 (then callers service every
 * cycle until the next watch). */
int tf_feed_ready_watch(tf_feed_ready *r, int fd);
/* Stop watching (the connection went; cold). */
void tf_feed_ready_unwatch(tf_feed_ready *r);
/* Hot: has the watched socket signalled since the last call? Consumes the
 * completions; re-arms the poll if the kernel ended it (rare). True also
 * when no watch is in place (the caller cannot know: it must look). */
bool tf_feed_ready_take(tf_feed_ready *r);
/* Readiness events seen, and re-arms, since open (for tests and tfstat). */
uint64_t tf_feed_ready_events(const tf_feed_ready *r);

#endif
