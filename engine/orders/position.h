/* Position keeping: signed quantity, cost basis, average price, realized
 * and unrealized PnL and fees, exact in integers (money is 10^-8 quote,
 * shm/orders.h). Pure functions, no I/O: the OMS and the risk gate each
 * keep their own copies with the same math.
 *
 * PROMISE: cost is the money paid for the open quantity (negative for a
 * short); a fill that reduces realizes notional(fill) - the proportional
 * cost; one that crosses zero realizes the closed part and opens the rest
 * at the fill price; fees are subtracted from realized. */
#ifndef TF_ENGINE_POSITION_H
#define TF_ENGINE_POSITION_H

#include "shm/orders.h"

void tf_position_fill(tf_position *p, int side, int64_t px, int64_t qty, int64_t fee,
                      unsigned price_precision, unsigned qty_precision);
/* Average price from cost and quantity (after the caller changed them). */
void tf_position_average(tf_position *p, unsigned price_precision, unsigned qty_precision);
/* Unrealized PnL at `mark_px` (0 = keep the last mark). */
void tf_position_mark(tf_position *p, int64_t mark_px, unsigned price_precision,
                      unsigned qty_precision);

#endif
