/* paths.h - where an installed Veche finds its files.
 *
 * `meson install` (prefix /usr) puts the binary in /usr/bin, the web client
 * in /usr/share/veche/web-client, the configuration in /etc/veche/veche.conf
 * and the state in /var/lib/veche.  A binary that runs from its installed
 * place takes those as its defaults; one run from the build tree keeps the
 * defaults of config.c (web-client and ./veche-data, relative to the
 * current directory).
 *
 * "Installed" means: the directory of the executable ends with the
 * configured bindir, and <root><datadir>/veche/web-client/index.html exists,
 * where <root> is what comes before bindir ("" for a real install, the
 * DESTDIR for a staged one, so a staged tree finds its own files).
 *
 * Does not: read the configuration, or create any directory.  Pure but for
 * one stat(); any thread.
 */
#ifndef VECHE_PATHS_H
#define VECHE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The install directories, absolute, as meson configured them. */
typedef struct {
    const char *bindir;        /* "/usr/bin" */
    const char *datadir;       /* "/usr/share" */
    const char *sysconfdir;    /* "/etc" */
    const char *localstatedir; /* "/var" */
} veche_install_dirs;

typedef struct {
    char web_root[VECHE_PATH_MAX];   /* <root><datadir>/veche/web-client */
    char config[VECHE_PATH_MAX];     /* <root><sysconfdir>/veche/veche.conf */
    char data_dir[VECHE_PATH_MAX];   /* <root><localstatedir>/lib/veche */
} veche_installed_paths;

/* Whether exe (the executable's absolute path, e.g. from /proc/self/exe)
 * is an installed copy; if so fill *out.  *out is left unchanged otherwise. */
bool veche_paths_installed(const char *exe, const veche_install_dirs *dirs,
                           veche_installed_paths *out);

/* The same for this process (reads /proc/self/exe). */
bool veche_paths_self_installed(const veche_install_dirs *dirs, veche_installed_paths *out);

/* For this process: when installed, set cfg's web_root and data_dir to the
 * installed ones and, when load_config and the installed configuration file
 * exists, read it on top.  Returns 0 (also when not installed), or a
 * negative code with "path:line: reason" in err. */
int veche_paths_apply_installed(veche_config *cfg, const veche_install_dirs *dirs,
                                bool load_config, char *err, size_t errcap);

/* The directories meson configured (server/meson.build passes them to the
 * programs as -D flags): VECHE_INSTALL_DIRS is an initializer for
 * veche_install_dirs. */
#ifndef VECHE_BINDIR
#define VECHE_BINDIR "/usr/bin"
#define VECHE_DATADIR "/usr/share"
#define VECHE_SYSCONFDIR "/etc"
#define VECHE_LOCALSTATEDIR "/var"
#endif
#define VECHE_INSTALL_DIRS {VECHE_BINDIR, VECHE_DATADIR, VECHE_SYSCONFDIR, VECHE_LOCALSTATEDIR}

#endif
