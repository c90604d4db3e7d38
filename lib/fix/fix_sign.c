/* Ed25519 Logon signatures (see fix_sign.h). */
#include "lib/fix/fix_sign.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "shm/err.h"

void *tf_fix_key_load(const char *path, bool private_key)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        TF_ERR("%s: cannot open it", path);
        return NULL;
    }
    EVP_PKEY *key = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        TF_ERR("%s: not a PEM %s key", path, private_key ? "private" : "public");
        return NULL;
    }
    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        TF_ERR("%s: not an Ed25519 key (Binance FIX takes only Ed25519)", path);
        return NULL;
    }
    return key;
}

void tf_fix_key_free(void *key) { EVP_PKEY_free(key); }

static int payload(char *out, size_t cap, const char *sender, size_t ls, const char *target, size_t lt,
                   const char *seq, size_t lq, const char *time, size_t lm)
{
    int n = snprintf(out, cap, "A\x01%.*s\x01%.*s\x01%.*s\x01%.*s", (int)ls, sender, (int)lt, target, (int)lq, seq,
                     (int)lm, time);
    return n > 0 && (size_t)n < cap ? n : -1;
}

/* The value of a field already written into the writer's body, or NULL. */
static const char *written(const tf_fix_writer *w, const char *tag_eq, size_t *len)
{
    size_t tl = strlen(tag_eq);
    for (uint32_t i = TF_FIX_PREFIX; i + tl < w->len; i++) {
        if (w->buf[i - 1] == TF_FIX_SOH && memcmp(w->buf + i, tag_eq, tl) == 0) {
            const char *v = w->buf + i + tl;
            const char *e = memchr(v, TF_FIX_SOH, (size_t)(w->buf + w->len - v));
            if (!e)
                return NULL;
            *len = (size_t)(e - v);
            return v;
        }
    }
    return NULL;
}

int tf_fix_sign_logon(void *key, const tf_fix_writer *w, char *out, size_t cap)
{
    const char *s, *t, *q, *m;
    size_t ls, lt, lq, lm;
    char text[256];
    if (!(s = written(w, "49=", &ls)) || !(t = written(w, "56=", &lt)) || !(q = written(w, "34=", &lq)) ||
        !(m = written(w, "52=", &lm)))
        return -1;
    int n = payload(text, sizeof text, s, ls, t, lt, q, lq, m, lm);
    unsigned char sig[64];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = n > 0 && ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)text, (size_t)n) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || cap < 4 * ((siglen + 2) / 3) + 1)
        return -1;
    return EVP_EncodeBlock((unsigned char *)out, sig, (int)siglen);
}

bool tf_fix_verify_logon(void *public_key, const tf_fix_msg *m)
{
    const char *s, *t, *q, *tm, *b64;
    size_t ls, lt, lq, lm, lb;
    char text[256];
    if (tf_fix_get_str(m, TF_FIX_TAG_SENDER_COMP_ID, &s, &ls) || tf_fix_get_str(m, TF_FIX_TAG_TARGET_COMP_ID, &t, &lt) ||
        tf_fix_get_str(m, TF_FIX_TAG_MSG_SEQ_NUM, &q, &lq) || tf_fix_get_str(m, TF_FIX_TAG_SENDING_TIME, &tm, &lm) ||
        tf_fix_get_str(m, TF_FIX_TAG_RAW_DATA, &b64, &lb) || lb != 88)
        return false;
    int n = payload(text, sizeof text, s, ls, t, lt, q, lq, tm, lm);
    unsigned char sig[72];
    if (n < 0 || EVP_DecodeBlock(sig, (const unsigned char *)b64, (int)lb) != 66) /* 64 + 2 padding zeros */
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, public_key) == 1 &&
              EVP_DigestVerify(ctx, sig, 64, (const unsigned char *)text, (size_t)n) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}
