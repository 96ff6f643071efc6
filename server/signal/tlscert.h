/* tlscert.h - the HTTPS/WSS certificate: when none is configured, a
 * self-signed one is generated on first start and kept in the data directory
 * (cert.pem, key.pem, mode 0600 for the key), then reused.
 */
#ifndef VECHE_TLSCERT_H
#define VECHE_TLSCERT_H

/* Ensure dir/cert.pem and dir/key.pem exist, creating a self-signed ECDSA
 * P-256 certificate for CN=localhost with subjectAltName DNS:localhost,
 * IP:127.0.0.1, IP:::1 and the extra comma-separated names in `extra_names`
 * (may be NULL), valid for 825 days.  Writes the paths into cert_path and
 * key_path (each of size cap).  Returns 0, or a negative code with a message
 * in err (size errcap). */
int veche_tlscert_ensure(const char *dir, const char *extra_names,
                         char *cert_path, char *key_path, unsigned cap,
                         char *err, unsigned errcap);

#endif
