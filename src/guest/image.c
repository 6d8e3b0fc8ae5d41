/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side image operations through qemu-img and plain file I/O. */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "image.h"

gboolean
bootfix_image_run_tool (const char *const *argv, const char *cwd, char **out,
                        GError **error)
{
  g_autofree char *err = NULL;
  int status = 0;
  if (!g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                     NULL, out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s %s failed: %s"), argv[0], argv[1], err ? g_strstrip (err) : "");
    return FALSE;
  }
  return TRUE;
}

static gboolean
run_qemu_img (const char *const *argv, char **out, GError **error)
{
  return bootfix_image_run_tool (argv, NULL, out, error);
}

gboolean
bootfix_image_create_overlay (const char *base, const char *base_format,
                              const char *overlay, GError **error)
{
  g_autofree char *abs = g_canonicalize_filename (base, NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F",
                         base_format, "-b", abs, overlay, NULL };
  return run_qemu_img (argv, NULL, error);
}

gboolean
bootfix_image_convert (const char *overlay, const char *format,
                       const char *target, GError **error)
{
  const char *argv[] = { "qemu-img", "convert", "-q", "-f", "qcow2", "-O",
                         format, overlay, target, NULL };
  return run_qemu_img (argv, NULL, error) && bootfix_fsync_path (target, error);
}

static gboolean
json_uint (JsonObject *o, const char *member, guint64 *out)
{
  JsonNode *n = json_object_get_member (o, member);
  if (n == NULL || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) < 0)
    return FALSE;
  *out = (guint64) json_node_get_int (n);
  return TRUE;
}

/* Append a range, merging it with the previous one when they touch. */
static void
add_range (GArray *ranges, guint64 offset, guint64 length)
{
  if (ranges->len > 0) {
    BootfixRange *last = &g_array_index (ranges, BootfixRange, ranges->len - 1);
    if (last->offset + last->length == offset) {
      last->length += length;
      return;
    }
  }
  BootfixRange r = { offset, length };
  g_array_append_val (ranges, r);
}

static GArray *
parse_map (const char *json, const char *overlay, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("qemu-img map %s: unexpected output"), overlay);
    return NULL;
  }
  JsonArray *entries = json_node_get_array (root);
  g_autoptr (GArray) ranges = g_array_new (FALSE, FALSE, sizeof (BootfixRange));
  guint64 total = 0;
  for (guint i = 0; i < json_array_get_length (entries); i++) {
    JsonObject *e = json_array_get_object_element (entries, i);
    guint64 start, length, depth;
    if (e == NULL || !json_uint (e, "start", &start) ||
        !json_uint (e, "length", &length) || !json_uint (e, "depth", &depth)) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("qemu-img map %s: unexpected output"), overlay);
      return NULL;
    }
    if (depth != 0)
      continue; /* still the base image's bytes */
    total += length;
    add_range (ranges, start, length);
    if (ranges->len > BOOTFIX_MAX_RANGES || total > BOOTFIX_MAX_CHANGED_BYTES) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("the fix changed more of %s than expected; not written"),
                   overlay);
      return NULL;
    }
  }
  return g_steal_pointer (&ranges);
}

GArray *
bootfix_image_changed_ranges (const char *overlay, GError **error)
{
  const char *argv[] = { "qemu-img", "map", "--output=json", "-f", "qcow2",
                         overlay, NULL };
  g_autofree char *out = NULL;
  if (!run_qemu_img (argv, &out, error))
    return NULL;
  return parse_map (out, overlay, error);
}

static GBytes *
read_raw (const char *path, const BootfixRange *range, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED, "%s: %s", path,
                 g_strerror (saved));
    return NULL;
  }
  g_autofree guint8 *buf = g_malloc (range->length);
  gsize done = 0;
  while (done < range->length) {
    ssize_t n = pread (fd, buf + done, range->length - done,
                       (off_t) (range->offset + done));
    if (n <= 0) {
      int saved = n < 0 ? errno : EIO;
      if (n < 0 && saved == EINTR)
        continue;
      close (fd);
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("%s: cannot read %llu bytes at %llu: %s"), path,
                   (unsigned long long) range->length,
                   (unsigned long long) range->offset, g_strerror (saved));
      return NULL;
    }
    done += (gsize) n;
  }
  close (fd);
  return g_bytes_new_take (g_steal_pointer (&buf), range->length);
}

/* qemu-img --image-opts takes commas as separators: double them. */
static char *
escape_opt (const char *v)
{
  GString *s = g_string_new (NULL);
  for (const char *p = v; *p; p++) {
    if (*p == ',')
      g_string_append_c (s, ',');
    g_string_append_c (s, *p);
  }
  return g_string_free (s, FALSE);
}

/* Any format: the raw driver's offset/size window over the image, one
 * window per range, converted in one qemu-img run to a temporary raw
 * file that holds them one after the other (qemu-img convert
 * concatenates its sources).  (qemu-img dd would do for one range, but
 * its skip/count handling differs between QEMU releases.) */
static GBytes *
read_with_qemu_img (const char *path, const char *format,
                    const BootfixRange *ranges, guint n, guint64 total,
                    GError **error)
{
  g_autofree char *tmpdir = g_dir_make_tmp ("virt-bootfix-read-XXXXXX", error);
  if (tmpdir == NULL)
    return NULL;
  g_autofree char *out = g_build_filename (tmpdir, "range", NULL);
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *escaped = escape_opt (abs);
  g_autofree char *fmt = escape_opt (format);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add_many (b, "qemu-img", "convert", "-U", "--image-opts", "-O", "raw", NULL);
  for (guint i = 0; i < n; i++) {
    g_autofree char *opts = g_strdup_printf (
      "driver=raw,offset=%" PRIu64 ",size=%" PRIu64
      ",file.driver=%s,file.file.filename=%s", ranges[i].offset, ranges[i].length,
      fmt, escaped);
    g_strv_builder_add (b, opts);
  }
  g_strv_builder_add (b, out);
  g_auto (GStrv) argv = g_strv_builder_end (b);
  GBytes *bytes = NULL;
  if (run_qemu_img ((const char *const *) argv, NULL, error))
    bytes = read_raw (out, &(BootfixRange) { 0, total }, error);
  (void) g_unlink (out);
  (void) g_rmdir (tmpdir);
  return bytes;
}

GBytes *
bootfix_image_read_ranges (const char *path, const char *format,
                           const GArray *ranges, GError **error)
{
  guint64 total = 0;
  for (guint i = 0; i < ranges->len; i++)
    total += g_array_index (ranges, BootfixRange, i).length;
  if (total > BOOTFIX_MAX_CHANGED_BYTES) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s: range too large"), path);
    return NULL;
  }
  if (ranges->len == 0)
    return g_bytes_new (NULL, 0);
  if (!g_str_equal (format, "raw"))
    return read_with_qemu_img (path, format, (const BootfixRange *) ranges->data,
                               ranges->len, total, error);
  g_autoptr (GByteArray) all = g_byte_array_sized_new ((guint) total);
  for (guint i = 0; i < ranges->len; i++) {
    g_autoptr (GBytes) one = read_raw (path, &g_array_index (ranges, BootfixRange, i), error);
    if (one == NULL)
      return NULL;
    g_byte_array_append (all, g_bytes_get_data (one, NULL), (guint) g_bytes_get_size (one));
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

GBytes *
bootfix_image_read (const char *path, const char *format,
                    const BootfixRange *range, GError **error)
{
  if (range->length > BOOTFIX_MAX_CHANGED_BYTES) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s: range too large"), path);
    return NULL;
  }
  if (g_strcmp0 (format, "raw") == 0)
    return read_raw (path, range, error);
  return read_with_qemu_img (path, format, range, 1, range->length, error);
}

gboolean
bootfix_image_write_raw (const char *path, guint64 offset, GBytes *data,
                         GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);
  gsize done = 0;
  int saved = 0;
  if (fd < 0)
    saved = errno;
  while (fd >= 0 && done < len) {
    ssize_t n = pwrite (fd, p + done, len - done, (off_t) (offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      saved = n < 0 ? errno : EIO;
      break;
    }
    done += (gsize) n;
  }
  if (fd >= 0 && saved == 0 && fsync (fd) != 0)
    saved = errno;
  if (fd >= 0)
    close (fd);
  if (saved) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s: cannot write at %llu: %s"), path,
                 (unsigned long long) offset, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

gboolean
bootfix_fsync_path (const char *path, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved = 0;
  if (fd < 0 || fsync (fd) != 0)
    saved = errno;
  if (fd >= 0)
    close (fd);
  if (saved) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot flush %s: %s"), path, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

/* qemu's image locking (block/file-posix.c): an open with permission
 * bit n holds a shared lock on byte 100 + n.  Bit 1 is "write".  Asking
 * whether an exclusive lock there would conflict tells us, without
 * taking any lock, whether some process may write the image. */
#define QEMU_PERM_LOCK_BASE 100
#define QEMU_PERM_WRITE_BIT 1

gboolean
bootfix_image_in_use (const char *path, gboolean *in_use, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, "%s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  struct flock fl = {
    .l_type = F_WRLCK,
    .l_whence = SEEK_SET,
    .l_start = QEMU_PERM_LOCK_BASE + QEMU_PERM_WRITE_BIT,
    .l_len = 1,
  };
  int r = fcntl (fd, F_OFD_GETLK, &fl);
  int saved = errno;
  close (fd);
  if (r != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s: cannot check whether the image is in use: %s"), path,
                 g_strerror (saved));
    return FALSE;
  }
  *in_use = fl.l_type != F_UNLCK;
  return TRUE;
}

/* Writes go through qemu-io, in the image's own format: the same block
 * driver that runs the guest allocates clusters, grains or blocks and
 * updates the format's tables, so the result is an image of that
 * format holding the new bytes, never raw bytes dropped into a
 * container.  One qemu-io run per image takes every range (its -c
 * commands run in order in one open), which keeps a fix of a non-raw
 * disk about as fast as a raw one; its `flush` makes qemu flush the
 * format's metadata and every file, and we fsync each file again after
 * it exits, so nothing is left in a cache when the caller records the
 * step as done.  (qemu-nbd plus an NBD client would do the same with a
 * second process and a socket; qemu-img convert can write only one
 * window per run.) */
gboolean
bootfix_image_write_ranges (const char *path, const char *format,
                            const GArray *ranges, const char *workdir,
                            const char *const *range_files,
                            const GPtrArray *files, GError **error)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add_many (b, "qemu-io", "-f", format, NULL);
  for (guint i = 0; i < ranges->len; i++) {
    const BootfixRange *r = &g_array_index (ranges, BootfixRange, i);
    /* qemu-io splits its commands at spaces: the files are named
     * relative to workdir, where it runs, and have no spaces. */
    g_autofree char *cmd = g_strdup_printf ("write -q -s %s %" PRIu64 " %" PRIu64,
                                            range_files[i], r->offset, r->length);
    g_strv_builder_add_many (b, "-c", cmd, NULL);
  }
  g_strv_builder_add_many (b, "-c", "flush", path, NULL);
  g_auto (GStrv) argv = g_strv_builder_end (b);
  if (!bootfix_image_run_tool ((const char *const *) argv, workdir, NULL, error)) {
    g_prefix_error (error, _("%s: cannot write the changes through qemu: "), path);
    return FALSE;
  }
  for (guint i = 0; i < files->len; i++)
    if (!bootfix_fsync_path (g_ptr_array_index (files, i), error))
      return FALSE;
  return TRUE;
}
