/* Ed25519-signed Logon (Binance spot FIX): the payload
 * "A<SOH>SenderCompID<SOH>TargetCompID<SOH>MsgSeqNum<SOH>SendingTime",
 * signed with the account's key, base64 in RawData (96) and its length in
 * RawDataLength (95). The engine signs (exio_logon.c), tfsim verifies.
 * Cold path (once per Logon); OpenSSL does the cryptography. */
#ifndef TF_ENGINE_FIX_SIGN_H
#define TF_ENGINE_FIX_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/fix/fix_codec.h"

/* A PEM file's Ed25519 key (private to sign, public or private to
 * verify), as an EVP_PKEY. NULL with TF_ERR on failure. */
void *tf_fix_key_load(const char *path, bool private_key);
void tf_fix_key_free(void *key);

/* Sign the Logon being written in w (its 49, 56, 34, 52 are read back from
 * the writer): the base64 signature's length, or -1. */
int tf_fix_sign_logon(void *key, const tf_fix_writer *w, char *out, size_t cap);
/* A received Logon's RawData checks out against its own header fields. */
bool tf_fix_verify_logon(void *public_key, const tf_fix_msg *m);

#endif
