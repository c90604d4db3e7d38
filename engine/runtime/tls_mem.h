/* TLS for an io_uring socket: OpenSSL runs over two memory BIOs, so the
 * kernel never sees TLS and io_uring still moves every byte (this kernel
 * has no kTLS). Received ciphertext goes in (tf_tls_feed), plaintext comes
 * out to a callback; plaintext to send goes in (tf_tls_write), ciphertext
 * comes out of a buffer that stays put while one send is in flight
 * (tf_tls_cipher_peek / _done).
 *
 * Client side only (the engine connects). The handshake starts at
 * tf_tls_start and finishes inside tf_tls_feed; tf_tls_ready says when the
 * session layer may speak. Certificates are checked against the system's
 * CAs or a CA file, with the host name, unless verification is off
 * (tfsim's self-signed certificate in tests).
 *
 * Hot path: OpenSSL's memory BIOs may allocate as they grow; the cipher
 * buffer here does not. One owner thread. */
#ifndef TF_ENGINE_TLS_MEM_H
#define TF_ENGINE_TLS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_TLS_CIPHER_BUF (256u << 10)

typedef struct tf_tls_ctx {
    void *ctx;                   /* SSL_CTX */
    bool verify;
    char host[64];
} tf_tls_ctx;

typedef struct tf_tls {
    void *ssl;                   /* SSL, NULL when no connection */
    void *rbio, *wbio;           /* owned by ssl */
    bool ready;                  /* handshake done */
    bool failed;
    char *cipher;                /* TF_TLS_CIPHER_BUF: ciphertext being sent */
    uint32_t clen, coff;
    unsigned long last_error;    /* ERR_get_error() of the failure */
} tf_tls;

typedef void (*tf_tls_plain_fn)(void *ctx, const char *p, size_t n);

/* Cold. ca_file "" = the system's CAs. 0, or -1 with TF_ERR. */
int tf_tls_ctx_init(tf_tls_ctx *c, bool verify, const char *ca_file, const char *host);
void tf_tls_ctx_free(tf_tls_ctx *c);
int tf_tls_init(tf_tls *t);
void tf_tls_free(tf_tls *t);

/* A new connection: a fresh SSL in connect state, ClientHello queued. */
int tf_tls_start(tf_tls *t, tf_tls_ctx *c);
void tf_tls_stop(tf_tls *t);
/* Ciphertext received: drives the handshake, hands plaintext to fn.
 * -1 when the connection must close (alert, bad certificate). */
int tf_tls_feed(tf_tls *t, const char *p, size_t n, tf_tls_plain_fn fn, void *ctx);
/* Plaintext to send: taken whole (0) or not at all (-1: handshake not done
 * or an error). */
int tf_tls_write(tf_tls *t, const char *p, size_t n);
/* The next ciphertext to send (stable until _done), 0 when none. */
size_t tf_tls_cipher_peek(tf_tls *t, const char **p);
void tf_tls_cipher_done(tf_tls *t, size_t n);
static inline bool tf_tls_ready(const tf_tls *t) { return t->ready; }

#endif
