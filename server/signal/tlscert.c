/* tlscert.c - the self-signed HTTPS/WSS certificate kept in the data
 * directory (dir/cert.pem, dir/key.pem).
 *
 * Does: create the directory (mode 0700 for every component it creates),
 * reuse an existing certificate and key when they are usable, otherwise
 * generate an ECDSA P-256 key and a self-signed certificate (CN=localhost,
 * subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1 plus the extra names,
 * 825 days) and write both atomically (temporary file, fsync, rename); the
 * key is written with mode 0600, the certificate 0644.
 * Does not: touch a certificate configured elsewhere, load anything into
 * OpenSSL contexts (http.c does), or renew certificates while running.
 *
 * Reuse policy: the existing pair is reused when both files parse, the key
 * matches the certificate, the certificate is valid for at least one more
 * day and its subjectAltName covers localhost, 127.0.0.1, ::1 and every
 * extra name.  Otherwise both files are regenerated (a warning is logged),
 * so garbage, a half-written pair or a newly added name heal themselves.  A
 * file that exists but cannot be opened (permissions, I/O error) is never
 * overwritten: that is reported as VECHE_EIO with the reason in err.
 */
#include "tlscert.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "log.h"

#define CERT_DAYS 825
#define MAX_NAMES 64
#define PATH_CAP 4096

static const char *const default_names[] = { "localhost", "127.0.0.1", "::1" };

/* printf into err (when there is room) and return code. */
static int set_err(char *err, unsigned errcap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int set_err(char *err, unsigned errcap, int code, const char *fmt, ...)
{
    if (err && errcap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The first queued OpenSSL error as text; clears the queue. */
static const char *ssl_err(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        snprintf(buf, cap, "unknown error");
    ERR_clear_error();
    return buf;
}

/* mkdir -p: create each missing component with mode 0700. */
static int mkdir_p(const char *dir, char *err, unsigned errcap)
{
    char path[PATH_CAP];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return set_err(err, errcap, VECHE_EINVAL, "invalid directory name");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return set_err(err, errcap, VECHE_EIO, "cannot create %s: %s", path,
                           strerror(errno));
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return set_err(err, errcap, VECHE_EIO, "%s is not a directory", dir);
    return 0;
}

static bool is_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '*'))
            return false;
    }
    return true;
}

static bool is_ip(const char *s)
{
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(s);
    ERR_clear_error();
    ASN1_OCTET_STRING_free(ip);
    return ip != NULL;
}

/* Split the defaults plus `extra` (comma separated, blanks trimmed, empty
 * items skipped) into names[], pointing into *storage (malloc'd, caller
 * frees).  Returns the count or a negative code. */
static int collect_names(const char *extra, const char **names, char **storage,
                         char *err, unsigned errcap)
{
    int count = 0;
    for (size_t i = 0; i < sizeof default_names / sizeof default_names[0]; i++)
        names[count++] = default_names[i];
    *storage = NULL;
    if (!extra)
        return count;
    char *copy = strdup(extra);
    if (!copy)
        return set_err(err, errcap, VECHE_ENOMEM, "out of memory");
    *storage = copy;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (*tok == '\0')
            continue;
        if (!is_ip(tok) && !is_dns_name(tok))
            return set_err(err, errcap, VECHE_EINVAL, "invalid certificate name \"%s\"", tok);
        if (count == MAX_NAMES)
            return set_err(err, errcap, VECHE_ELIMIT, "too many certificate names");
        names[count++] = tok;
    }
    return count;
}

/* Open an existing file for reading.  *fp is NULL when it does not exist.
 * Returns 0 or VECHE_EIO for any other failure. */
static int open_existing(const char *path, FILE **fp, char *err, unsigned errcap)
{
    *fp = fopen(path, "r");
    if (!*fp && errno != ENOENT)
        return set_err(err, errcap, VECHE_EIO, "cannot read %s: %s", path, strerror(errno));
    return 0;
}

static bool has_gen(const GENERAL_NAMES *gens, const char *name);

/* Whether the existing pair can be reused (see the policy at the top).
 * Returns 1 to reuse, 0 to regenerate, or a negative code. */
static int check_existing(const char *cert_path, const char *key_path, const char **names,
                          int count, char *err, unsigned errcap)
{
    FILE *cf = NULL, *kf = NULL;
    int rc = open_existing(cert_path, &cf, err, errcap);
    if (rc == 0)
        rc = open_existing(key_path, &kf, err, errcap);
    if (rc != 0 || !cf || !kf) {
        if (cf)
            fclose(cf);
        if (kf)
            fclose(kf);
        return rc;
    }
    X509 *x = PEM_read_X509(cf, NULL, NULL, NULL);
    EVP_PKEY *key = PEM_read_PrivateKey(kf, NULL, NULL, NULL);
    fclose(cf);
    fclose(kf);
    const char *why = NULL;
    time_t soon = time(NULL) + 24 * 3600;
    if (!x)
        why = "certificate does not parse";
    else if (!key)
        why = "key does not parse";
    else if (X509_check_private_key(x, key) != 1)
        why = "key does not match the certificate";
    else if (X509_cmp_time(X509_get0_notAfter(x), &soon) <= 0)
        why = "certificate expires within a day";
    GENERAL_NAMES *gens =
        why ? NULL : X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; !why && i < count; i++) {
        if (!gens || !has_gen(gens, names[i]))
            why = "certificate does not list every configured name";
    }
    GENERAL_NAMES_free(gens);
    ERR_clear_error();
    X509_free(x);
    EVP_PKEY_free(key);
    if (why) {
        VLOG_WARN(NULL, NULL, "tls: regenerating %s: %s", cert_path, why);
        return 0;
    }
    return 1;
}

/* A subjectAltName entry for `name`: IP when it parses as an IPv4 or IPv6
 * address, DNS otherwise.  NULL on allocation failure. */
static GENERAL_NAME *make_gen(const char *name)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    if (!g)
        return NULL;
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(name);
    ERR_clear_error();
    if (ip) {
        GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
        return g;
    }
    ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
    if (!dns || ASN1_STRING_set(dns, name, -1) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(g);
        return NULL;
    }
    GENERAL_NAME_set0_value(g, GEN_DNS, dns);
    return g;
}

/* Whether gens holds an entry equal to `name` (exact, as we write them). */
static bool has_gen(const GENERAL_NAMES *gens, const char *name)
{
    GENERAL_NAME *g = make_gen(name);
    bool found = false;
    for (int i = 0; g && !found && i < sk_GENERAL_NAME_num(gens); i++)
        found = GENERAL_NAME_cmp(sk_GENERAL_NAME_value(gens, i), g) == 0;
    GENERAL_NAME_free(g);
    return found;
}

/* Append one name to the subjectAltName list, skipping duplicates. */
static bool add_san(GENERAL_NAMES *gens, const char *name)
{
    if (has_gen(gens, name))
        return true;
    GENERAL_NAME *g = make_gen(name);
    if (!g || sk_GENERAL_NAME_push(gens, g) <= 0) {
        GENERAL_NAME_free(g);
        return false;
    }
    return true;
}

/* Add a text-configured extension such as "critical,CA:FALSE". */
static bool add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    bool ok = ext && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* The self-signed certificate for `key` covering `names`. */
static X509 *make_cert(EVP_PKEY *key, const char **names, int count)
{
    X509 *x = X509_new();
    BIGNUM *bn = BN_new();
    X509_NAME *subj = X509_NAME_new();
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    bool ok = x && bn && subj && gens;
    ok = ok && X509_set_version(x, X509_VERSION_3) == 1;
    ok = ok && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1;
    ok = ok && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    /* Back-date an hour for clock skew; 825 days in total. */
    time_t now = time(NULL);
    ok = ok && X509_time_adj(X509_getm_notBefore(x), -3600, &now) != NULL;
    ok = ok && X509_time_adj(X509_getm_notAfter(x), CERT_DAYS * 86400L - 3600, &now) != NULL;
    ok = ok && X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
                                          (const unsigned char *)"localhost", -1, -1, 0) == 1;
    ok = ok && X509_set_subject_name(x, subj) == 1 && X509_set_issuer_name(x, subj) == 1;
    ok = ok && X509_set_pubkey(x, key) == 1;
    for (int i = 0; ok && i < count; i++)
        ok = add_san(gens, names[i]);
    ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
    ok = ok && add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(x, NID_key_usage, "critical,digitalSignature");
    ok = ok && add_ext(x, NID_ext_key_usage, "serverAuth");
    ok = ok && add_ext(x, NID_subject_key_identifier, "hash");
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    BN_free(bn);
    X509_NAME_free(subj);
    GENERAL_NAMES_free(gens);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Write `path` atomically with `mode`: a temporary file next to it is
 * written with PEM_write_PrivateKey (key != NULL) or PEM_write_X509,
 * fsync'd, then renamed over path. */
static int write_atomic(const char *path, mode_t mode, EVP_PKEY *key, X509 *x, char *err,
                        unsigned errcap)
{
    char tmp[PATH_CAP];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp)
        return set_err(err, errcap, VECHE_ENOSPC, "path too long");
    int fd = mkstemp(tmp); /* created 0600 */
    if (fd < 0)
        return set_err(err, errcap, VECHE_EIO, "cannot create %s: %s", tmp, strerror(errno));
    FILE *f = NULL;
    const char *what = NULL;
    char ebuf[256];
    if (fchmod(fd, mode) != 0) {
        what = strerror(errno);
    } else if (!(f = fdopen(fd, "w"))) {
        what = strerror(errno);
    } else {
        fd = -1; /* owned by f now */
        int ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
                     : PEM_write_X509(f, x);
        if (ok != 1)
            what = ssl_err(ebuf, sizeof ebuf);
        else if (fflush(f) != 0 || fsync(fileno(f)) != 0)
            what = strerror(errno);
    }
    if (f && fclose(f) != 0 && !what)
        what = strerror(errno);
    if (fd >= 0)
        close(fd);
    if (!what && rename(tmp, path) != 0)
        what = strerror(errno);
    if (what) {
        int saved = set_err(err, errcap, VECHE_EIO, "cannot write %s: %s", path, what);
        unlink(tmp);
        return saved;
    }
    return 0;
}

/* Make the renames durable; failure here only costs durability. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Generate and write a new pair. */
static int generate(const char *dir, const char *cert_path, const char *key_path,
                    const char **names, int count, char *err, unsigned errcap)
{
    char ebuf[256];
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = key ? make_cert(key, names, count) : NULL;
    int rc;
    if (!x) {
        rc = set_err(err, errcap, VECHE_ECRYPTO, "certificate generation failed: %s",
                     ssl_err(ebuf, sizeof ebuf));
    } else {
        /* Key first: a crash in between leaves a mismatched pair, which the
         * next start regenerates. */
        rc = write_atomic(key_path, 0600, key, NULL, err, errcap);
        if (rc == 0)
            rc = write_atomic(cert_path, 0644, NULL, x, err, errcap);
        if (rc == 0) {
            sync_dir(dir);
            VLOG_INFO(NULL, NULL, "tls: generated self-signed certificate %s", cert_path);
        }
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

int veche_tlscert_ensure(const char *dir, const char *extra_names,
                         char *cert_path, char *key_path, unsigned cap,
                         char *err, unsigned errcap)
{
    if (err && errcap > 0)
        err[0] = '\0';
    if (!dir || !*dir || !cert_path || !key_path || cap == 0)
        return set_err(err, errcap, VECHE_EINVAL, "invalid argument");
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    int n1 = snprintf(cert_path, cap, "%s%scert.pem", dir, sep);
    int n2 = snprintf(key_path, cap, "%s%skey.pem", dir, sep);
    if (n1 < 0 || n2 < 0 || (unsigned)n1 >= cap || (unsigned)n2 >= cap || n1 >= PATH_CAP - 16)
        return set_err(err, errcap, VECHE_ENOSPC, "certificate path too long");

    const char *names[MAX_NAMES];
    char *storage = NULL;
    int count = collect_names(extra_names, names, &storage, err, errcap);
    int rc = count < 0 ? count : mkdir_p(dir, err, errcap);
    if (rc == 0)
        rc = check_existing(cert_path, key_path, names, count, err, errcap);
    if (rc == 0)
        rc = generate(dir, cert_path, key_path, names, count, err, errcap);
    else if (rc == 1)
        rc = 0; /* reused */
    free(storage);
    return rc;
}
