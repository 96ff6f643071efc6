/* test_tlscert.c - the self-signed HTTPS certificate: generation into a
 * nested temporary directory, file modes, names and validity, reuse of an
 * existing pair, regeneration of garbage or of a pair lacking a new name,
 * and argument errors. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "err.h"
#include "tlscert.h"

static char base[64];
static char dir[128];

/* Whole file into a malloc'd buffer; NULL when unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static bool same_content(const char *path, const char *want, size_t want_len)
{
    size_t n = 0;
    char *got = slurp(path, &n);
    bool same = got && n == want_len && memcmp(got, want, n) == 0;
    free(got);
    return same;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return x;
}

TEST(generate_and_reuse)
{
    char cert[256], key[256], err[256];
    int rc = veche_tlscert_ensure(dir, " example.test, 192.0.2.7,,2001:db8::1 ,localhost",
                                  cert, key, sizeof cert, err, sizeof err);
    CHECK_EQ_INT(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "# %s\n", err);
        return;
    }
    char want[256];
    snprintf(want, sizeof want, "%s/cert.pem", dir);
    CHECK_EQ_STR(cert, want);
    snprintf(want, sizeof want, "%s/key.pem", dir);
    CHECK_EQ_STR(key, want);

    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
    snprintf(want, sizeof want, "%s/sub", base);
    CHECK(stat(want, &st) == 0 && (st.st_mode & 0777) == 0700);
    CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(stat(cert, &st) == 0 && S_ISREG(st.st_mode));

    X509 *x = load_cert(cert);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(X509_check_host(x, "localhost", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL), 1);
        CHECK_EQ_INT(X509_check_host(x, "example.test", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL), 1);
        CHECK_EQ_INT(X509_check_host(x, "other.test", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL), 0);
        CHECK_EQ_INT(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
        CHECK_EQ_INT(X509_check_ip_asc(x, "::1", 0), 1);
        CHECK_EQ_INT(X509_check_ip_asc(x, "192.0.2.7", 0), 1);
        CHECK_EQ_INT(X509_check_ip_asc(x, "2001:db8::1", 0), 1);
        CHECK_EQ_INT(X509_check_ip_asc(x, "192.0.2.8", 0), 0);
        /* localhost given twice is listed once: 2 DNS + 4 IP. */
        GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        CHECK(gens && sk_GENERAL_NAME_num(gens) == 6);
        GENERAL_NAMES_free(gens);
        char cn[64] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
        CHECK_EQ_STR(cn, "localhost");
        int days = 0, secs = 0;
        CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)) == 1);
        CHECK_EQ_INT(days, 825);
        CHECK_EQ_INT(secs, 0);
        CHECK(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
        EVP_PKEY *pub = X509_get0_pubkey(x);
        CHECK(pub && EVP_PKEY_is_a(pub, "EC"));
        X509_free(x);
    }

    /* Second call: same files, untouched. */
    size_t clen = 0, klen = 0;
    char *c1 = slurp(cert, &clen), *k1 = slurp(key, &klen);
    CHECK(c1 && k1);
    char cert2[256], key2[256];
    rc = veche_tlscert_ensure(dir, "example.test,192.0.2.7,2001:db8::1", cert2, key2,
                              sizeof cert2, err, sizeof err);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(cert2, cert);
    CHECK(c1 && same_content(cert, c1, clen));
    CHECK(k1 && same_content(key, k1, klen));
    /* Fewer names than the certificate has is fine too. */
    CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert2, key2, sizeof cert2, err, sizeof err), 0);
    CHECK(c1 && same_content(cert, c1, clen));

    /* A name the certificate lacks: a new pair that has it. */
    CHECK_EQ_INT(veche_tlscert_ensure(dir, "example.test,new.example.test", cert2, key2,
                                      sizeof cert2, err, sizeof err), 0);
    CHECK(c1 && !same_content(cert, c1, clen));
    CHECK(k1 && !same_content(key, k1, klen));
    CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600);
    x = load_cert(cert);
    CHECK(x && X509_check_host(x, "new.example.test", 0, 0, NULL) == 1);
    X509_free(x);
    free(c1);
    free(k1);
}

/* Garbage in cert.pem (or a key that does not match) is replaced. */
TEST(garbage_regenerated)
{
    char cert[256], key[256], err[256];
    CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, sizeof cert, err, sizeof err), 0);
    FILE *f = fopen(cert, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n", f);
        fclose(f);
    }
    CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, sizeof cert, err, sizeof err), 0);
    X509 *x = load_cert(cert);
    CHECK(x != NULL);
    X509_free(x);

    /* Key from another pair: regenerated as well. */
    char other[160], ocert[256], okey[256];
    snprintf(other, sizeof other, "%s/other", base);
    CHECK_EQ_INT(veche_tlscert_ensure(other, NULL, ocert, okey, sizeof ocert, err, sizeof err), 0);
    CHECK_EQ_INT(rename(okey, key), 0);
    size_t klen = 0;
    char *k1 = slurp(key, &klen);
    CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, sizeof cert, err, sizeof err), 0);
    CHECK(k1 && !same_content(key, k1, klen));
    free(k1);
    unlink(ocert);
    rmdir(other);
}

TEST(errors)
{
    char cert[256], key[256], err[256];
    err[0] = '\0';
    CHECK_EQ_INT(veche_tlscert_ensure(dir, "ok.test,bad name!", cert, key, sizeof cert, err,
                                      sizeof err), VECHE_EINVAL);
    CHECK(strstr(err, "bad name!") != NULL);
    CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, 8, err, sizeof err), VECHE_ENOSPC);
    CHECK(err[0] != '\0');
    CHECK_EQ_INT(veche_tlscert_ensure(NULL, NULL, cert, key, sizeof cert, err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_tlscert_ensure("", NULL, cert, key, sizeof cert, NULL, 0), VECHE_EINVAL);

    /* A regular file where the directory should be. */
    char notdir[160];
    snprintf(notdir, sizeof notdir, "%s/file", base);
    FILE *f = fopen(notdir, "w");
    if (f)
        fclose(f);
    CHECK_EQ_INT(veche_tlscert_ensure(notdir, NULL, cert, key, sizeof cert, err, sizeof err),
                 VECHE_EIO);
    unlink(notdir);

    /* An existing key we may not read is reported, never overwritten.
     * (Root reads anything, so this only runs unprivileged.) */
    if (geteuid() != 0) {
        CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, sizeof cert, err, sizeof err), 0);
        CHECK_EQ_INT(chmod(key, 0), 0);
        CHECK_EQ_INT(veche_tlscert_ensure(dir, NULL, cert, key, sizeof cert, err, sizeof err),
                     VECHE_EIO);
        CHECK(strstr(err, "key.pem") != NULL);
        CHECK_EQ_INT(chmod(key, 0600), 0);
    }
}

int main(void)
{
    snprintf(base, sizeof base, "/tmp/veche-tlscert-XXXXXX");
    if (!mkdtemp(base)) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/sub/data", base);
    RUN(generate_and_reuse);
    RUN(garbage_regenerated);
    RUN(errors);

    char path[256];
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/key.pem", dir);
    unlink(path);
    rmdir(dir);
    snprintf(path, sizeof path, "%s/sub", base);
    rmdir(path);
    rmdir(base);
    return check_finish();
}
