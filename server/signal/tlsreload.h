/* tlsreload.h - put a new certificate chain and key into a live OpenSSL
 * server context (SIGHUP after a certbot renewal).
 *
 * Both files are read and checked (the key matches the certificate) before
 * anything changes; on any error the context keeps what it had.  OpenSSL
 * copies a context's certificate into each connection when the connection
 * is made, so connections already open keep the old one and every new one
 * gets the new one.
 *
 * Does not: watch files, or know about libwebsockets (http.c hands it the
 * vhost's context).  Main thread only (file I/O; the context is shared with
 * lws, which runs on the same thread).
 */
#ifndef VECHE_TLSRELOAD_H
#define VECHE_TLSRELOAD_H

#include <stddef.h>

/* ssl_ctx is an SSL_CTX* (void* so that callers need no OpenSSL header).
 * Returns 0, or a negative code with the reason in err; the context is
 * unchanged on error. */
int veche_tlsreload_apply(void *ssl_ctx, const char *cert_path, const char *key_path,
                          char *err, size_t errcap);

#endif
