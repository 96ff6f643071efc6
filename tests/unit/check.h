/* check.h - a tiny test harness for Veche's C unit tests.
 *
 * Each test file defines test functions with TEST(name) and lists them in
 * main() with RUN(name).  Output is TAP ("ok 1 - name" / "not ok 2 - name")
 * so meson counts each case; a failed CHECK prints file:line and the
 * expression, and the case fails.  check_finish() returns the exit status.
 */
#ifndef VECHE_CHECK_H
#define VECHE_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_case_failed;
static int check_cases;
static int check_failed_cases;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "# %s:%d: CHECK failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                       \
            check_case_failed = 1;                                          \
        }                                                                   \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                  \
    do {                                                                    \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);     \
        if (check_a_ != check_b_) {                                         \
            fprintf(stderr, "# %s:%d: %s == %s failed: %lld != %lld\n",    \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);        \
            check_case_failed = 1;                                          \
        }                                                                   \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                  \
    do {                                                                    \
        const char *check_a_ = (a), *check_b_ = (b);                        \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {    \
            fprintf(stderr, "# %s:%d: %s == %s failed: \"%s\" != \"%s\"\n",\
                    __FILE__, __LINE__, #a, #b,                             \
                    check_a_ ? check_a_ : "(null)",                         \
                    check_b_ ? check_b_ : "(null)");                        \
            check_case_failed = 1;                                          \
        }                                                                   \
    } while (0)

#define RUN(name)                                                           \
    do {                                                                    \
        check_case_failed = 0;                                              \
        name();                                                             \
        check_cases++;                                                      \
        if (check_case_failed)                                              \
            check_failed_cases++;                                           \
        printf("%sok %d - %s\n", check_case_failed ? "not " : "",          \
               check_cases, #name);                                         \
    } while (0)

static inline int check_finish(void)
{
    printf("1..%d\n", check_cases);
    return check_failed_cases ? 1 : 0;
}

#endif
