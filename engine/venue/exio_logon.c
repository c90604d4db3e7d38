/* Venue-specific fields of the engine's Logon (cold: once per connect).
 *
 * - cancel_on_disconnect: CancelOrdersOnDisconnect (8013=Y), the tag
 *   Coinbase's FIX gateway and tfsim read: the venue cancels the session's
 *   orders when it drops.
 * - logon: ed25519 (Binance spot FIX): the payload
 *   "A<SOH>SenderCompID<SOH>TargetCompID<SOH>MsgSeqNum<SOH>SendingTime" signed
 *   with the account's Ed25519 key (OpenSSL), base64 in RawData (96) with
 *   RawDataLength (95); Username carries the API key; MessageHandling
 *   (25035) 2 = sequential, so reports come in the order of our requests
 *   (lib/fix/fix_sign.c signs).
 * Calls no other exio file; called by exio.c only, from the stage's thread
 * (init and free from the engine's, cold). */
#include "engine/venue/exio_logon.h"
#include "lib/fix/fix_sign.h"
#include "shm/err.h"

#define TF__TAG_CANCEL_ON_DISCONNECT 8013u
#define TF__TAG_MESSAGE_HANDLING 25035u

int tf__exio_logon_init(tf_exio *x)
{
    const tf_cfg_exchange *c = &x->cfg->exchange;
    if (c->logon != TF_LOGON_ED25519)
        return 0;
    x->logon_key = tf_fix_key_load(c->key_file, true);
    return x->logon_key ? 0 : TF_ERR_CTX("exchange.key_file: ");
}

void tf__exio_logon_free(tf_exio *x)
{
    tf_fix_key_free(x->logon_key);
    x->logon_key = NULL;
}

void tf__exio_logon_fields(tf_exio *x, tf_exio_session *s, tf_fix_writer *w)
{
    (void)s;
    if (x->cfg->exchange.cancel_on_disconnect)
        tf_fix_put_char(w, TF__TAG_CANCEL_ON_DISCONNECT, 'Y');
    if (!x->logon_key)
        return;
    char b64[128];
    int n = tf_fix_sign_logon(x->logon_key, w, b64, sizeof b64);
    if (n <= 0) {
        tf__exio_error(x, TF_E_FIX_CONNECT, 0, "logon_signature");
        return; /* the venue refuses the Logon; the session retries with backoff */
    }
    tf_fix_put_u64(w, TF_FIX_TAG_RAW_DATA_LENGTH, (uint64_t)n);
    tf_fix_put_str(w, TF_FIX_TAG_RAW_DATA, b64, (size_t)n);
    tf_fix_put_char(w, TF__TAG_MESSAGE_HANDLING, '2');
}
