/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A guest held in memory (guest-memory.h).
 *
 * It lives here rather than under tests/: it implements the private
 * operations table of guest-backend.h, so a change to that table breaks
 * the build of this library, not only of some test, and its answers sit
 * next to the libguestfs ones they must match.  Nothing in the tool
 * refers to it, so the linker leaves it out of virt-bootfix.  Its
 * messages are for test logs and are not translated. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "bootfix-error.h"
#include "guest-backend.h"
#include "guest-memory.h"

#define SECTOR_SIZE 512

typedef struct {
  char *real;        /* the path in its own spelling */
  GBytes *data;
} MemFile;

typedef struct {
  guint64 size;
  GByteArray *head;  /* the first bytes; the rest are zeros */
  char *fs_type;
} MemDevice;

typedef struct {
  BootfixGuest parent;    /* first: ops take the BootfixGuest */
  char *name;
  char *root;
  char *systemroot;
  GHashTable *filesystems; /* device -> (lower-case path -> MemFile) */
  GHashTable *devices;     /* device -> MemDevice */
  GPtrArray *disks;        /* char *: disk devices, in order */
  gboolean flushed;
} MemGuest;

static const BootfixGuestOps memory_ops;

static MemGuest *
mem_of (BootfixGuest *guest)
{
  g_return_val_if_fail (guest->ops == &memory_ops, NULL);
  return (MemGuest *) guest;
}

static void
mem_file_free (gpointer p)
{
  MemFile *f = p;
  g_free (f->real);
  g_bytes_unref (f->data);
  g_free (f);
}

static void
mem_device_free (gpointer p)
{
  MemDevice *d = p;
  g_byte_array_unref (d->head);
  g_free (d->fs_type);
  g_free (d);
}

/* ---- paths ---- */

/* "/a/b" for "a\\b", "/a/b" or "\\a\\b". */
static char *
normalize (const char *path)
{
  g_autofree char *slashed = g_strdelimit (g_strdup (path), "\\", '/');
  return g_build_path ("/", "/", slashed, NULL);
}

static char *
lower (const char *path)
{
  g_autofree char *norm = normalize (path);
  return g_ascii_strdown (norm, -1);
}

static GHashTable *
filesystem (MemGuest *m, const char *device, gboolean create)
{
  const char *key = device ? device : m->root;
  GHashTable *fs = g_hash_table_lookup (m->filesystems, key);
  if (fs == NULL && create) {
    fs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, mem_file_free);
    g_hash_table_insert (m->filesystems, g_strdup (key), fs);
  }
  return fs;
}

static MemFile *
find_file (MemGuest *m, const char *device, const char *path)
{
  GHashTable *fs = filesystem (m, device, FALSE);
  g_autofree char *lc = lower (path);
  return fs ? g_hash_table_lookup (fs, lc) : NULL;
}

/* The real spelling of lc, a file or a directory (a prefix of some
 * file's path), or NULL. */
static char *
real_path_of (GHashTable *fs, const char *lc)
{
  if (strcmp (lc, "/") == 0)
    return g_strdup ("/");
  MemFile *f = g_hash_table_lookup (fs, lc);
  if (f)
    return g_strdup (f->real);
  g_autofree char *prefix = g_strconcat (lc, "/", NULL);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, fs);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_str_has_prefix (k, prefix))
      return g_strndup (((MemFile *) v)->real, strlen (lc));
  return NULL;
}

/* As guestfs_case_sensitive_path: every part but the last must exist. */
static char *
case_sensitive_path (MemGuest *m, const char *device, const char *path,
                     GError **error)
{
  GHashTable *fs = filesystem (m, device, FALSE);
  g_autofree char *norm = normalize (path);
  g_autofree char *lc = g_ascii_strdown (norm, -1);
  char *real = fs ? real_path_of (fs, lc) : NULL;
  if (real)
    return real;
  g_autofree char *parent_lc = g_path_get_dirname (lc);
  g_autofree char *parent = fs ? real_path_of (fs, parent_lc) : NULL;
  if (parent == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 "guest %s: %s: no such directory", m->name, norm);
    return NULL;
  }
  g_autofree char *base = g_path_get_basename (norm);
  return g_build_path ("/", parent, base, NULL);
}

static gboolean
missing (GError **error, MemGuest *m, const char *path)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
               "guest %s: %s: no such file", m->name, path);
  return FALSE;
}

/* ---- files ---- */

static const char *
mem_root (const BootfixGuest *guest)
{
  return ((const MemGuest *) guest)->root;
}

static char *
mem_windows_path (BootfixGuest *guest, const char *relpath, GError **error)
{
  MemGuest *m = mem_of (guest);
  g_autofree char *path = g_strconcat (m->systemroot, "/", relpath, NULL);
  return case_sensitive_path (m, NULL, path, error);
}

static char *
mem_hive_path (BootfixGuest *guest, const char *hive_name, GError **error)
{
  g_autofree char *rel = g_strconcat ("system32\\config\\", hive_name, NULL);
  g_autofree char *path = mem_windows_path (guest, rel, error);
  if (path == NULL)
    return NULL;
  MemFile *f = find_file (mem_of (guest), NULL, path);
  if (f == NULL || g_bytes_get_size (f->data) > BOOTFIX_MAX_HIVE_SIZE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 "guest %s: the registry hive %s is missing or too large",
                 mem_of (guest)->name, path);
    return NULL;
  }
  return g_steal_pointer (&path);
}

static gboolean
mem_download (BootfixGuest *guest, const char *device, const char *guest_path,
              const char *local_path, GError **error)
{
  MemFile *f = find_file (mem_of (guest), device, guest_path);
  if (f == NULL)
    return missing (error, mem_of (guest), guest_path);
  gsize n = 0;
  const char *p = g_bytes_get_data (f->data, &n);
  return g_file_set_contents (local_path, p ? p : "", (gssize) n, error);
}

static int
mem_file_exists (BootfixGuest *guest, const char *device, const char *path,
                 GError **error)
{
  return find_file (mem_of (guest), device, path) != NULL;
}

static int
mem_windows_file_exists (BootfixGuest *guest, const char *relpath,
                         GError **error)
{
  g_autofree char *path = mem_windows_path (guest, relpath, error);
  return path ? mem_file_exists (guest, NULL, path, error) : -1;
}

static int
mem_read_file (BootfixGuest *guest, const char *device, const char *path,
               gsize max_len, GBytes **out, char **real_path, GError **error)
{
  MemGuest *m = mem_of (guest);
  MemFile *f = find_file (m, device, path);
  if (f == NULL)
    return 0;
  if (g_bytes_get_size (f->data) > max_len) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 "guest %s: %s on %s is larger than %zu bytes", m->name,
                 f->real, device ? device : m->root, (size_t) max_len);
    return -1;
  }
  *out = g_bytes_ref (f->data);
  if (real_path)
    *real_path = g_strdup (f->real);
  return 1;
}

static int
compare_names (gconstpointer a, gconstpointer b, gpointer user)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GStrv
mem_list_dir (BootfixGuest *guest, const char *device, const char *path,
              GError **error)
{
  GHashTable *fs = filesystem (mem_of (guest), device, FALSE);
  g_autofree char *lc = lower (path);
  g_autofree char *prefix = g_str_has_suffix (lc, "/") ? g_strdup (lc)
                            : g_strconcat (lc, "/", NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       g_free, NULL);
  GHashTableIter it;
  gpointer k, v;
  if (fs)
    g_hash_table_iter_init (&it, fs);
  while (fs && g_hash_table_iter_next (&it, &k, &v)) {
    if (!g_str_has_prefix (k, prefix))
      continue;
    const char *rest = ((MemFile *) v)->real + strlen (prefix);
    const char *end = strchr (rest, '/');
    g_hash_table_add (seen, end ? g_strndup (rest, end - rest) : g_strdup (rest));
  }
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (seen, NULL);
  GStrv names = g_strdupv ((char **) keys);
  g_qsort_with_data (names, (gint) g_strv_length (names), sizeof (char *),
                     compare_names, NULL);
  return names;
}

static int64_t
mem_file_size (BootfixGuest *guest, const char *device, const char *path,
               GError **error)
{
  MemFile *f = find_file (mem_of (guest), device, path);
  if (f == NULL) {
    missing (error, mem_of (guest), path);
    return -1;
  }
  return (int64_t) g_bytes_get_size (f->data);
}

static char *
mem_checksum (BootfixGuest *guest, const char *device, const char *guest_path,
              GError **error)
{
  MemFile *f = find_file (mem_of (guest), device, guest_path);
  if (f == NULL) {
    missing (error, mem_of (guest), guest_path);
    return NULL;
  }
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, f->data);
}

/* ---- writing files ---- */

static gboolean
mem_mount_rw (BootfixGuest *guest, GError **error)
{
  return TRUE;
}

static void
put_file (MemGuest *m, const char *device, const char *path, GBytes *data)
{
  MemFile *f = g_new0 (MemFile, 1);
  f->real = normalize (path);
  f->data = g_bytes_ref (data);
  g_hash_table_insert (filesystem (m, device, TRUE), lower (path), f);
}

static char *
mem_stage (BootfixGuest *guest, const char *device, const char *local_path,
           const char *guest_path, GError **error)
{
  char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (local_path, &contents, &len, error))
    return NULL;
  g_autoptr (GBytes) data = g_bytes_new_take (contents, len);
  char *staged = g_strconcat (guest_path, ".bootfix-new", NULL);
  put_file (mem_of (guest), device, staged, data);
  return staged;
}

static void
mem_discard_staged (BootfixGuest *guest, const char *device,
                    const char *staged)
{
  GHashTable *fs = filesystem (mem_of (guest), device, FALSE);
  g_autofree char *lc = lower (staged);
  if (fs)
    g_hash_table_remove (fs, lc);
}

static gboolean
mem_commit_staged (BootfixGuest *guest, const char *device, const char *staged,
                   const char *guest_path, GError **error)
{
  MemGuest *m = mem_of (guest);
  MemFile *f = find_file (m, device, staged);
  if (f == NULL)
    return missing (error, m, staged);
  g_autoptr (GBytes) data = g_bytes_ref (f->data);
  mem_discard_staged (guest, device, staged);
  put_file (m, device, guest_path, data);
  return TRUE;
}

static gboolean
mem_truncate (BootfixGuest *guest, const char *device, const char *guest_path,
              GError **error)
{
  MemGuest *m = mem_of (guest);
  MemFile *f = find_file (m, device, guest_path);
  if (f == NULL)
    return missing (error, m, guest_path);
  g_bytes_unref (f->data);
  f->data = g_bytes_new (NULL, 0);
  return TRUE;
}

static gboolean
mem_flush (BootfixGuest *guest, GError **error)
{
  mem_of (guest)->flushed = TRUE;
  return TRUE;
}

/* ---- devices ---- */

static MemDevice *
find_device (MemGuest *m, const char *device, guint64 offset, gsize len,
             GError **error)
{
  MemDevice *d = g_hash_table_lookup (m->devices, device);
  if (d == NULL)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 "guest %s: %s: no such device", m->name, device);
  else if (offset > d->size || len > d->size - offset)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 "guest %s: %s ends before byte %" PRIu64, m->name, device,
                 offset + len);
  else
    return d;
  return NULL;
}

static gboolean
mem_read_device (BootfixGuest *guest, const char *device, guint64 offset,
                 guint8 *buf, gsize len, GError **error)
{
  MemDevice *d = find_device (mem_of (guest), device, offset, len, error);
  if (d == NULL)
    return FALSE;
  memset (buf, 0, len);
  if (offset < d->head->len)
    memcpy (buf, d->head->data + offset, MIN (len, d->head->len - offset));
  return TRUE;
}

static gboolean
mem_write_device (BootfixGuest *guest, const char *device, guint64 offset,
                  GBytes *data, GError **error)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);
  MemDevice *d = find_device (mem_of (guest), device, offset, len, error);
  if (d == NULL)
    return FALSE;
  if (offset + len > d->head->len)
    g_byte_array_set_size (d->head, (guint) (offset + len));
  if (len)
    memcpy (d->head->data + offset, p, len);
  return TRUE;
}

static GPtrArray *
mem_disks (BootfixGuest *guest, GError **error)
{
  MemGuest *m = mem_of (guest);
  g_autoptr (GPtrArray) disks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_disk_free);
  for (guint i = 0; i < m->disks->len; i++) {
    const char *name = g_ptr_array_index (m->disks, i);
    MemDevice *d = g_hash_table_lookup (m->devices, name);
    BootfixGuestDisk *disk = g_new0 (BootfixGuestDisk, 1);
    disk->device = g_strdup (name);
    disk->index = (int) i;
    disk->size = d->size;
    g_ptr_array_add (disks, disk);
    if (!bootfix_guest_disk_read_layout (guest, disk, SECTOR_SIZE, m->name,
                                         error))
      return NULL;
  }
  return g_steal_pointer (&disks);
}

static char *
mem_partition_device (BootfixGuest *guest, const BootfixGuestDisk *disk,
                      guint number)
{
  g_autofree char *name = g_strdup_printf ("%s%u", disk->device, number);
  return g_hash_table_contains (mem_of (guest)->devices, name)
         ? g_steal_pointer (&name) : NULL;
}

static char *
mem_fs_type (BootfixGuest *guest, const char *device)
{
  MemDevice *d = g_hash_table_lookup (mem_of (guest)->devices, device);
  return g_strdup (d ? d->fs_type : "");
}

/* ---- the guest ---- */

static void
mem_free (BootfixGuest *guest)
{
  MemGuest *m = mem_of (guest);
  g_free (m->name);
  g_free (m->root);
  g_free (m->systemroot);
  g_hash_table_unref (m->filesystems);
  g_hash_table_unref (m->devices);
  g_ptr_array_unref (m->disks);
  g_free (m);
}

static const BootfixGuestOps memory_ops = {
  .free = mem_free,
  .root = mem_root,
  .hive_path = mem_hive_path,
  .download = mem_download,
  .windows_file_exists = mem_windows_file_exists,
  .windows_path = mem_windows_path,
  .read_file = mem_read_file,
  .file_exists = mem_file_exists,
  .list_dir = mem_list_dir,
  .file_size = mem_file_size,
  .mount_rw = mem_mount_rw,
  .stage = mem_stage,
  .commit_staged = mem_commit_staged,
  .discard_staged = mem_discard_staged,
  .truncate = mem_truncate,
  .checksum = mem_checksum,
  .disks = mem_disks,
  .partition_device = mem_partition_device,
  .fs_type = mem_fs_type,
  .read_device = mem_read_device,
  .write_device = mem_write_device,
  .flush = mem_flush,
};

BootfixGuest *
bootfix_memory_guest_new (const char *name, const char *root,
                          const char *systemroot)
{
  MemGuest *m = g_new0 (MemGuest, 1);
  m->parent.ops = &memory_ops;
  m->name = g_strdup (name);
  m->root = g_strdup (root);
  m->systemroot = normalize (systemroot);
  m->filesystems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_hash_table_unref);
  m->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      mem_device_free);
  m->disks = g_ptr_array_new_with_free_func (g_free);
  return &m->parent;
}

void
bootfix_memory_guest_add_file (BootfixGuest *guest, const char *device,
                               const char *path, GBytes *data)
{
  put_file (mem_of (guest), device, path, data);
}

void
bootfix_memory_guest_add_device (BootfixGuest *guest, const char *device,
                                 guint64 size, GBytes *head,
                                 const char *fs_type)
{
  MemDevice *d = g_new0 (MemDevice, 1);
  d->size = size;
  d->head = g_byte_array_new ();
  if (head)
    g_byte_array_append (d->head, g_bytes_get_data (head, NULL),
                         (guint) MIN (g_bytes_get_size (head), size));
  d->fs_type = g_strdup (fs_type ? fs_type : "");
  g_hash_table_insert (mem_of (guest)->devices, g_strdup (device), d);
}

void
bootfix_memory_guest_add_disk (BootfixGuest *guest, const char *device,
                               guint64 size, GBytes *head)
{
  bootfix_memory_guest_add_device (guest, device, size, head, "");
  g_ptr_array_add (mem_of (guest)->disks, g_strdup (device));
}

GBytes *
bootfix_memory_guest_get_file (BootfixGuest *guest, const char *device,
                               const char *path)
{
  MemFile *f = find_file (mem_of (guest), device, path);
  return f ? g_bytes_ref (f->data) : NULL;
}

GBytes *
bootfix_memory_guest_get_device (BootfixGuest *guest, const char *device)
{
  MemDevice *d = g_hash_table_lookup (mem_of (guest)->devices, device);
  return d ? g_bytes_new (d->head->data, d->head->len) : NULL;
}

gboolean
bootfix_memory_guest_was_flushed (BootfixGuest *guest)
{
  return mem_of (guest)->flushed;
}
