/* main.c - the veche binary: parse the command line, load the
 * configuration, run the server on one GLib main loop until SIGINT/SIGTERM.
 * SIGUSR1 asks for a database backup now (when backups are on); SIGHUP
 * reloads the TLS certificate and key (a renewal) without dropping anyone.
 *
 *   veche [-c FILE] [--set key=value]... [--help-config]
 *         [--i-know-demo-is-public]
 *   veche --check-config FILE
 *
 * An installed binary (core/paths.h) defaults to the installed web client
 * and state directory, and reads /etc/veche/veche.conf when no -c is given.
 * It refuses to start with demo = true on a listener other machines reach
 * (anything but 127.0.0.0/8 and ::1) unless --i-know-demo-is-public is
 * given: the demo accounts' password is published.
 */
#include <glib-unix.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "paths.h"
#include "server.h"

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static gboolean on_usr1(gpointer data)
{
    if (!veche_server_backup_now(data))
        VLOG_WARN(NULL, NULL, "SIGUSR1: no backup started (backups off, or one running)");
    return G_SOURCE_CONTINUE;
}

static gboolean on_hup(gpointer data)
{
    char err[512];
    if (veche_server_reload_tls(data, err, sizeof err) == 0)
        VLOG_INFO(NULL, NULL, "SIGHUP: TLS certificate reloaded");
    else
        VLOG_WARN(NULL, NULL, "SIGHUP: TLS certificate not reloaded, the old one stays: %s", err);
    return G_SOURCE_CONTINUE;
}

/* The main loop must not wait for the address-space lock.  libsodium's
 * Argon2id (on the API's password threads, api_pw.c) maps its 64 MiB with
 * MAP_POPULATE and unmaps it again for every hash, holding the process's
 * mmap lock for some 20 ms each time; a brk() or mmap() of the main thread's
 * malloc at that moment waits that long (measured: a 0.4 ms sign-in reply
 * took 20 ms).  So glibc's heap grows in steps of 16 MiB, is trimmed only
 * when 64 MiB sit free at its top, and requests under 32 MiB never get
 * their own mapping: the main thread almost never changes its mappings. */
static void tune_malloc(void)
{
#ifdef __GLIBC__
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

/* Whether argv names a configuration file itself (--check-config reads
 * only the file it names). */
static bool has_config_arg(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config") ||
            !strcmp(argv[i], "--check-config"))
            return true;
    return false;
}

/* Defaults of an installed binary: its web client and state directory,
 * and its configuration file unless argv names one.  Returns 0 or -1. */
static int installed_defaults(int argc, char **argv, veche_config *cfg)
{
    static const veche_install_dirs dirs = VECHE_INSTALL_DIRS;
    char err[512];
    if (veche_paths_apply_installed(cfg, &dirs, !has_config_arg(argc, argv), err,
                                    sizeof err) != 0) {
        fprintf(stderr, "veche: %s\n", err);
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: veche [-c FILE] [--set key=value]... [--help-config]\n"
               "             [--i-know-demo-is-public]\n"
               "       veche --check-config FILE\n"
               "  -c FILE          read the configuration file (see conf/veche.conf;\n"
               "                   installed: " VECHE_SYSCONFDIR "/veche/veche.conf by default)\n"
               "  --set key=value  override one directive (after the file)\n"
               "  --help-config    list every directive with its current value\n"
               "  --check-config FILE  report every problem of FILE with its line;\n"
               "                   exit status 0 when there is none, 2 otherwise\n"
               "  --i-know-demo-is-public  start with demo = true on a listener\n"
               "                   that other machines reach\n");
}

/* --check-config FILE: every problem on stderr; 1 when good, -1 when not. */
static int check_config(const char *path)
{
    veche_config cfg;
    veche_config_defaults(&cfg);
    int problems = veche_config_check(&cfg, path, stderr);
    if (problems == 0) {
        printf("%s: ok\n", path);
        return 1;
    }
    fprintf(stderr, "%s: %d problem%s\n", path, problems, problems == 1 ? "" : "s");
    return -1;
}

/* Apply argv to cfg; returns 0, 1 to exit successfully, or -1. */
static int parse_args(int argc, char **argv, veche_config *cfg, bool *demo_public)
{
    char err[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check-config") && i + 1 < argc) {
            return check_config(argv[++i]);
        } else if (!strcmp(a, "--i-know-demo-is-public")) {
            *demo_public = true;
        } else if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc) {
            if (veche_config_load(cfg, argv[++i], err, sizeof err) != 0)
                return fprintf(stderr, "veche: %s\n", err), -1;
        } else if (!strcmp(a, "--set") && i + 1 < argc) {
            char *kv = argv[++i], *eq = strchr(kv, '=');
            if (!eq)
                return fprintf(stderr, "veche: --set needs key=value\n"), -1;
            *eq = '\0';
            if (veche_config_set(cfg, kv, eq + 1, err, sizeof err) != 0)
                return fprintf(stderr, "veche: %s\n", err), -1;
        } else if (!strcmp(a, "--help-config")) {
            veche_config_print(cfg, stdout);
            return 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    veche_config cfg;
    char err[512];
    tune_malloc();
    veche_config_defaults(&cfg);
    if (installed_defaults(argc, argv, &cfg) != 0)
        return 2;
    bool demo_public = false;
    int rc = parse_args(argc, argv, &cfg, &demo_public);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    veche_config_finish(&cfg);
    if (veche_config_validate(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "veche: %s\n", err);
        return 2;
    }
    if (!demo_public && veche_config_check_demo(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "veche: %s\n", err);
        return 2;
    }
    if (cfg.demo)
        VLOG_WARN(NULL, NULL, "demo = true: demo accounts with the published password"
                  " \"demo-password-1\" on %s", cfg.listen_address);
    veche_log_level level;
    if (veche_log_parse_level(cfg.log_level, &level) == 0)
        veche_log_set_level(level);
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    veche_server *server = veche_server_new(&cfg, loop, err, sizeof err);
    if (!server) {
        fprintf(stderr, "veche: %s\n", err);
        g_main_loop_unref(loop);
        return 1;
    }
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    guint usr1 = g_unix_signal_add(SIGUSR1, on_usr1, server);
    guint hup = g_unix_signal_add(SIGHUP, on_hup, server);
    g_main_loop_run(loop);
    g_source_remove(hup);
    g_source_remove(usr1);
    VLOG_INFO(NULL, NULL, "shutting down");
    veche_server_free(server);
    g_main_loop_unref(loop);
    return 0;
}
