/* TLS over memory BIOs (see tls_mem.h). */
#include "engine/runtime/tls_mem.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"

int tf_tls_ctx_init(tf_tls_ctx *c, bool verify, const char *ca_file, const char *host)
{
    memset(c, 0, sizeof *c);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return TF_ERR("TLS: cannot make a context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    c->verify = verify;
    snprintf(c->host, sizeof c->host, "%s", host);
    if (verify) {
        int ok = ca_file && ca_file[0] ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                                       : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            SSL_CTX_free(ctx);
            return TF_ERR("TLS: cannot load CA certificates%s%s", ca_file && ca_file[0] ? " from " : "",
                          ca_file ? ca_file : "");
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    c->ctx = ctx;
    return 0;
}

void tf_tls_ctx_free(tf_tls_ctx *c)
{
    SSL_CTX_free(c->ctx);
    c->ctx = NULL;
}

int tf_tls_init(tf_tls *t)
{
    memset(t, 0, sizeof *t);
    t->cipher = malloc(TF_TLS_CIPHER_BUF);
    return t->cipher ? 0 : TF_ERR("out of memory for a TLS buffer");
}

void tf_tls_stop(tf_tls *t)
{
    SSL_free(t->ssl); /* frees both BIOs */
    t->ssl = t->rbio = t->wbio = NULL;
    t->ready = t->failed = false;
    t->clen = t->coff = 0;
}

void tf_tls_free(tf_tls *t)
{
    tf_tls_stop(t);
    free(t->cipher);
    t->cipher = NULL;
}

static int fail(tf_tls *t)
{
    t->failed = true;
    t->last_error = ERR_get_error();
    ERR_clear_error();
    return -1;
}

int tf_tls_start(tf_tls *t, tf_tls_ctx *c)
{
    tf_tls_stop(t);
    SSL *ssl = SSL_new(c->ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    if (!ssl || !rb || !wb) {
        SSL_free(ssl);
        BIO_free(rb);
        BIO_free(wb);
        return fail(t);
    }
    BIO_set_mem_eof_return(rb, -1); /* empty means "more later", not EOF */
    SSL_set_bio(ssl, rb, wb);
    SSL_set_connect_state(ssl);
    if (c->host[0]) {
        SSL_set_tlsext_host_name(ssl, c->host);
        if (c->verify)
            SSL_set1_host(ssl, c->host);
    }
    t->ssl = ssl;
    t->rbio = rb;
    t->wbio = wb;
    int rc = SSL_do_handshake(ssl); /* queues the ClientHello */
    if (rc != 1 && SSL_get_error(ssl, rc) != SSL_ERROR_WANT_READ)
        return fail(t);
    return 0;
}

int tf_tls_feed(tf_tls *t, const char *p, size_t n, tf_tls_plain_fn fn, void *ctx)
{
    if (!t->ssl || t->failed)
        return -1;
    if (n && BIO_write(t->rbio, p, (int)n) != (int)n)
        return fail(t);
    if (!t->ready) {
        int rc = SSL_do_handshake(t->ssl);
        if (rc != 1) {
            int e = SSL_get_error(t->ssl, rc);
            return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : fail(t);
        }
        t->ready = true;
    }
    char buf[16384];
    for (;;) {
        int r = SSL_read(t->ssl, buf, sizeof buf);
        if (r > 0) {
            fn(ctx, buf, (size_t)r);
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return 0;
        return fail(t); /* close_notify or an error: the connection ends */
    }
}

int tf_tls_write(tf_tls *t, const char *p, size_t n)
{
    if (!t->ready || t->failed)
        return -1;
    size_t done = 0;
    while (done < n) {
        size_t w = 0;
        if (SSL_write_ex(t->ssl, p + done, n - done, &w) != 1)
            return fail(t);
        done += w;
    }
    return 0;
}

size_t tf_tls_cipher_peek(tf_tls *t, const char **p)
{
    if (t->coff == t->clen) {
        t->coff = t->clen = 0;
        if (t->wbio) {
            int r = BIO_read(t->wbio, t->cipher, TF_TLS_CIPHER_BUF);
            if (r > 0)
                t->clen = (uint32_t)r;
        }
    }
    *p = t->cipher + t->coff;
    return t->clen - t->coff;
}

void tf_tls_cipher_done(tf_tls *t, size_t n) { t->coff += (uint32_t)n; }
