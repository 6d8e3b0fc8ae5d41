/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The undo journal: overlays, old bytes, commit, undo. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "image-format.h"
#include "journal.h"

#define JOURNAL_FILE "journal.json"
/* Held (flock) by the run that made the folder, so that no other run
 * takes its fresh overlays for the leftovers of a killed one. */
#define LOCK_FILE "lock"
#define JOURNAL_VERSION 1
/* --undo DIR looks at no more subfolders than this. */
#define MAX_JOURNALS_IN_FOLDER 1000u

static const char *const state_names[] = {
  "new", "prepared", "committing", "committed", "undone",
};

const char *
bootfix_journal_state_to_string (BootfixJournalState s)
{
  return s < G_N_ELEMENTS (state_names) ? state_names[s] : "?";
}

void
bootfix_debug_checkpoint (const char *what)
{
  static int count;
  const char *at = g_getenv ("BOOTFIX_DEBUG_KILL_AT");
  if (at == NULL)
    return;
  count++;
  g_debug ("checkpoint %d: %s", count, what);
  if (atoi (at) == count) {
    fprintf (stderr, "virt-bootfix: debug: killed at checkpoint %d (%s)\n",
             count, what);
    kill (getpid (), SIGKILL);
  }
}

static void
disk_free (gpointer p)
{
  BootfixJournalDisk *d = p;
  g_free (d->path);
  g_free (d->format);
  g_clear_pointer (&d->chain, bootfix_image_chain_free);
  g_free (d->overlay);
  g_free (d->old_file);
  g_clear_pointer (&d->ranges, g_array_unref);
  g_clear_pointer (&d->old_sha256, g_ptr_array_unref);
  g_clear_pointer (&d->new_sha256, g_ptr_array_unref);
  g_free (d);
}

static BootfixJournal *
journal_new (const char *dir, const char *guest)
{
  BootfixJournal *j = g_new0 (BootfixJournal, 1);
  j->dir = g_strdup (dir);
  j->guest = g_strdup (guest);
  j->disks = g_ptr_array_new_with_free_func (disk_free);
  j->lock_fd = -1;
  return j;
}

void
bootfix_journal_free (BootfixJournal *j)
{
  if (j == NULL)
    return;
  g_free (j->dir);
  g_free (j->guest);
  g_ptr_array_unref (j->disks);
  if (j->lock_fd >= 0)
    close (j->lock_fd);
  g_free (j);
}

static char *
sha256_of (GBytes *b)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
}

/* ---- journal.json ---- */

static void
add_layers_json (JsonBuilder *b, const BootfixImageChain *chain)
{
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < chain->layers->len; i++) {
    const BootfixImageLayer *l = g_ptr_array_index (chain->layers, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "path");
    json_builder_add_string_value (b, l->path);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, l->format);
    json_builder_set_member_name (b, "files");
    json_builder_begin_array (b);
    for (guint k = 0; k < l->files->len; k++)
      json_builder_add_string_value (b, g_ptr_array_index (l->files, k));
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
add_disk_json (JsonBuilder *b, const BootfixJournalDisk *d)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, d->path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, d->format);
  json_builder_set_member_name (b, "overlay");
  json_builder_add_string_value (b, d->overlay);
  json_builder_set_member_name (b, "old_file");
  json_builder_add_string_value (b, d->old_file);
  if (d->chain)
    add_layers_json (b, d->chain);
  json_builder_set_member_name (b, "ranges");
  json_builder_begin_array (b);
  for (guint i = 0; d->ranges && i < d->ranges->len; i++) {
    const BootfixRange *r = &g_array_index (d->ranges, BootfixRange, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "offset");
    json_builder_add_int_value (b, (gint64) r->offset);
    json_builder_set_member_name (b, "length");
    json_builder_add_int_value (b, (gint64) r->length);
    json_builder_set_member_name (b, "old_sha256");
    json_builder_add_string_value (b, g_ptr_array_index (d->old_sha256, i));
    json_builder_set_member_name (b, "new_sha256");
    if (d->new_sha256 && i < d->new_sha256->len)
      json_builder_add_string_value (b, g_ptr_array_index (d->new_sha256, i));
    else
      json_builder_add_null_value (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static char *
journal_to_json (const BootfixJournal *j)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, JOURNAL_VERSION);
  json_builder_set_member_name (b, "guest");
  json_builder_add_string_value (b, j->guest);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, bootfix_journal_state_to_string (j->state));
  json_builder_set_member_name (b, "disks");
  json_builder_begin_array (b);
  for (guint i = 0; i < j->disks->len; i++)
    add_disk_json (b, g_ptr_array_index (j->disks, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Write journal.json durably: temporary file, fsync, rename, fsync the
 * folder.  The journal must be on disk before the step it allows. */
static gboolean
journal_save (BootfixJournal *j, BootfixJournalState state, GError **error)
{
  j->state = state;
  g_autofree char *json = journal_to_json (j);
  g_autofree char *path = g_build_filename (j->dir, JOURNAL_FILE, NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  if (!g_file_set_contents (tmp, json, -1, error) ||
      !bootfix_fsync_path (tmp, error))
    return FALSE;
  if (g_rename (tmp, path) != 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED, "%s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  return bootfix_fsync_path (j->dir, error);
}

/* ---- creating ---- */

/* The guest name as it appears in journal folder names. */
static char *
safe_guest_name (const char *guest)
{
  return g_strcanon (g_strdup (guest),
                     G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_.", '_');
}

/* --journal DIR names an output folder: make it (and its parents) when
 * it does not exist yet.  0700: the journal holds bytes of the disks. */
static gboolean
make_journal_parent (const char *parent, GError **error)
{
  if (g_mkdir_with_parents (parent, 0700) == 0)
    return TRUE;
  int saved = errno;
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("cannot create the journal folder %s: %s; choose another "
                 "folder with --journal DIR"), parent, g_strerror (saved));
  return FALSE;
}

/* Journals are named so that a folder listing sorts them by time. */
static char *
new_journal_dir (const char *parent, const char *guest, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *safe = safe_guest_name (guest);
  for (int n = 0; n < 100; n++) {
    g_autofree char *name = n ? g_strdup_printf ("virt-bootfix-%s-%s-%d.journal", safe, stamp, n)
                              : g_strdup_printf ("virt-bootfix-%s-%s.journal", safe, stamp);
    g_autofree char *dir = g_build_filename (parent, name, NULL);
    if (g_mkdir (dir, 0700) == 0)
      return g_steal_pointer (&dir);
    if (errno != EEXIST) {
      int saved = errno;
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("cannot create the undo journal %s: %s; choose another "
                     "folder with --journal DIR"), dir, g_strerror (saved));
      return NULL;
    }
  }
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("too many journals in %s"), parent);
  return NULL;
}

/* The disk may be written: a regular file (a block device if allowed)
 * whose chain of files is safe, that qemu can write in place, and that
 * no running qemu holds open for writing.  Returns its chain. */
static BootfixImageChain *
check_disk (const BootfixDomain *dom, const BootfixDisk *d,
            gboolean allow_block_devices, gboolean allow_unsafe_paths,
            GError **error)
{
  GStatBuf st;
  gboolean is_block = g_stat (d->source, &st) == 0 && S_ISBLK (st.st_mode);
  if (!g_file_test (d->source, G_FILE_TEST_IS_REGULAR) &&
      !(is_block && allow_block_devices)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 is_block ? _("guest %s: %s is a block device; pass "
                              "--allow-block-devices to write to it")
                          : _("guest %s: %s is not a regular file"),
                 dom->name, d->source);
    return NULL;
  }
  g_autoptr (BootfixImageChain) chain = bootfix_image_chain_check (
    d->source, d->format ? d->format : "raw", d->backing, allow_block_devices,
    allow_unsafe_paths, error);
  if (chain == NULL) {
    g_prefix_error (error, _("guest %s: "), dom->name);
    return NULL;
  }
  if (chain->not_writable) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: %s is %s, which qemu cannot change in place; fix a "
                   "copy with --output DIR, or convert it (qemu-img convert -O "
                   "qcow2) and fix that"), dom->name, d->source, chain->not_writable);
    return NULL;
  }
  g_autofree char *busy = NULL;
  if (!bootfix_image_chain_in_use (chain, &busy, error))
    return NULL;
  if (busy) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: %s is in use by a running virtual machine; shut "
                   "the guest down first"), dom->name, busy);
    return NULL;
  }
  return g_steal_pointer (&chain);
}

/* Is name a journal folder of this guest (virt-bootfix-NAME-YYYYMMDD-
 * HHMMSS[-N].journal)?  Not merely a prefix: guest "win7" must not take
 * the folders of guest "win7-fixed". */
static gboolean
is_guest_journal (const char *name, const char *safe_guest)
{
  g_autofree char *prefix = g_strdup_printf ("virt-bootfix-%s-", safe_guest);
  if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".journal"))
    return FALSE;
  const char *p = name + strlen (prefix);
  for (const char *shape = "dddddddd-dddddd"; *shape; shape++, p++)
    if (*shape == 'd' ? !g_ascii_isdigit (*p) : *p != *shape)
      return FALSE;
  if (*p == '-')
    for (p++; g_ascii_isdigit (*p); p++)
      ;
  return strcmp (p, ".journal") == 0;
}

/* The folder's lock, taken without waiting: -1 when another run holds
 * it (or it cannot be made). */
static int
lock_folder (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, LOCK_FILE, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0) {
    close (fd);
    fd = -1;
  }
  return fd;
}

/* A run killed before it saved anything leaves a journal folder with
 * overlays but no journal.json: the disks were never written, so the
 * folder holds nothing worth keeping.  Remove such folders of this
 * guest, unless a running appliance still has an overlay open. */
static void
remove_abandoned (const char *parent, const char *safe_guest)
{
  g_autoptr (GDir) d = g_dir_open (parent, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL) {
    if (!is_guest_journal (name, safe_guest))
      continue;
    g_autofree char *dir = g_build_filename (parent, name, NULL);
    g_autofree char *json = g_build_filename (dir, JOURNAL_FILE, NULL);
    g_autoptr (GDir) inner = g_dir_open (dir, 0, NULL);
    if (inner == NULL || g_file_test (json, G_FILE_TEST_EXISTS))
      continue;
    int lock = lock_folder (dir);
    if (lock < 0)
      continue;   /* a run in progress */
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
    gboolean removable = TRUE;
    const char *f;
    while (removable && (f = g_dir_read_name (inner)) != NULL) {
      char *path = g_build_filename (dir, f, NULL);
      gboolean in_use = FALSE;
      removable = g_str_equal (f, LOCK_FILE) ||
                  (g_str_has_prefix (f, "disk") && g_str_has_suffix (f, ".qcow2") &&
                   bootfix_image_in_use (path, &in_use, NULL) && !in_use);
      g_ptr_array_add (files, path);
    }
    for (guint i = 0; removable && i < files->len; i++)
      (void) g_unlink (g_ptr_array_index (files, i));
    close (lock);
    if (removable && g_rmdir (dir) == 0)
      g_message (_("removed %s, left by an interrupted run that wrote nothing"), dir);
  }
}

static gint
newest_first (gconstpointer a, gconstpointer b)
{
  return -strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
journal_names_a_disk (const BootfixJournal *j, const BootfixDomain *dom)
{
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *src = g_ptr_array_index (dom->disks, i);
    g_autofree char *path = src->source ? g_canonicalize_filename (src->source, NULL)
                                        : NULL;
    for (guint k = 0; path && k < j->disks->len; k++)
      if (strcmp (((BootfixJournalDisk *) g_ptr_array_index (j->disks, k))->path,
                  path) == 0)
        return TRUE;
  }
  return FALSE;
}

BootfixJournal *
bootfix_journal_find_interrupted (const char *parent, const BootfixDomain *dom)
{
  g_autofree char *safe = safe_guest_name (dom->name);
  g_autoptr (GDir) d = g_dir_open (parent, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL)
    if (is_guest_journal (name, safe))
      g_ptr_array_add (names, g_strdup (name));
  /* Names sort by time: the newest first. */
  g_ptr_array_sort (names, newest_first);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *dir = g_build_filename (parent, g_ptr_array_index (names, i), NULL);
    g_autoptr (BootfixJournal) j = bootfix_journal_load (dir, NULL);
    if (j && j->state == BOOTFIX_JOURNAL_COMMITTING && journal_names_a_disk (j, dom))
      return g_steal_pointer (&j);
  }
  return NULL;
}

BootfixJournal *
bootfix_journal_create (const char *parent, const BootfixDomain *dom,
                        gboolean allow_block_devices,
                        gboolean allow_unsafe_paths, GError **error)
{
  g_autoptr (GPtrArray) chains =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_image_chain_free);
  for (guint i = 0; i < dom->disks->len; i++) {
    BootfixImageChain *chain = check_disk (dom, g_ptr_array_index (dom->disks, i),
                                           allow_block_devices, allow_unsafe_paths,
                                           error);
    if (chain == NULL)
      return NULL;
    g_ptr_array_add (chains, chain);
  }
  if (!make_journal_parent (parent, error))
    return NULL;
  g_autofree char *safe = safe_guest_name (dom->name);
  remove_abandoned (parent, safe);
  g_autofree char *dir = new_journal_dir (parent, dom->name, error);
  if (dir == NULL)
    return NULL;
  g_autoptr (BootfixJournal) j = journal_new (dir, dom->name);
  j->lock_fd = lock_folder (dir);
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *src = g_ptr_array_index (dom->disks, i);
    BootfixJournalDisk *d = g_new0 (BootfixJournalDisk, 1);
    g_ptr_array_add (j->disks, d);
    d->path = g_canonicalize_filename (src->source, NULL);
    d->format = g_strdup (src->format ? src->format : "raw");
    d->chain = g_ptr_array_steal_index (chains, 0);
    d->overlay = g_strdup_printf ("%s/disk%u.qcow2", dir, i);
    d->old_file = g_strdup_printf ("%s/disk%u.old", dir, i);
    d->old_sha256 = g_ptr_array_new_with_free_func (g_free);
    if (!bootfix_image_create_overlay (d->path, d->format, d->overlay, error)) {
      bootfix_journal_discard (j);
      return NULL;
    }
  }
  bootfix_debug_checkpoint ("overlays created");
  return g_steal_pointer (&j);
}

GPtrArray *
bootfix_journal_overlays (const BootfixJournal *j)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < j->disks->len; i++)
    g_ptr_array_add (out, ((BootfixJournalDisk *) g_ptr_array_index (j->disks, i))->overlay);
  return out;
}

void
bootfix_journal_discard (BootfixJournal *j)
{
  for (guint i = 0; i < j->disks->len; i++) {
    BootfixJournalDisk *d = g_ptr_array_index (j->disks, i);
    (void) g_unlink (d->overlay);
    (void) g_unlink (d->old_file);
  }
  g_autofree char *json = g_build_filename (j->dir, JOURNAL_FILE, NULL);
  g_autofree char *lock = g_build_filename (j->dir, LOCK_FILE, NULL);
  (void) g_unlink (json);
  (void) g_unlink (lock);
  (void) g_rmdir (j->dir);
}

/* ---- prepare: save the old bytes ---- */

static gboolean
bad_journal (const char *path, const char *why, GError **error)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("%s is not a usable undo journal: %s"), path, why);
  return FALSE;
}

/* Range i of bytes that hold every range of the disk one after the
 * other (the old file, or one read of them all). */
static GBytes *
range_slice (const BootfixJournalDisk *d, GBytes *all, guint i, GError **error)
{
  guint64 pos = 0;
  for (guint k = 0; k < i; k++)
    pos += g_array_index (d->ranges, BootfixRange, k).length;
  guint64 len = g_array_index (d->ranges, BootfixRange, i).length;
  if (pos + len > g_bytes_get_size (all)) {
    bad_journal (d->old_file, _("shorter than its ranges"), error);
    return NULL;
  }
  return g_bytes_new_from_bytes (all, pos, len);
}

static gboolean
save_old_bytes (BootfixJournalDisk *d, GError **error)
{
  d->ranges = bootfix_image_changed_ranges (d->overlay, error);
  if (d->ranges == NULL)
    return FALSE;
  /* every range in one read: one qemu-img run for a non-raw image */
  g_autoptr (GBytes) old = bootfix_image_read_ranges (d->path, d->format, d->ranges, error);
  if (old == NULL)
    return FALSE;
  for (guint i = 0; i < d->ranges->len; i++) {
    g_autoptr (GBytes) b = range_slice (d, old, i, error);
    if (b == NULL)
      return FALSE;
    g_ptr_array_add (d->old_sha256, sha256_of (b));
    bootfix_debug_checkpoint ("old bytes read");
  }
  gsize len = 0;
  const char *data = g_bytes_get_data (old, &len);
  return g_file_set_contents (d->old_file, data ? data : "", (gssize) len, error) &&
         bootfix_fsync_path (d->old_file, error);
}

gboolean
bootfix_journal_prepare (BootfixJournal *j, GError **error)
{
  for (guint i = 0; i < j->disks->len; i++)
    if (!save_old_bytes (g_ptr_array_index (j->disks, i), error))
      return FALSE;
  if (!journal_save (j, BOOTFIX_JOURNAL_PREPARED, error))
    return FALSE;
  bootfix_debug_checkpoint ("journal prepared");
  return TRUE;
}

/* ---- commit: overlay ranges into the disks ---- */

/* Temporary files of a disk's ranges, in the journal folder, named
 * without spaces for qemu-io (bootfix_image_write_ranges). */
static char *
range_file_name (const BootfixJournalDisk *d, guint i)
{
  g_autofree char *base = g_path_get_basename (d->old_file);
  return g_strdup_printf ("%s.range%u", base, i);
}

static void
remove_range_files (const char *dir, GPtrArray *names)
{
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
    (void) g_unlink (path);
  }
}

/* Each range's new bytes to a file (bytes_of gives range i), then all
 * of them into the image through qemu in its format. */
static gboolean
write_through_qemu (const char *dir, BootfixJournalDisk *d,
                    GBytes *(*bytes_of) (BootfixJournalDisk *, guint, gpointer, GError **),
                    gpointer user, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < d->ranges->len; i++) {
    g_autoptr (GBytes) b = bytes_of (d, i, user, error);
    char *name = range_file_name (d, i);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_ptr_array_add (names, name);
    ok = b != NULL && g_file_set_contents (path, g_bytes_get_data (b, NULL),
                                           (gssize) g_bytes_get_size (b), error);
  }
  g_ptr_array_add (names, NULL);
  const BootfixImageLayer *top = g_ptr_array_index (d->chain->layers, 0);
  ok = ok && bootfix_image_write_ranges (d->path, d->format, d->ranges, dir,
                                         (const char *const *) names->pdata,
                                         top->files, error);
  g_ptr_array_set_size (names, names->len - 1);
  remove_range_files (dir, names);
  return ok;
}

/* Range i of the overlay (user: all of them, read at once), its
 * checksum recorded as the new bytes. */
static GBytes *
overlay_bytes (BootfixJournalDisk *d, guint i, gpointer user, GError **error)
{
  GBytes *b = range_slice (d, user, i, error);
  if (b != NULL)
    g_ptr_array_add (d->new_sha256, sha256_of (b));
  return b;
}

static gboolean
commit_disk (const char *dir, BootfixJournalDisk *d, GError **error)
{
  d->new_sha256 = g_ptr_array_new_with_free_func (g_free);
  if (!g_str_equal (d->format, "raw")) {
    g_autoptr (GBytes) all = bootfix_image_read_ranges (d->overlay, "qcow2", d->ranges,
                                                       error);
    if (all == NULL || !write_through_qemu (dir, d, overlay_bytes, all, error))
      return FALSE;
    bootfix_debug_checkpoint ("ranges written");
    return TRUE;
  }
  for (guint i = 0; i < d->ranges->len; i++) {
    const BootfixRange *r = &g_array_index (d->ranges, BootfixRange, i);
    g_autoptr (GBytes) b = bootfix_image_read (d->overlay, "qcow2", r, error);
    if (b == NULL || !bootfix_image_write_raw (d->path, r->offset, b, error))
      return FALSE;
    g_ptr_array_add (d->new_sha256, sha256_of (b));
    bootfix_debug_checkpoint ("range written");
  }
  return TRUE;
}

gboolean
bootfix_journal_commit (BootfixJournal *j, GError **error)
{
  if (!journal_save (j, BOOTFIX_JOURNAL_COMMITTING, error))
    return FALSE;
  bootfix_debug_checkpoint ("committing");
  for (guint i = 0; i < j->disks->len; i++)
    if (!commit_disk (j->dir, g_ptr_array_index (j->disks, i), error))
      return FALSE;
  if (!journal_save (j, BOOTFIX_JOURNAL_COMMITTED, error))
    return FALSE;
  for (guint i = 0; i < j->disks->len; i++)
    (void) g_unlink (((BootfixJournalDisk *) g_ptr_array_index (j->disks, i))->overlay);
  bootfix_debug_checkpoint ("committed");
  return TRUE;
}

/* ---- loading ---- */

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gboolean
load_range (BootfixJournalDisk *d, JsonObject *o)
{
  JsonNode *off = o ? json_object_get_member (o, "offset") : NULL;
  JsonNode *len = o ? json_object_get_member (o, "length") : NULL;
  const char *old_sum = member_string (o, "old_sha256");
  const char *new_sum = member_string (o, "new_sha256");
  if (!off || !len || json_node_get_value_type (off) != G_TYPE_INT64 ||
      json_node_get_value_type (len) != G_TYPE_INT64 ||
      json_node_get_int (off) < 0 || json_node_get_int (len) <= 0 ||
      json_node_get_int (len) > BOOTFIX_MAX_CHANGED_BYTES || old_sum == NULL)
    return FALSE;
  BootfixRange r = { (guint64) json_node_get_int (off), (guint64) json_node_get_int (len) };
  g_array_append_val (d->ranges, r);
  g_ptr_array_add (d->old_sha256, g_strdup (old_sum));
  g_ptr_array_add (d->new_sha256, g_strdup (new_sum ? new_sum : ""));
  return d->ranges->len <= BOOTFIX_MAX_RANGES;
}

/* A VMDK's descriptor and its 2 GiB extents of a 2 TiB disk. */
#define MAX_LAYER_FILES 1025

static BootfixImageLayer *
load_layer (JsonObject *o)
{
  JsonNode *files = o ? json_object_get_member (o, "files") : NULL;
  const char *path = member_string (o, "path"), *format = member_string (o, "format");
  if (!path || !bootfix_image_format_handled (format) || !files ||
      !JSON_NODE_HOLDS_ARRAY (files))
    return NULL;
  JsonArray *a = json_node_get_array (files);
  guint n = json_array_get_length (a);
  if (n == 0 || n > MAX_LAYER_FILES)
    return NULL;
  BootfixImageLayer *l = bootfix_image_layer_new (path, format);
  for (guint k = 0; k < n; k++) {
    JsonNode *f = json_array_get_element (a, k);
    if (json_node_get_value_type (f) != G_TYPE_STRING ||
        (k == 0 && !g_str_equal (json_node_get_string (f), path))) {
      bootfix_image_layer_free (l);
      return NULL;
    }
    if (k > 0)
      g_ptr_array_add (l->files, g_strdup (json_node_get_string (f)));
  }
  return l;
}

/* "layers": the chain as it was resolved when the fix began. */
static BootfixImageChain *
load_layers (JsonNode *node)
{
  JsonArray *a = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (a == NULL || json_array_get_length (a) == 0 ||
      json_array_get_length (a) > BOOTFIX_MAX_CHAIN_DEPTH + 1)
    return NULL;
  g_autoptr (BootfixImageChain) chain = bootfix_image_chain_new ();
  for (guint i = 0; i < json_array_get_length (a); i++) {
    BootfixImageLayer *l = load_layer (json_array_get_object_element (a, i));
    if (l == NULL)
      return NULL;
    g_ptr_array_add (chain->layers, l);
  }
  return g_steal_pointer (&chain);
}

static gboolean
load_disk (BootfixJournal *j, JsonObject *o)
{
  const char *path = member_string (o, "path");
  const char *format = member_string (o, "format");
  const char *overlay = member_string (o, "overlay");
  const char *old_file = member_string (o, "old_file");
  JsonNode *ranges = o ? json_object_get_member (o, "ranges") : NULL;
  if (!path || !overlay || !old_file || !ranges || !JSON_NODE_HOLDS_ARRAY (ranges) ||
      !bootfix_image_format_handled (format))
    return FALSE;
  BootfixJournalDisk *d = g_new0 (BootfixJournalDisk, 1);
  g_ptr_array_add (j->disks, d);
  d->path = g_strdup (path);
  d->format = g_strdup (format);
  d->chain = load_layers (json_object_get_member (o, "layers"));
  d->overlay = g_strdup (overlay);
  d->old_file = g_strdup (old_file);
  d->ranges = g_array_new (FALSE, FALSE, sizeof (BootfixRange));
  d->old_sha256 = g_ptr_array_new_with_free_func (g_free);
  d->new_sha256 = g_ptr_array_new_with_free_func (g_free);
  if (d->chain == NULL && !g_str_equal (format, "raw"))
    return FALSE; /* a non-raw disk is only undone through its chain */
  JsonArray *a = json_node_get_array (ranges);
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (!load_range (d, json_array_get_object_element (a, i)))
      return FALSE;
  return TRUE;
}

static int
state_from_string (const char *s)
{
  for (guint i = 0; s && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (s, state_names[i]))
      return (int) i;
  return -1;
}

static BootfixJournal *
load_journal_folder (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, JOURNAL_FILE, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  const char *guest = member_string (o, "guest");
  int state = state_from_string (member_string (o, "state"));
  JsonNode *disks = o ? json_object_get_member (o, "disks") : NULL;
  if (!guest || state < 0 || !disks || !JSON_NODE_HOLDS_ARRAY (disks) ||
      json_object_get_int_member_with_default (o, "version", 0) != JOURNAL_VERSION) {
    bad_journal (path, _("missing or unknown fields"), error);
    return NULL;
  }
  g_autoptr (BootfixJournal) j = journal_new (dir, guest);
  j->state = (BootfixJournalState) state;
  JsonArray *a = json_node_get_array (disks);
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (!load_disk (j, json_array_get_object_element (a, i))) {
      bad_journal (path, _("a disk entry is damaged"), error);
      return NULL;
    }
  return g_steal_pointer (&j);
}

/* ---- finding a journal in a folder of journals ---- */

static gboolean
holds_journal (const char *dir)
{
  g_autofree char *json = g_build_filename (dir, JOURNAL_FILE, NULL);
  return g_file_test (json, G_FILE_TEST_IS_REGULAR);
}

/* The subfolders of dir that hold a journal.json, newest first (journal
 * names sort by time), at most MAX_JOURNALS_IN_FOLDER of them. */
static GPtrArray *
journal_subfolders (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  if (d == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("%s: %s; --undo takes a journal folder or a folder that "
                   "holds journals"), dir, local->message);
    return NULL;
  }
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *sub = g_build_filename (dir, name, NULL);
    if (!holds_journal (sub))
      continue;
    if (found->len == MAX_JOURNALS_IN_FOLDER) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                   _("%s holds more than %u undo journals; name one with "
                     "--undo DIR/NAME"), dir, MAX_JOURNALS_IN_FOLDER);
      return NULL;
    }
    g_ptr_array_add (found, g_steal_pointer (&sub));
  }
  g_ptr_array_sort (found, newest_first);
  return g_steal_pointer (&found);
}

/* One line of the list shown when --undo DIR is ambiguous. */
static void
describe_journal (GString *out, const char *dir, BootfixJournal *j)
{
  if (j == NULL)
    g_string_append_printf (out, _("\n  %s (damaged)"), dir);
  else
    g_string_append_printf (out, _("\n  %s (guest %s, %s)"), dir, j->guest,
                            bootfix_journal_state_to_string (j->state));
}

/* dir holds no journal.json: the journal among its subfolders, when it
 * holds only one, or only one that is not undone yet.  Otherwise list
 * them and let the user name one. */
static BootfixJournal *
load_journal_in_folder (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) subs = journal_subfolders (dir, error);
  if (subs == NULL)
    return NULL;
  if (subs->len == 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("%s is not an undo journal and holds none (no %s in it "
                   "or in its folders)"), dir, JOURNAL_FILE);
    return NULL;
  }
  if (subs->len == 1)
    return load_journal_folder (g_ptr_array_index (subs, 0), error);
  g_autoptr (GPtrArray) loaded =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_journal_free);
  g_autoptr (GString) list = g_string_new (NULL);
  int open = -1, n_open = 0;
  for (guint i = 0; i < subs->len; i++) {
    BootfixJournal *j = load_journal_folder (g_ptr_array_index (subs, i), NULL);
    g_ptr_array_add (loaded, j);
    describe_journal (list, g_ptr_array_index (subs, i), j);
    /* A damaged one may still hold a fix to undo: it counts as open. */
    if (j == NULL || j->state != BOOTFIX_JOURNAL_UNDONE) {
      open = (int) i;
      n_open++;
    }
  }
  if (n_open == 1) {
    g_debug ("%s: the one journal not undone yet is %s", dir,
             (char *) g_ptr_array_index (subs, open));
    /* Loaded again when damaged, for the error that says how. */
    return loaded->pdata[open] != NULL
           ? g_ptr_array_steal_index (loaded, (guint) open)
           : load_journal_folder (g_ptr_array_index (subs, open), error);
  }
  /* All undone is the folder form of "already undone" (not a usage
   * mistake); several open ones need the user's choice. */
  g_set_error (error, BOOTFIX_ERROR,
               n_open == 0 ? BOOTFIX_ERROR_FAILED : BOOTFIX_ERROR_USAGE,
               n_open == 0
               ? _("every undo journal in %s was already undone:%s")
               : _("%s holds several undo journals; name one with --undo:%s"),
               dir, list->str);
  return NULL;
}

BootfixJournal *
bootfix_journal_load (const char *dir, GError **error)
{
  if (holds_journal (dir) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return load_journal_folder (dir, error);
  return load_journal_in_folder (dir, error);
}

/* ---- undo ---- */

static gboolean
range_matches (const BootfixJournalDisk *d, const BootfixRange *r,
               const char *want, GError **error)
{
  g_autoptr (GBytes) now = bootfix_image_read (d->path, d->format, r, error);
  if (now == NULL)
    return FALSE;
  g_autofree char *sum = sha256_of (now);
  if (g_strcmp0 (sum, want) != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("%s: the %llu bytes at %llu do not match the journal"),
                 d->path, (unsigned long long) r->length,
                 (unsigned long long) r->offset);
    return FALSE;
  }
  return TRUE;
}

/* Before writing anything: every range still holds what the fix wrote,
 * so an undo never mixes with later changes (the guest was booted). */
static gboolean
check_unchanged_since_fix (const BootfixJournal *j, GError **error)
{
  for (guint i = 0; i < j->disks->len; i++) {
    const BootfixJournalDisk *d = g_ptr_array_index (j->disks, i);
    for (guint k = 0; k < d->ranges->len; k++) {
      g_autoptr (GError) local = NULL;
      if (!range_matches (d, &g_array_index (d->ranges, BootfixRange, k),
                          g_ptr_array_index (d->new_sha256, k), &local)) {
        g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                     _("%s changed since the fix (was the guest started?); "
                       "nothing was undone. Use --force to undo anyway"),
                     d->path);
        return FALSE;
      }
    }
  }
  return TRUE;
}

/* The old bytes of range i (user: the old file's bytes). */
static GBytes *
old_bytes (BootfixJournalDisk *d, guint i, gpointer user, GError **error)
{
  return range_slice (d, user, i, error);
}

static gboolean
undo_disk (const char *dir, BootfixJournalDisk *d, GError **error)
{
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (d->old_file, FALSE, error);
  if (mapped == NULL)
    return FALSE;
  g_autoptr (GBytes) old = g_mapped_file_get_bytes (mapped);
  gboolean raw = g_str_equal (d->format, "raw");
  if (!raw && !write_through_qemu (dir, d, old_bytes, old, error))
    return FALSE;
  for (guint i = 0; i < d->ranges->len; i++) {
    const BootfixRange *r = &g_array_index (d->ranges, BootfixRange, i);
    g_autoptr (GBytes) b = raw ? old_bytes (d, i, old, error) : NULL;
    if ((raw && (b == NULL || !bootfix_image_write_raw (d->path, r->offset, b, error))) ||
        !range_matches (d, r, g_ptr_array_index (d->old_sha256, i), error))
      return FALSE;
  }
  return TRUE;
}

/* Before qemu opens a non-raw image again: its chain of files must be
 * the one the fix resolved (and so checked under the user's options
 * then).  Network and json: names stay refused. */
static gboolean
check_chains_unchanged (const BootfixJournal *j, GError **error)
{
  for (guint i = 0; i < j->disks->len; i++) {
    const BootfixJournalDisk *d = g_ptr_array_index (j->disks, i);
    if (d->chain == NULL)
      continue;
    g_autoptr (BootfixImageChain) now = bootfix_image_chain_check (d->path, d->format,
                                                                  NULL, TRUE, TRUE, error);
    if (now == NULL)
      return FALSE;
    if (!bootfix_image_chain_same (now, d->chain)) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                   _("%s no longer consists of the files it had when it was "
                     "fixed (its backing files or extents changed); nothing was "
                     "undone"), d->path);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
bootfix_journal_undo (BootfixJournal *j, gboolean force, GError **error)
{
  if (j->state == BOOTFIX_JOURNAL_UNDONE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("the journal %s was already undone"), j->dir);
    return FALSE;
  }
  /* Before "committing" the disks were never written. */
  gboolean written = j->state == BOOTFIX_JOURNAL_COMMITTING ||
                     j->state == BOOTFIX_JOURNAL_COMMITTED;
  if (written && !check_chains_unchanged (j, error))
    return FALSE;
  if (j->state == BOOTFIX_JOURNAL_COMMITTED && !force &&
      !check_unchanged_since_fix (j, error))
    return FALSE;
  for (guint i = 0; written && i < j->disks->len; i++)
    if (!undo_disk (j->dir, g_ptr_array_index (j->disks, i), error))
      return FALSE;
  for (guint i = 0; i < j->disks->len; i++)
    (void) g_unlink (((BootfixJournalDisk *) g_ptr_array_index (j->disks, i))->overlay);
  return journal_save (j, BOOTFIX_JOURNAL_UNDONE, error);
}
