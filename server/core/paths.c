/* paths.c - the installed layout's default paths (paths.h). */
#include "paths.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

/* Remove trailing slashes (but keep "/"). */
static size_t trimmed_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return n;
}

bool veche_paths_installed(const char *exe, const veche_install_dirs *dirs,
                           veche_installed_paths *out)
{
    if (!exe || !dirs || !dirs->bindir || !dirs->datadir || !dirs->sysconfdir ||
        !dirs->localstatedir || exe[0] != '/')
        return false;
    const char *slash = strrchr(exe, '/');
    size_t dir_len = (size_t)(slash - exe);       /* "/usr/bin" of "/usr/bin/veche" */
    size_t bin_len = trimmed_len(dirs->bindir);
    if (bin_len == 0 || dir_len < bin_len ||
        memcmp(exe + dir_len - bin_len, dirs->bindir, bin_len) != 0)
        return false;
    int root_len = (int)(dir_len - bin_len);      /* "" or a DESTDIR */
    if (root_len > 0 && exe[root_len] != '/')
        return false;  /* "/opt/xusr/bin" does not end with the directory "/usr/bin" */
    veche_installed_paths p;
    int n1 = snprintf(p.web_root, sizeof p.web_root, "%.*s%s/veche/web-client", root_len, exe,
                      dirs->datadir);
    int n2 = snprintf(p.config, sizeof p.config, "%.*s%s/veche/veche.conf", root_len, exe,
                      dirs->sysconfdir);
    int n3 = snprintf(p.data_dir, sizeof p.data_dir, "%.*s%s/lib/veche", root_len, exe,
                      dirs->localstatedir);
    if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof p.web_root ||
        (size_t)n2 >= sizeof p.config || (size_t)n3 >= sizeof p.data_dir)
        return false;
    char index[VECHE_PATH_MAX + 16];
    snprintf(index, sizeof index, "%s/index.html", p.web_root);
    struct stat st;
    if (stat(index, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    *out = p;
    return true;
}

bool veche_paths_self_installed(const veche_install_dirs *dirs, veche_installed_paths *out)
{
    gchar *exe = g_file_read_link("/proc/self/exe", NULL);
    bool yes = exe && veche_paths_installed(exe, dirs, out);
    g_free(exe);
    return yes;
}

int veche_paths_apply_installed(veche_config *cfg, const veche_install_dirs *dirs,
                                bool load_config, char *err, size_t errcap)
{
    veche_installed_paths p;
    if (!veche_paths_self_installed(dirs, &p))
        return 0;
    snprintf(cfg->web_root, sizeof cfg->web_root, "%s", p.web_root);
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", p.data_dir);
    if (!load_config || access(p.config, F_OK) != 0)
        return 0;
    return veche_config_load(cfg, p.config, err, errcap);
}
