/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Byte and file edits of the boot chain: diff, host copies, writing. */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "edits.h"
#include "hive.h"
#include "journal.h"

typedef struct {
  char *device;      /* NULL: the Windows root */
  char *path;        /* as the module asked for it */
  char *real;        /* the guest's own spelling; NULL when absent */
  GBytes *orig;      /* as read; NULL when absent */
  GByteArray *now;   /* with the plan applied */
  gboolean changed;
  char *local;       /* host file holding now */
  char *staged;      /* uploaded temporary */
  /* A registry hive (a BCD store) that was not clean: orig is what its
   * logs made of it.  Owned by the hive cache. */
  BootfixDirtyHive *dirty;
} EditFile;

struct _BootfixEdits {
  BootfixGuest *guest;
  char *name;
  char *tmpdir;
  BootfixHiveCache *hives;  /* judges the hives among the files */
  GPtrArray *files;         /* EditFile * */
  GPtrArray *device_writes; /* const BootfixAction *, owned by the plan */
};

static void
edit_file_free (gpointer p)
{
  EditFile *f = p;
  if (f->local)
    (void) g_unlink (f->local);
  g_free (f->device);
  g_free (f->path);
  g_free (f->real);
  g_clear_pointer (&f->orig, g_bytes_unref);
  g_clear_pointer (&f->now, g_byte_array_unref);
  g_free (f->local);
  g_free (f->staged);
  g_free (f);
}

BootfixEdits *
bootfix_edits_new (BootfixGuest *guest, const char *guest_name,
                   const char *tmpdir, BootfixHiveCache *hives)
{
  BootfixEdits *e = g_new0 (BootfixEdits, 1);
  e->guest = guest;
  e->hives = hives;
  e->name = g_strdup (guest_name);
  e->tmpdir = g_strdup (tmpdir);
  e->files = g_ptr_array_new_with_free_func (edit_file_free);
  e->device_writes = g_ptr_array_new ();
  return e;
}

void
bootfix_edits_free (BootfixEdits *e)
{
  if (e == NULL)
    return;
  g_ptr_array_unref (e->files);
  g_ptr_array_unref (e->device_writes);
  g_free (e->name);
  g_free (e->tmpdir);
  g_free (e);
}

static const char *
fs_name (const EditFile *f)
{
  return f->device ? f->device : _("the Windows filesystem");
}

static EditFile *
find_file (BootfixEdits *e, const char *device, const char *path)
{
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (g_strcmp0 (f->device, device) == 0 &&
        g_ascii_strcasecmp (f->path, path) == 0)
      return f;
  }
  return NULL;
}

/* A registry hive among the files (a BCD store) is what Windows would
 * load: a dirty one is replayed from its logs, or refused (hive-cache.h).
 * The replay may grow it, but not past what an edit may touch. */
static gboolean
read_as_hive (BootfixEdits *e, const char *device, const char *real,
              GBytes **bytes, BootfixDirtyHive **dirty, GError **error)
{
  if (!bootfix_hive_cache_check_file (e->hives, device, real, bytes, dirty,
                                      error))
    return FALSE;
  if (g_bytes_get_size (*bytes) <= BOOTFIX_MAX_EDIT_FILE)
    return TRUE;
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
               _("guest %s: %s on %s is larger than %zu bytes once its "
                 "transaction logs are replayed"), e->name, real,
               device ? device : bootfix_guest_root (e->guest),
               (size_t) BOOTFIX_MAX_EDIT_FILE);
  return FALSE;
}

static EditFile *
load_file (BootfixEdits *e, const char *device, const char *path,
           gsize max_len, GError **error)
{
  EditFile *f = find_file (e, device, path);
  if (f)
    return f;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *real = NULL;
  BootfixDirtyHive *dirty = NULL;
  if (bootfix_guest_read_file (e->guest, device, path, max_len, &bytes, &real,
                               error) < 0 ||
      (bytes && !read_as_hive (e, device, real, &bytes, &dirty, error)))
    return NULL;
  f = g_new0 (EditFile, 1);
  f->device = g_strdup (device);
  f->path = g_strdup (path);
  f->real = g_steal_pointer (&real);
  f->dirty = dirty;
  if (bytes) {
    f->orig = g_bytes_ref (bytes);
    gsize n = 0;
    const guint8 *p = g_bytes_get_data (bytes, &n);
    f->now = g_byte_array_sized_new (n);
    g_byte_array_append (f->now, p, n);
  }
  g_ptr_array_add (e->files, f);
  return f;
}

GBytes *
bootfix_edits_get_file (gpointer edits, const char *device, const char *path,
                        gsize max_len, GError **error)
{
  EditFile *f = load_file (edits, device, path, MIN (max_len, BOOTFIX_MAX_EDIT_FILE),
                           error);
  if (f == NULL || f->orig == NULL)
    return NULL;
  if (g_bytes_get_size (f->orig) > max_len) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("%s on %s is larger than %zu bytes"), f->real, fs_name (f),
                 (size_t) max_len);
    return NULL;
  }
  return g_bytes_ref (f->orig);
}

/* ---- diff ---- */

typedef enum { BYTES_ALREADY, BYTES_OLD, BYTES_OTHER } BytesState;

static BytesState
compare (const guint8 *now, GBytes *old, GBytes *want)
{
  gsize n = 0;
  const guint8 *w = g_bytes_get_data (want, &n);
  if (memcmp (now, w, n) == 0)
    return BYTES_ALREADY;
  const guint8 *o = g_bytes_get_data (old, NULL);
  return memcmp (now, o, n) == 0 ? BYTES_OLD : BYTES_OTHER;
}

static void
add_change (const BootfixAction *a, GPtrArray *changes)
{
  g_ptr_array_add (changes, bootfix_change_new (a->change_kind, a->target, NULL,
                                                a->old_text, a->new_text,
                                                a->reason));
}

static gboolean
changed_under_us (BootfixEdits *e, const char *what, const BootfixAction *a,
                  GError **error)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("guest %s: %s changed since it was read (%s); nothing was "
                 "written"), e->name, what, a->target);
  return FALSE;
}

/* A new file (REPLACE_FILE without old bytes): absent, or already
 * exactly what the plan wants. */
static gboolean
create_file (BootfixEdits *e, EditFile *f, const BootfixAction *a,
             gboolean write, GPtrArray *changes, GError **error)
{
  if (f->now != NULL) {
    if (f->now->len == g_bytes_get_size (a->data) &&
        memcmp (f->now->data, g_bytes_get_data (a->data, NULL), f->now->len) == 0)
      return TRUE;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("guest %s: %s exists already with other contents; nothing "
                   "was written"), e->name, f->real ? f->real : a->file);
    return FALSE;
  }
  add_change (a, changes);
  if (!write)
    return TRUE;
  gsize n = 0;
  const guint8 *p = g_bytes_get_data (a->data, &n);
  f->now = g_byte_array_sized_new ((guint) n);
  g_byte_array_append (f->now, p, (guint) n);
  g_free (f->real);
  f->real = g_strdup (a->file);
  f->changed = TRUE;
  return TRUE;
}

static gboolean
apply_to_file (BootfixEdits *e, const BootfixAction *a, gboolean write,
               GPtrArray *changes, GError **error)
{
  EditFile *f = load_file (e, a->device, a->file, BOOTFIX_MAX_EDIT_FILE, error);
  if (f == NULL)
    return FALSE;
  if (a->kind == BOOTFIX_ACTION_REPLACE_FILE && a->old == NULL)
    return create_file (e, f, a, write, changes, error);
  if (f->orig == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: %s is missing on %s"), e->name, a->file, fs_name (f));
    return FALSE;
  }
  gsize n = g_bytes_get_size (a->data);
  gboolean whole = a->kind == BOOTFIX_ACTION_REPLACE_FILE;
  if (whole) {
    if (f->now->len == n && memcmp (f->now->data, g_bytes_get_data (a->data, NULL), n) == 0)
      return TRUE;
    if (!g_bytes_equal (f->orig, a->old))
      return changed_under_us (e, f->real, a, error);
  } else {
    if (a->offset > f->now->len || n > f->now->len - a->offset) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                   _("guest %s: an edit of %s reaches past its end"), e->name, f->real);
      return FALSE;
    }
    BytesState st = compare (f->now->data + a->offset, a->old, a->data);
    if (st == BYTES_ALREADY)
      return TRUE;
    if (st == BYTES_OTHER)
      return changed_under_us (e, f->real, a, error);
  }
  add_change (a, changes);
  if (!write)
    return TRUE;
  if (whole) {
    g_byte_array_set_size (f->now, 0);
    g_byte_array_append (f->now, g_bytes_get_data (a->data, NULL), (guint) n);
  } else {
    memcpy (f->now->data + a->offset, g_bytes_get_data (a->data, NULL), n);
  }
  f->changed = TRUE;
  if (f->dirty)
    f->dirty->changed = TRUE;
  return TRUE;
}

static gboolean
apply_to_device (BootfixEdits *e, const BootfixAction *a, gboolean write,
                 GPtrArray *changes, GError **error)
{
  gsize n = g_bytes_get_size (a->data);
  g_autofree guint8 *now = g_malloc (n);
  if (!bootfix_guest_read_device (e->guest, a->device, a->offset, now, n, error))
    return FALSE;
  BytesState st = compare (now, a->old, a->data);
  if (st == BYTES_ALREADY)
    return TRUE;
  if (st == BYTES_OTHER)
    return changed_under_us (e, a->device, a, error);
  add_change (a, changes);
  if (write && !g_ptr_array_find (e->device_writes, a, NULL))
    g_ptr_array_add (e->device_writes, (gpointer) a);
  return TRUE;
}

gboolean
bootfix_edits_apply (BootfixEdits *e, const BootfixAction *a, gboolean write,
                     GPtrArray *changes, GError **error)
{
  if (a->kind == BOOTFIX_ACTION_PATCH_DEVICE)
    return apply_to_device (e, a, write, changes, error);
  return apply_to_file (e, a, write, changes, error);
}

/* ---- host copies ---- */

/* Every patch of the plan must hold in the new contents. */
static gboolean
check_file (BootfixEdits *e, EditFile *f, const BootfixPlan *plan,
            GError **error)
{
  for (guint i = 0; i < plan->actions->len; i++) {
    const BootfixAction *a = g_ptr_array_index (plan->actions, i);
    if (bootfix_action_is_registry (a) || a->kind == BOOTFIX_ACTION_PATCH_DEVICE ||
        g_strcmp0 (a->device, f->device) != 0 ||
        g_ascii_strcasecmp (a->file, f->path) != 0)
      continue;
    gsize n = g_bytes_get_size (a->data);
    gboolean whole = a->kind == BOOTFIX_ACTION_REPLACE_FILE;
    const guint8 *want = g_bytes_get_data (a->data, NULL);
    gboolean ok = whole ? f->now->len == n && memcmp (f->now->data, want, n) == 0
                        : a->offset + n <= f->now->len &&
                          memcmp (f->now->data + a->offset, want, n) == 0;
    if (!ok) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("guest %s: the new %s does not hold %s; nothing was "
                     "written"), e->name, f->real, a->target);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
bootfix_edits_prepare (BootfixEdits *e, const BootfixPlan *plan, GError **error)
{
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (!f->changed)
      continue;
    /* A store that was dirty goes back clean, past every log entry. */
    if (!bootfix_dirty_hive_stamp (f->dirty, f->now->data, f->now->len, error) ||
        !check_file (e, f, plan, error))
      return FALSE;
    f->local = g_strdup_printf ("%s/edit-%u", e->tmpdir, i);
    if (!g_file_set_contents (f->local, (const char *) f->now->data, f->now->len,
                              error))
      return FALSE;
    /* A BCD store is a registry hive: it must still open as one. */
    if (f->now->len >= 4 && memcmp (f->now->data, "regf", 4) == 0) {
      g_autoptr (BootfixHive) check = bootfix_hive_open (f->local, f->real, FALSE,
                                                         error);
      if (check == NULL)
        return FALSE;
    }
  }
  return TRUE;
}

/* ---- writing ---- */

static void
discard_staged (BootfixEdits *e)
{
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (f->staged)
      bootfix_guest_discard_staged (e->guest, f->device, f->staged);
    g_clear_pointer (&f->staged, g_free);
  }
}

static gboolean
write_files (BootfixEdits *e, GError **error)
{
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (!f->changed)
      continue;
    f->staged = bootfix_guest_stage (e->guest, f->device, f->local, f->real, error);
    if (f->staged == NULL) {
      discard_staged (e);
      return FALSE;
    }
    bootfix_debug_checkpoint ("file uploaded");
  }
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (f->staged && !bootfix_guest_commit_staged (e->guest, f->device, f->staged,
                                                   f->real, error))
      return FALSE;
    if (f->staged)
      bootfix_debug_checkpoint ("file renamed");
  }
  /* Only now: a clean store already holds all its logs had. */
  for (guint i = 0; i < e->files->len; i++) {
    EditFile *f = g_ptr_array_index (e->files, i);
    if (f->staged && !bootfix_dirty_hive_empty_logs (e->guest, f->dirty, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
bootfix_edits_write (BootfixEdits *e, GError **error)
{
  if (!write_files (e, error))
    return FALSE;
  for (guint i = 0; i < e->device_writes->len; i++) {
    const BootfixAction *a = g_ptr_array_index (e->device_writes, i);
    if (!bootfix_guest_write_device (e->guest, a->device, a->offset, a->data, error))
      return FALSE;
    bootfix_debug_checkpoint ("device bytes written");
  }
  return TRUE;
}
