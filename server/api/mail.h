/* mail.h - outgoing mail (password-reset links) through an SMTP relay.
 *
 * Plain SMTP to smtp_relay ("host:port"), no authentication and no TLS: the
 * relay is meant to be a local MTA (postfix, a smarthost) that does the
 * rest.  Messages are sent by libcurl on one worker thread, in order, so
 * the main loop never waits on the network; a failure is logged (without
 * the address) and dropped.  Does not: queue to disk, retry, or know what
 * the mail says.
 *
 * Ownership: the caller owns the veche_mailer; veche_mailer_free() waits
 * for the mails already queued.  Call from one thread.
 */
#ifndef VECHE_MAIL_H
#define VECHE_MAIL_H

typedef struct veche_mailer veche_mailer;

/* relay "host:port" (must not be empty), from a bare address.  NULL on
 * failure (libcurl would not start). */
veche_mailer *veche_mailer_new(const char *relay, const char *from);
void veche_mailer_free(veche_mailer *m);  /* accepts NULL */

/* Queue one UTF-8 plain-text mail (copied).  Returns 0 or VECHE_EINVAL
 * (an address with CR, LF, '<' or '>', or not one '@'). */
int veche_mailer_send(veche_mailer *m, const char *to, const char *subject,
                      const char *body);

#endif
