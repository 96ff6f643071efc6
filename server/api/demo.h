/* demo.h - a demo organization for trying Veche out (`demo = true`).
 *
 * Seeds, once (it does nothing when the demo chair's e-mail is already
 * known): an organization with a presidium (chair, secretary, three voting
 * members, one non-voting member), a course (a trainer, four activists), a
 * meeting and a training event, a platform administrator and one person on
 * no roster.  Every demo account has the password VECHE_DEMO_PASSWORD;
 * the addresses are listed in docs/api.md.  Never for a real server.
 */
#ifndef VECHE_DEMO_H
#define VECHE_DEMO_H

#include <stdint.h>

#include "password.h"
#include "store.h"

#define VECHE_DEMO_PASSWORD "demo-password-1"

/* Returns 1 when it seeded, 0 when the demo was there already, or a
 * negative code (then nothing was seeded... up to the failing step, which
 * is logged). */
int veche_demo_seed(veche_store *st, const veche_password_cost *cost, int64_t now);

#endif
