/* test_paths.c - when a binary counts as installed, and the paths it then
 * uses (a fake install tree in a temporary directory). */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "check.h"
#include "paths.h"

static const veche_install_dirs dirs = {"/usr/bin", "/usr/share", "/etc", "/var"};

TEST(installed_in_a_staged_tree)
{
    gchar *root = g_dir_make_tmp("veche-paths-XXXXXX", NULL);
    CHECK(root != NULL);
    gchar *web = g_build_filename(root, "usr/share/veche/web-client", NULL);
    CHECK_EQ_INT(g_mkdir_with_parents(web, 0700), 0);
    gchar *exe = g_build_filename(root, "usr/bin/veche", NULL);
    veche_installed_paths p;
    memset(&p, 0, sizeof p);
    /* no index.html yet: not installed */
    CHECK(!veche_paths_installed(exe, &dirs, &p));
    CHECK_EQ_STR(p.web_root, "");
    gchar *index = g_build_filename(web, "index.html", NULL);
    CHECK(g_file_set_contents(index, "<!doctype html>", -1, NULL));
    CHECK(veche_paths_installed(exe, &dirs, &p));
    CHECK_EQ_STR(p.web_root, web);
    gchar *conf = g_strconcat(root, "/etc/veche/veche.conf", NULL);
    gchar *state = g_strconcat(root, "/var/lib/veche", NULL);
    CHECK_EQ_STR(p.config, conf);
    CHECK_EQ_STR(p.data_dir, state);
    g_remove(index);
    g_rmdir(web);
    g_free(conf);
    g_free(state);
    g_free(index);
    g_free(exe);
    g_free(web);
    g_free(root);
}

TEST(not_installed)
{
    veche_installed_paths p;
    memset(&p, 0, sizeof p);
    const char *rows[] = {
        "/work/veche/build/server/veche",   /* a build tree */
        "/opt/xusr/bin/veche",              /* ends with "usr/bin", not "/usr/bin" */
        "veche",                            /* not absolute */
        "/usr/bin",                         /* the directory is "/usr" */
        NULL,
    };
    for (int i = 0; i < 4; i++)
        CHECK(!veche_paths_installed(rows[i], &dirs, &p));
    CHECK(!veche_paths_installed(NULL, &dirs, &p));
    CHECK_EQ_STR(p.web_root, "");
    /* this test binary is in the build tree */
    CHECK(!veche_paths_self_installed(&dirs, &p));
}

int main(void)
{
    RUN(installed_in_a_staged_tree);
    RUN(not_installed);
    return check_finish();
}
