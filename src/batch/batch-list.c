/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guests of a batch: reading the list, the share of one shard, and
 * the check that no two guests share a disk image. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "batch-list.h"

/* A list file or standard input bigger than this is refused before it
 * is parsed: a full list of paths is far smaller. */
#define MAX_LIST_BYTES ((gsize) 64 << 20)

void
bootfix_batch_entry_free (BootfixBatchEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->entry);
  g_free (e->path);
  g_free (e);
}

static BootfixBatchEntry *
entry_new (const char *entry, const char *base_dir, guint line)
{
  BootfixBatchEntry *e = g_new0 (BootfixBatchEntry, 1);
  e->entry = g_strdup (entry);
  /* Lexical: "." and ".." go, symbolic links stay as written. */
  e->path = g_canonicalize_filename (entry, base_dir);
  e->line = line;
  return e;
}

/* User text for a message: control characters and bytes that are not
 * UTF-8 shown as \xNN, as for guest text. */
static char *
shown (const char *text)
{
  GString *s = g_string_new (NULL);
  bootfix_append_guest_text_as (s, text, BOOTFIX_GUEST_TEXT_HEX);
  return g_string_free (s, FALSE);
}

static gboolean
line_error (GError **error, const char *what, guint line, const char *why)
{
  /* TRANSLATORS: the list, its line number, what is wrong there. */
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE, _("%s, line %u: %s"),
               what, line, why);
  return FALSE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* The line [p, p+n) without its surrounding blanks and final CR, or
 * NULL when it holds no entry (blank or a comment). */
static char *
line_entry (const char *p, gsize n)
{
  while (n > 0 && (is_blank (p[n - 1]) || p[n - 1] == '\r'))
    n--;
  while (n > 0 && is_blank (*p)) {
    p++;
    n--;
  }
  if (n == 0 || *p == '#')
    return NULL;
  return g_strndup (p, n);
}

/* Checks one line and, when it names a domain file, adds it. */
static gboolean
add_line (GPtrArray *out, GHashTable *seen, const char *p, gsize n,
          guint line, const char *base_dir, const char *what, GError **error)
{
  if (memchr (p, '\0', n) != NULL)
    return line_error (error, what, line,
                       _("the line holds a NUL byte; a batch list is text, "
                         "one domain XML path per line"));
  if (n > BOOTFIX_BATCH_MAX_LINE) {
    g_autofree char *why =
      g_strdup_printf (_("the line is longer than %u bytes; is this a "
                         "batch list (one domain XML path per line)?"),
                       (guint) BOOTFIX_BATCH_MAX_LINE);
    return line_error (error, what, line, why);
  }
  if (!g_utf8_validate_len (p, n, NULL))
    return line_error (error, what, line,
                       _("the line is not UTF-8; save the list as UTF-8"));
  g_autofree char *text = line_entry (p, n);
  if (text == NULL)
    return TRUE;
  if (out->len >= BOOTFIX_BATCH_MAX_ENTRIES) {
    g_autofree char *why =
      g_strdup_printf (_("more than %u guests in one list; split it into "
                         "several batches"), (guint) BOOTFIX_BATCH_MAX_ENTRIES);
    return line_error (error, what, line, why);
  }
  g_autoptr (BootfixBatchEntry) e = entry_new (text, base_dir, line);
  gpointer first = g_hash_table_lookup (seen, e->path);
  if (first != NULL) {
    g_autofree char *path = shown (e->path);
    g_autofree char *why =
      g_strdup_printf (_("the domain file %s is already on line %u; remove "
                         "one of the two lines"), path,
                       GPOINTER_TO_UINT (first));
    return line_error (error, what, line, why);
  }
  g_hash_table_insert (seen, e->path, GUINT_TO_POINTER (line));
  g_ptr_array_add (out, g_steal_pointer (&e));
  return TRUE;
}

GPtrArray *
bootfix_batch_list_parse (const char *text, gsize len, const char *base_dir,
                          const char *what, GError **error)
{
  g_autoptr (GPtrArray) out =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_batch_entry_free);
  /* Keys are the entries' paths, which out owns. */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint line = 0;

  for (gsize at = 0; at < len;) {
    const char *p = text + at;
    const char *lf = memchr (p, '\n', len - at);
    gsize n = lf ? (gsize) (lf - p) : len - at;
    if (!add_line (out, seen, p, n, ++line, base_dir, what, error))
      return NULL;
    at += n + (lf ? 1 : 0);
  }
  return g_steal_pointer (&out);
}

/* The whole of fd, at most MAX_LIST_BYTES. */
static GByteArray *
read_capped (int fd, const char *what, GError **error)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];

  for (;;) {
    ssize_t n = read (fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                   _("cannot read the batch list %s: %s"), what,
                   g_strerror (saved));
      return NULL;
    }
    if (n == 0)
      return g_steal_pointer (&buf);
    if (buf->len + (gsize) n > MAX_LIST_BYTES) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                   _("the batch list %s is larger than %u MiB; is it a list "
                     "of domain XML paths?"), what,
                   (guint) (MAX_LIST_BYTES >> 20));
      return NULL;
    }
    g_byte_array_append (buf, chunk, (guint) n);
  }
}

static GPtrArray *
load_stream (int fd, const char *what, const char *base_dir, GError **error)
{
  g_autoptr (GByteArray) buf = read_capped (fd, what, error);
  if (buf == NULL)
    return NULL;
  return bootfix_batch_list_parse ((const char *) buf->data, buf->len,
                                   base_dir, what, error);
}

static gboolean
is_domain_file_name (const char *name)
{
  /* As a shell's *.xml: hidden files are not matched. */
  return name[0] != '.' && g_str_has_suffix (name, ".xml");
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The *.xml files of dir, sorted by name. */
static GPtrArray *
load_dir (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  if (d == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("cannot read the batch folder %s: %s"), dir, local->message);
    return NULL;
  }
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;) {
    if (!is_domain_file_name (name))
      continue;
    if (!g_utf8_validate (name, -1, NULL)) {
      g_autofree char *bad = shown (name);
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                   _("batch folder %s: the file name %s is not UTF-8; "
                     "rename it"), dir, bad);
      return NULL;
    }
    if (names->len >= BOOTFIX_BATCH_MAX_ENTRIES) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                   _("batch folder %s holds more than %u domain files; "
                     "split it into several batches"), dir,
                   (guint) BOOTFIX_BATCH_MAX_ENTRIES);
      return NULL;
    }
    g_ptr_array_add (names, g_strdup (name));
  }
  /* Byte order, not the locale's: the same on every machine. */
  g_ptr_array_sort (names, compare_names);
  GPtrArray *out =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_batch_entry_free);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (out, entry_new (g_ptr_array_index (names, i), dir, 0));
  return out;
}

GPtrArray *
bootfix_batch_list_load (const char *source, GError **error)
{
  if (strcmp (source, "-") == 0) {
    g_autofree char *cwd = g_get_current_dir ();
    return load_stream (STDIN_FILENO, _("standard input"), cwd, error);
  }
  g_autofree char *abs = g_canonicalize_filename (source, NULL);
  if (g_file_test (abs, G_FILE_TEST_IS_DIR))
    return load_dir (abs, error);
  int fd = open (abs, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("cannot open the batch list %s: %s; --batch takes a file "
                   "of domain XML paths, a folder of them, or - for "
                   "standard input"), source, g_strerror (saved));
    return NULL;
  }
  g_autofree char *base_dir = g_path_get_dirname (abs);
  GPtrArray *out = load_stream (fd, source, base_dir, error);
  close (fd);
  return out;
}

gboolean
bootfix_batch_shard_parse (const char *text, guint *k, guint *n, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, "/", 3);
  guint64 kk = 0, nn = 0;
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 65535, &kk, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 65536, &nn, NULL) ||
      kk >= nn) {
    g_autofree char *bad = bootfix_quote_guest_text (text, 64);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("--shard \"%s\": expected K/N, shard K of N counted from "
                   "0, with K < N <= 65536 (for example 0/4)"), bad);
    return FALSE;
  }
  *k = (guint) kk;
  *n = (guint) nn;
  return TRUE;
}

/* The first 8 bytes of the entry's SHA-256, big-endian: the same on
 * every machine and in every GLib version, unlike g_str_hash. */
static guint64
entry_hash (const char *entry)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 h = 0;

  g_checksum_update (sum, (const guchar *) entry, (gssize) strlen (entry));
  g_checksum_get_digest (sum, digest, &len);
  for (guint i = 0; i < 8; i++)
    h = h << 8 | digest[i];
  return h;
}

gboolean
bootfix_batch_in_shard (const BootfixBatchEntry *e, guint k, guint n)
{
  g_return_val_if_fail (n > 0 && k < n, FALSE);
  return entry_hash (e->entry) % n == k;
}

/* Who names a disk image first: the entry and the disk path as given. */
typedef struct {
  guint entry;
  const char *disk;
} DiskOwner;

/* The same file by device and inode; a path that cannot be stat'ed
 * (not there yet, or not readable) by its canonical path. */
static char *
disk_key (const char *path)
{
  struct stat st;
  if (stat (path, &st) == 0)
    return g_strdup_printf ("inode %ju:%ju", (uintmax_t) st.st_dev,
                            (uintmax_t) st.st_ino);
  g_autofree char *canon = g_canonicalize_filename (path, NULL);
  return g_strconcat ("path ", canon, NULL);
}

static gboolean
shared_disk (GError **error, const BootfixBatchEntry *a, const char *disk_a,
             const BootfixBatchEntry *b, const char *disk_b)
{
  g_autofree char *pa = shown (a->path), *pb = shown (b->path);
  g_autofree char *da = shown (disk_a), *db = shown (disk_b);
  if (strcmp (disk_a, disk_b) == 0)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("%s and %s both use the disk image %s; two guests of one "
                   "batch must not share a disk: remove one of them from the "
                   "batch"), pa, pb, da);
  else
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("%s and %s both use one disk image (%s and %s are the same "
                   "file); two guests of one batch must not share a disk: "
                   "remove one of them from the batch"), pa, pb, da, db);
  return FALSE;
}

gboolean
bootfix_batch_check_disjoint (GPtrArray *entries,
                              const char *const *const *disks, GError **error)
{
  g_autoptr (GHashTable) owners =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < entries->len; i++) {
    for (guint j = 0; disks[i] != NULL && disks[i][j] != NULL; j++) {
      char *key = disk_key (disks[i][j]);
      const DiskOwner *first = g_hash_table_lookup (owners, key);
      if (first != NULL && first->entry != i) {
        g_free (key);
        return shared_disk (error, g_ptr_array_index (entries, first->entry),
                            first->disk, g_ptr_array_index (entries, i),
                            disks[i][j]);
      }
      if (first != NULL) {
        g_free (key);
        continue;
      }
      DiskOwner *o = g_new (DiskOwner, 1);
      o->entry = i;
      o->disk = disks[i][j];
      g_hash_table_insert (owners, key, o);
    }
  }
  return TRUE;
}

gboolean
bootfix_batch_check_unique_names (GPtrArray *entries, const char *const *names,
                                  GError **error)
{
  g_autoptr (GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < entries->len; i++) {
    if (names[i] == NULL)
      continue;
    gpointer seen = NULL;
    if (g_hash_table_lookup_extended (first, names[i], NULL, &seen)) {
      const BootfixBatchEntry *a = g_ptr_array_index (entries, GPOINTER_TO_UINT (seen));
      const BootfixBatchEntry *b = g_ptr_array_index (entries, i);
      g_autofree char *pa = shown (a->path), *pb = shown (b->path);
      g_autofree char *name = shown (names[i]);
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                   _("%s and %s both name their guest '%s'; with --output each "
                     "guest's result is DIR/NAME.xml, so the names of one batch "
                     "must differ: change one <name>"), pa, pb, name);
      return FALSE;
    }
    g_hash_table_insert (first, (gpointer) names[i], GUINT_TO_POINTER (i));
  }
  return TRUE;
}
