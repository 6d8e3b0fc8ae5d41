/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-services table, third part: driver files from the cabinets
 * of a Windows driver cache, and planning new files under the Windows
 * directory. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "cabinet.h"
#include "host-private.h"

static GBytes *
download_mapped (BootfixGuest *guest, const char *path, GError **error)
{
  g_autofree char *tmp = NULL;
  int fd = g_file_open_tmp ("virt-bootfix-XXXXXX.cab", &tmp, error);
  if (fd < 0)
    return NULL;
  close (fd);
  g_autoptr (GMappedFile) map = NULL;
  if (bootfix_guest_download (guest, NULL, path, tmp, error))
    map = g_mapped_file_new (tmp, FALSE, error);
  /* The mapping outlives the name. */
  (void) g_unlink (tmp);
  return map ? g_mapped_file_get_bytes (map) : NULL;
}

/* One cabinet: 1 found (*out set), 0 not there or unreadable (a
 * warning says why), -1 on a failure of ours. */
static int
search_cabinet (BootfixHostContext *ctx, const char *dir, const char *shown,
                const char *name, GBytes **out, GError **error)
{
  const struct bootfix_host *h = &ctx->host;
  g_autofree char *path = g_build_path ("/", dir, name, NULL);
  g_autoptr (GError) err = NULL;
  int64_t size = bootfix_guest_file_size (ctx->guest, NULL, path, &err);
  if (size < 0 || (guint64) size > BOOTFIX_CABINET_MAX_SIZE) {
    h->log (h, BOOTFIX_LOG_WARNING, _("%s is skipped: %s"), shown,
            err ? err->message : _("it is larger than any real cabinet"));
    return 0;
  }
  g_autoptr (GBytes) cab = download_mapped (ctx->guest, path, error);
  if (cab == NULL)
    return -1;
  return bootfix_cabinet_extract (cab, shown, ctx->cab_wanted, out, &err)
         ? *out != NULL
         : (h->log (h, BOOTFIX_LOG_WARNING, "%s", err->message), 0);
}

int
bootfix_host_cabinet_extract (const struct bootfix_host *h, const char *folder,
                              const char *name, void **data, size_t *len,
                              char **source)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (!folder || !name || !data || !len)
    return bootfix_host_bad_argument (h, "cabinet_extract", _("NULL argument"));
  GError *err = NULL;
  g_autofree char *dir = bootfix_guest_windows_path (ctx->guest, folder, &err);
  g_auto (GStrv) names = dir ? bootfix_guest_list_dir (ctx->guest, NULL, dir, &err) : NULL;
  if (names == NULL)
    return bootfix_host_fail (h, err);
  g_auto (GStrv) order = bootfix_cabinet_order ((const char *const *) names);
  ctx->cab_wanted = name;
  for (guint i = 0; order[i]; i++) {
    g_autofree char *shown = g_strdup_printf ("%%SystemRoot%%\\%s\\%s", folder, order[i]);
    g_autoptr (GBytes) out = NULL;
    int r = search_cabinet (ctx, dir, shown, order[i], &out, &err);
    if (r < 0)
      return bootfix_host_fail (h, err);
    if (r == 0)
      continue;
    if (source)
      *source = strdup (shown);
    return bootfix_host_copy_out (h, "cabinet_extract", out, data, len);
  }
  return 0;
}

int
bootfix_host_create_windows_file (const struct bootfix_host *h,
                                  const struct bootfix_edit *edit,
                                  const char *relpath, const void *data,
                                  size_t len)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  BootfixEditText text;
  const char *why = bootfix_host_edit_text (edit, &text);
  if (why == NULL && (!relpath || (!data && len)))
    why = _("missing path or data");
  if (why)
    return bootfix_host_bad_argument (h, "create_windows_file", why);
  GError *err = NULL;
  g_autofree char *path = bootfix_guest_windows_path (ctx->guest, relpath, &err);
  if (path == NULL)
    return bootfix_host_fail (h, err);
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  bootfix_plan_add_edit (ctx->plan, BOOTFIX_ACTION_REPLACE_FILE, &text, NULL, path,
                         0, NULL, bytes);
  return 0;
}

/* ---- the user's driver tree (--virtio-win) ---- */

/* Deepest path we look up in a driver tree (viostor/w10/amd64/x.sys). */
#define MAX_SOURCE_DEPTH 16

/* The entry of dir whose name equals want, ignoring case; symbolic
 * links do not count, so a lookup never leaves the tree. */
static char *
find_entry (const char *dir, const char *want)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return NULL;
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL) {
    if (g_ascii_strcasecmp (name, want) != 0)
      continue;
    char *path = g_build_filename (dir, name, NULL);
    if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
      return path;
    g_free (path);
  }
  return NULL;
}

/* relpath inside root, any case; NULL when absent or not plain. */
static char *
resolve_in_tree (const char *root, const char *relpath)
{
  g_autofree char *slashed = g_strdelimit (g_strdup (relpath), "\\", '/');
  g_auto (GStrv) parts = g_strsplit (slashed, "/", MAX_SOURCE_DEPTH + 1);
  if (g_strv_length (parts) > MAX_SOURCE_DEPTH)
    return NULL;
  g_autofree char *path = g_strdup (root);
  for (guint i = 0; parts[i]; i++) {
    if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0 ||
        strcmp (parts[i], "..") == 0)
      return NULL;
    char *next = find_entry (path, parts[i]);
    if (next == NULL)
      return NULL;
    g_free (path);
    path = next;
  }
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

int
bootfix_host_read_driver_source (const struct bootfix_host *h,
                                 const char *relpath, size_t max_len,
                                 void **data, size_t *len)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (!relpath || !data || !len)
    return bootfix_host_bad_argument (h, "read_driver_source", _("NULL argument"));
  if (ctx->driver_source == NULL)
    return bootfix_host_bad_argument (h, "read_driver_source",
                                      _("no driver tree was given"));
  g_autofree char *path = resolve_in_tree (ctx->driver_source, relpath);
  if (path == NULL)
    return 0;
  GStatBuf st;
  if (g_stat (path, &st) != 0 || (guint64) st.st_size > max_len)
    return bootfix_host_fail (h, g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                                              _("%s is larger than %zu bytes"),
                                              path, (size_t) max_len));
  char *contents = NULL;
  gsize n = 0;
  GError *err = NULL;
  if (!g_file_get_contents (path, &contents, &n, &err))
    return bootfix_host_fail (h, err);
  g_autoptr (GBytes) bytes = g_bytes_new_take (contents, n);
  return bootfix_host_copy_out (h, "read_driver_source", bytes, data, len);
}
