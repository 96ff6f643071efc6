/* tlsreload.c - load a PEM chain and key, check them, swap them into an
 * SSL_CTX in one call (tlsreload.h). */
#include "tlsreload.h"

#include <stdio.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"

/* The oldest OpenSSL error as text ("" when none); clears the queue. */
static const char *ssl_reason(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    buf[0] = '\0';
    if (e)
        ERR_error_string_n(e, buf, cap);
    ERR_clear_error();
    return buf;
}

/* The leaf certificate and the rest of the chain from a PEM file. */
static int read_chain(const char *path, X509 **leaf, STACK_OF(X509) **chain)
{
    *leaf = NULL;
    *chain = NULL;
    BIO *bio = BIO_new_file(path, "r");
    if (!bio)
        return VECHE_EIO;
    *leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
    if (!*leaf) {
        BIO_free(bio);
        return VECHE_EMALFORMED;
    }
    *chain = sk_X509_new_null();
    X509 *ca;
    while (*chain && (ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!sk_X509_push(*chain, ca)) {
            X509_free(ca);
            break;
        }
    ERR_clear_error();  /* the end of the file reads as "no start line" */
    BIO_free(bio);
    return *chain ? 0 : VECHE_ENOMEM;
}

static EVP_PKEY *read_key(const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    if (!bio)
        return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

int veche_tlsreload_apply(void *ssl_ctx, const char *cert_path, const char *key_path,
                          char *err, size_t errcap)
{
    char why[256];
    if (!ssl_ctx || !cert_path || !key_path) {
        snprintf(err, errcap, "TLS is not on");
        return VECHE_ESTATE;
    }
    ERR_clear_error();
    X509 *leaf;
    STACK_OF(X509) *chain;
    int rc = read_chain(cert_path, &leaf, &chain);
    if (rc != 0) {
        snprintf(err, errcap, "%s: cannot read a PEM certificate %s", cert_path,
                 ssl_reason(why, sizeof why));
        return rc;
    }
    EVP_PKEY *key = read_key(key_path);
    if (!key) {
        snprintf(err, errcap, "%s: cannot read a PEM private key %s", key_path,
                 ssl_reason(why, sizeof why));
        rc = VECHE_EMALFORMED;
    } else if (X509_check_private_key(leaf, key) != 1) {
        snprintf(err, errcap, "%s does not match the certificate %s", key_path, cert_path);
        rc = VECHE_EINVAL;
    } else if (SSL_CTX_use_cert_and_key(ssl_ctx, leaf, key, chain, 1) != 1) {
        snprintf(err, errcap, "the new certificate was refused: %s",
                 ssl_reason(why, sizeof why));
        rc = VECHE_EINVAL;
    }
    EVP_PKEY_free(key);
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    return rc;
}
