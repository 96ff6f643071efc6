/* cmd_accounts.c - vechectl's account commands: account-add (with an
 * initial password read from stdin, or a one-time reset link), reset-link,
 * block, unblock, admin-add, admin-remove and the people listing
 * (vechectl.h).
 *
 * A password never appears on the command line: --password-stdin reads the
 * first line of stdin, checks it against the password policy, hashes it
 * with Argon2id at the interactive cost (the server's) and wipes the
 * buffer.  Reset links are made as the server makes them: a session-format
 * token whose SHA-256 goes to the store, valid for invitation_ttl_hours.
 * Blocking deletes the person's sessions; the running server closes their
 * live connections when it notices the block.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "password.h"
#include "store.h"
#include "vechectl.h"

/* Room for a link: public_url (255), "/?reset=" and the token. */
#define LINK_SIZE 320

/* The first line of stdin without its line end ("\n" or "\r\n") into buf
 * (cap bytes, at least VECHE_PASSWORD_MAX_BYTES + 2).  0, or an exit
 * status. */
static int read_password(char *buf, size_t cap)
{
    size_t n = 0;
    int ch;
    while ((ch = getchar()) != EOF && ch != '\n') {
        if (ch == '\0')
            return vctl_refuse("account-add: the password contains a NUL"
                               " byte");
        if (n + 1 >= cap || n >= VECHE_PASSWORD_MAX_BYTES + 1)
            return vctl_refuse("account-add: the password is longer than %d"
                               " bytes", VECHE_PASSWORD_MAX_BYTES);
        buf[n++] = (char)ch;
    }
    if (ferror(stdin))
        return vctl_refuse("account-add: reading stdin failed");
    if (n == 0 && ch == EOF)
        return vctl_refuse("account-add: no password on stdin");
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return VCTL_OK;
}

/* Check and hash a password read from stdin. */
static int password_from_stdin(const char *email,
                               char hash[VECHE_PASSWORD_HASH_SIZE])
{
    char pw[VECHE_PASSWORD_MAX_BYTES + 3];
    int rc = read_password(pw, sizeof pw);
    const char *why = NULL;
    if (rc == VCTL_OK && veche_password_check_policy(pw, email, &why) != 0)
        rc = vctl_refuse("account-add: weak password: %s",
                         why ? why : "rejected by the password policy");
    if (rc == VCTL_OK) {
        veche_password_cost cost = veche_password_cost_interactive();
        int r = veche_password_hash(pw, &cost, hash);
        if (r != 0)
            rc = vctl_fail("hashing the password", r);
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

int cmd_account_add(vctl *c, int argc, char **argv)
{
    static const char *const syn =
        "account-add EMAIL NAME ORG_ID [--password-stdin | --reset-link]";
    const char *email = argv[0], *name = argv[1];
    int64_t org;
    bool with_password = argc == 4 && !strcmp(argv[3], "--password-stdin");
    if (vctl_parse_id(argv[2], &org) != 0 ||
        (argc == 4 && !with_password && strcmp(argv[3], "--reset-link")))
        return vctl_usage(syn);
    if (!veche_roster_email_valid(email))
        return vctl_refuse("account-add: bad e-mail address %s", email);
    veche_org o;
    int r = veche_store_org_get(c->st, org, &o);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r != 0)
        return vctl_fail("account-add", r);

    /* Everything is checked before anything is written. */
    veche_person p;
    veche_account acc;
    bool new_person = false;
    r = veche_store_person_find_email(c->st, email, &p);
    if (r == VECHE_ENOTFOUND) {
        new_person = true;
        int rc = vctl_check_text("account-add: name", name, VECHE_NAME_MAX);
        if (rc != VCTL_OK)
            return rc;
    } else if (r == 0 && (r = veche_store_account_get(c->st, p.id, &acc)) == 0) {
        return vctl_refuse("%s already has an account", email);
    }
    if (r != 0 && r != VECHE_ENOTFOUND)
        return vctl_fail("account-add", r);
    char hash[VECHE_PASSWORD_HASH_SIZE] = "";
    int rc = with_password ? password_from_stdin(email, hash) : VCTL_OK;
    if (rc != VCTL_OK)
        return rc;

    if (new_person) {  /* the stored name of a known person is kept */
        memset(&p, 0, sizeof p);
        p.org_id = org;
        snprintf(p.full_name, sizeof p.full_name, "%s", name);
        snprintf(p.email, sizeof p.email, "%s", email);
        r = veche_store_person_create(c->st, &p, c->now, &p.id);
        if (r == VECHE_EEXISTS)  /* created meanwhile by someone else */
            return vctl_refuse("%s: created meanwhile; try again", email);
        if (r != 0)
            return vctl_fail("account-add", r);
    }
    r = veche_store_account_create(c->st, p.id, with_password ? hash : NULL,
                                   with_password, c->now);
    sodium_memzero(hash, sizeof hash);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("%s already has an account", email);
    if (r != 0)
        return vctl_fail("account-add", r);
    printf("%lld\n", (long long)p.id);
    if (with_password)
        return VCTL_OK;
    char link[LINK_SIZE];
    rc = vctl_reset_link(c, p.id, link, sizeof link);
    if (rc == VCTL_OK) {
        vctl_audit(c, p.org_id, "account.reset", "account", p.id, NULL);
        printf("%s\n", link);
    }
    return rc;
}

int cmd_reset_link(vctl *c, int argc, char **argv)
{
    (void)argc;
    veche_person p;
    veche_account acc;
    int rc = vctl_find_person(c, argv[0], &p, &acc);
    if (rc != VCTL_OK)
        return rc;
    if (acc.blocked)  /* the store refuses a reset of a blocked account */
        return vctl_refuse("%s is blocked; unblock it first", argv[0]);
    char link[LINK_SIZE];
    rc = vctl_reset_link(c, p.id, link, sizeof link);
    if (rc == VCTL_OK)
        printf("%s\n", link);
    return rc;
}

static int set_blocked(vctl *c, const char *email, bool blocked)
{
    veche_person p;
    veche_account acc;
    int rc = vctl_find_person(c, email, &p, &acc);
    if (rc != VCTL_OK)
        return rc;
    int ended = 0;
    int r = veche_store_account_set_blocked(c->st, p.id, blocked, c->now,
                                            &ended);
    if (r != 0)
        return vctl_fail(blocked ? "block" : "unblock", r);
    char detail[48];
    snprintf(detail, sizeof detail, "{\"sessionsEnded\":%d}", ended);
    vctl_audit(c, p.org_id, blocked ? "account.block" : "account.unblock", "account", p.id,
               detail);
    if (blocked)
        printf("blocked; %d session(s) ended\n", ended);
    else
        printf("unblocked\n");
    return VCTL_OK;
}

int cmd_block(vctl *c, int argc, char **argv)
{
    (void)argc;
    return set_blocked(c, argv[0], true);
}

int cmd_unblock(vctl *c, int argc, char **argv)
{
    (void)argc;
    return set_blocked(c, argv[0], false);
}

/* admin-add / admin-remove: org ORG_ID EMAIL, or platform EMAIL. */
static int set_admin(vctl *c, int argc, char **argv, bool admin)
{
    const char *cmd = admin ? "admin-add" : "admin-remove";
    int64_t org = 0;
    bool platform = argc == 2 && !strcmp(argv[0], "platform");
    if (!platform && (argc != 3 || strcmp(argv[0], "org") ||
                      vctl_parse_id(argv[1], &org) != 0)) {
        fprintf(stderr, "usage: vechectl %s org ORG_ID EMAIL\n"
                        "       vechectl %s platform EMAIL\n", cmd, cmd);
        return VCTL_USAGE;
    }
    const char *email = argv[argc - 1];
    veche_person p;
    veche_account acc;
    int rc = vctl_find_person(c, email, &p, platform ? &acc : NULL);
    if (rc != VCTL_OK)
        return rc;
    int r;
    if (platform) {
        r = veche_store_account_set_platform_admin(c->st, p.id, admin);
    } else {
        veche_org o;
        r = veche_store_org_get(c->st, org, &o);
        if (r == VECHE_ENOTFOUND)
            return vctl_refuse("no organization %lld", (long long)org);
        if (r == 0)
            r = veche_store_org_admin_set(c->st, org, p.id, admin);
    }
    if (r != 0)
        return vctl_fail(cmd, r);
    char detail[48];
    snprintf(detail, sizeof detail, "{\"org\":%lld}", (long long)org);
    vctl_audit(c, platform ? 0 : org,
               platform ? (admin ? "platform-admin.add" : "platform-admin.remove")
                        : (admin ? "admin.add" : "admin.remove"),
               "person", p.id, platform ? NULL : detail);
    if (platform)
        printf("%s platform administrator\n", admin ? "now" : "no longer");
    else
        printf("%s administrator of organization %lld\n",
               admin ? "now" : "no longer", (long long)org);
    return VCTL_OK;
}

int cmd_admin_add(vctl *c, int argc, char **argv)
{
    return set_admin(c, argc, argv, true);
}

int cmd_admin_remove(vctl *c, int argc, char **argv)
{
    return set_admin(c, argc, argv, false);
}

/* ---- people ---- */

static int print_person(void *ud, const veche_person_info *pi)
{
    (void)ud;
    const veche_person *p = &pi->person;
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)p->org_id);
    printf("%lld\t%s\t%s\t%s\t%s\t%s%s%s\n", (long long)p->id,
           p->org_id ? org : "-", p->email, p->full_name,
           p->phone[0] ? p->phone : "-",
           !pi->account ? "no-account" : pi->blocked ? "blocked" : "active",
           pi->must_change_password ? ",must-change-password" : "",
           pi->platform_admin ? ",platform-admin" : "");
    return 0;
}

int cmd_people(vctl *c, int argc, char **argv)
{
    int64_t org = 0;
    if (argc == 1 && vctl_parse_id(argv[0], &org) != 0)
        return vctl_usage("people [ORG_ID]");
    veche_org o;
    int r = org ? veche_store_org_get(c->st, org, &o) : 0;
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r == 0)
        r = veche_store_people_list(c->st, org, 0, print_person, NULL);
    return r < 0 ? vctl_fail("people", r) : VCTL_OK;
}
