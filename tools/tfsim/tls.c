/* tfsim --tls: a self-signed certificate made at start with the OpenSSL API
 * (EC P-256, CN=127.0.0.1, 1 day), written to a private temp folder that
 * main() removes at exit. */
#include "tools/tfsim/sim.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

int sim_make_cert(sim *s, char *cert_path, size_t cp, char *key_path, size_t kp)
{
    snprintf(s->cert_dir, sizeof s->cert_dir, "/tmp/tfsim-tls.XXXXXX");
    if (!mkdtemp(s->cert_dir)) {
        s->cert_dir[0] = 0;
        fprintf(stderr, "tfsim: cannot make a folder for the certificate\n");
        return -1;
    }
    snprintf(cert_path, cp, "%s/cert.pem", s->cert_dir);
    snprintf(key_path, kp, "%s/key.pem", s->cert_dir);
    int rc = -1;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    FILE *fc = NULL, *fk = NULL;
    if (!pkey || !x)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"tfsim", -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!X509_sign(x, pkey, EVP_sha256()))
        goto out;
    fc = fopen(cert_path, "w");
    fk = fopen(key_path, "w");
    if (!fc || !fk || !PEM_write_X509(fc, x) || !PEM_write_PrivateKey(fk, pkey, NULL, NULL, 0, NULL, NULL))
        goto out;
    rc = 0;
out:
    if (fc)
        fclose(fc);
    if (fk)
        fclose(fk);
    X509_free(x);
    EVP_PKEY_free(pkey);
    if (rc)
        fprintf(stderr, "tfsim: could not make a self-signed certificate\n");
    return rc;
}
