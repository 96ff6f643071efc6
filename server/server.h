/* server.h - the Veche process: ties the configuration, the DTLS
 * certificate, the signalling service and the HTTPS/WSS listener together on
 * one GLib main loop.
 *
 * Ownership: the caller owns the veche_server and the loop; the server owns
 * everything else.  Media runs on the same loop for now; docs/architecture.md
 * describes how rooms will move to worker threads.
 */
#ifndef VECHE_SERVER_H
#define VECHE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include "config.h"

typedef struct veche_server veche_server;

/* Start listening; NULL with a reason in err on failure.  cfg must outlive
 * the server. */
veche_server *veche_server_new(const veche_config *cfg, GMainLoop *loop, char *err,
                               size_t errcap);
void veche_server_free(veche_server *s);  /* accepts NULL */
/* Start a database backup on the backup thread now (SIGUSR1); false when
 * backups are off or one is running. */
bool veche_server_backup_now(veche_server *s);

/* SIGHUP: reload the HTTPS certificate and key from their files (a
 * renewal); meetings and open connections go on.  Returns 0, or a negative
 * code with the reason in err (the old certificate stays). */
int veche_server_reload_tls(veche_server *s, char *err, size_t errcap);

#endif
