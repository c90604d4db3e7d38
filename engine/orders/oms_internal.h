/* Between the OMS's files (see oms.h for what the OMS promises): the order
 * table, the journal, the feedback to the risk gate and the positions
 * (oms_table.c, the bottom), used by the settlements of out-of-band fills
 * and operators' resolutions (oms_settle.c) and by oms.c (commands,
 * reports, replay, the stage), which calls both. Not a public interface.
 * The oms stage's thread only. */
#ifndef TF_ENGINE_OMS_INTERNAL_H
#define TF_ENGINE_OMS_INTERNAL_H

#include "engine/orders/oms.h"

uint32_t tf__oms_idx(const tf_oms *o, const tf_order *ord);
tf_order *tf__oms_get(tf_oms *o, uint64_t id);
tf_order *tf__oms_alloc(tf_oms *o, uint64_t id);
/* A finished order leaves the open list and the id map; its slot stays
 * readable until reused. */
void tf__oms_finish(tf_oms *o, tf_order *ord);
uint64_t tf__oms_rt(const tf_oms *o);
void tf__oms_event(tf_oms *o, const tf_order *ord, uint8_t kind, uint16_t reason, const tf_exec_report *x,
                   int64_t arg, uint64_t client_req_id, uint64_t t_request_ns, uint32_t strategy);
void tf__oms_position_event(tf_oms *o, const tf_order_event *fill);
void tf__oms_parent_event(tf_oms *o, const tf_order_cmd *c);
uint32_t tf__oms_feedback_room(const tf_oms *o);
void tf__oms_feedback(tf_oms *o, const tf_order *ord, uint8_t kind, const tf_exec_report *x, bool done);
void tf__oms_publish_position(tf_oms *o, uint32_t s, uint32_t i, uint64_t now);
void tf__oms_apply_fill(tf_oms *o, uint32_t s, uint32_t i, int side, int64_t px, int64_t qty, int64_t fee);

/* Mutate under the seqlock: begin, change, end. */
#define TF__OMS_WRITE(o, ord, ...)                                                  \
    do {                                                                        \
        tf_order_slot *s__ = &(o)->slots[tf__oms_idx((o), (ord))];                  \
        ck_sequence_write_begin(&s__->seq);                                     \
        __VA_ARGS__;                                                            \
        tf_store_32(&s__->used, 1);                                             \
        ck_sequence_write_end(&s__->seq);                                       \
    } while (0)

#endif
