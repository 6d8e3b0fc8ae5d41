/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The batch list (batch-list.c): parsing its text, loading a file or a
 * folder, shards, and the refusal of two guests sharing a disk. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "batch-list.h"

#define BASE "/lists"

typedef struct {
  const char *name;
  const char *text;
  gsize len;             /* 0: strlen (text) */
  const char *want;      /* "entry>path@line;" per entry, or NULL */
  const char *message;   /* NULL: accepted; else in the error */
} ParseCase;

static const ParseCase parse_cases[] = {
  { "empty", "", 0, "", NULL },
  { "blank lines", "\n \n\t\r\n", 0, "", NULL },
  { "comments and blanks",
    "# guests\n\n  a.xml  \r\n\t# b.xml\n/abs/b.xml\r\nsub/../c.xml", 0,
    "a.xml>" BASE "/a.xml@3;/abs/b.xml>/abs/b.xml@5;"
    "sub/../c.xml>" BASE "/c.xml@6;", NULL },
  { "inner blanks and a late #", "my guest.xml\nd.xml # old\n", 0,
    "my guest.xml>" BASE "/my guest.xml@1;d.xml # old>" BASE "/d.xml # old@2;",
    NULL },
  { "CR only at the end", "a\rb.xml\r\n", 0, "a\rb.xml>" BASE "/a\rb.xml@1;", NULL },
  { "UTF-8 names", "\xe6\x97\xa5\xe6\x9c\xac.xml\n", 0,
    "\xe6\x97\xa5\xe6\x9c\xac.xml>" BASE "/\xe6\x97\xa5\xe6\x9c\xac.xml@1;", NULL },
  { "same file twice", "a.xml\nb.xml\n./a.xml\n", 0, NULL,
    "list.txt, line 3: the domain file " BASE "/a.xml is already on line 1" },
  { "same file, absolute", "a.xml\n" BASE "//a.xml\n", 0, NULL, "line 2" },
  { "NUL byte", "a.xml\nb\0.xml\n", 13, NULL, "list.txt, line 2: the line holds a NUL" },
  { "not UTF-8", "a.xml\n\n\xff.xml\n", 0, NULL, "list.txt, line 3: the line is not UTF-8" },
  { "cut UTF-8", "a.xml\n\xe6\x97", 0, NULL, "line 2: the line is not UTF-8" },
};

static char *
describe (GPtrArray *entries)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < entries->len; i++) {
    const BootfixBatchEntry *e = g_ptr_array_index (entries, i);
    g_string_append_printf (s, "%s>%s@%u;", e->entry, e->path, e->line);
  }
  return g_string_free (s, FALSE);
}

static void
test_parse_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++) {
    const ParseCase *c = &parse_cases[i];
    g_autoptr (GError) error = NULL;
    gsize len = c->len ? c->len : strlen (c->text);
    g_autoptr (GPtrArray) got =
      bootfix_batch_list_parse (c->text, len, BASE, "list.txt", &error);
    if (c->message == NULL) {
      if (got == NULL)
        g_error ("%s: %s", c->name, error->message);
      g_autofree char *text = describe (got);
      if (strcmp (text, c->want) != 0)
        g_error ("%s: got \"%s\", want \"%s\"", c->name, text, c->want);
      continue;
    }
    if (got != NULL)
      g_error ("%s: accepted", c->name);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
    if (strstr (error->message, c->message) == NULL)
      g_error ("%s: \"%s\" lacks \"%s\"", c->name, error->message, c->message);
  }
}

static GPtrArray *
parse_string (const char *text, GError **error)
{
  return bootfix_batch_list_parse (text, strlen (text), BASE, "l", error);
}

/* BOOTFIX_BATCH_MAX_LINE bytes pass, one more does not. */
static void
test_long_line (void)
{
  g_autofree char *line = g_strnfill (BOOTFIX_BATCH_MAX_LINE, 'x');
  g_autoptr (GPtrArray) ok = parse_string (line, NULL);
  g_assert_nonnull (ok);
  g_assert_cmpuint (ok->len, ==, 1);
  g_autofree char *longer = g_strconcat ("a.xml\n", line, "x\n", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) bad = parse_string (longer, &error);
  g_assert_null (bad);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, "line 2"));
}

static void
test_too_many (void)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i <= BOOTFIX_BATCH_MAX_ENTRIES; i++)
    g_string_append_printf (s, "%u.xml\n", i);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) bad = parse_string (s->str, &error);
  g_assert_null (bad);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  /* One fewer is a batch. */
  g_string_truncate (s, strrchr (s->str, '\n') - s->str);
  g_string_truncate (s, strrchr (s->str, '\n') - s->str + 1);
  g_autoptr (GPtrArray) ok = parse_string (s->str, NULL);
  g_assert_nonnull (ok);
  g_assert_cmpuint (ok->len, ==, BOOTFIX_BATCH_MAX_ENTRIES);
  g_string_free (s, TRUE);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* A list file: relative entries are relative to its folder. */
static void
test_load_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("batch-list-XXXXXX", NULL);
  write_file (dir, "guests.list", "# two\nvm1.xml\n/elsewhere/vm2.xml\n");
  g_autofree char *list = g_build_filename (dir, "guests.list", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) got = bootfix_batch_list_load (list, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 2);
  const BootfixBatchEntry *first = g_ptr_array_index (got, 0);
  g_autofree char *want = g_build_filename (dir, "vm1.xml", NULL);
  g_assert_cmpstr (first->path, ==, want);
  g_assert_cmpstr (first->entry, ==, "vm1.xml");
  g_assert_cmpuint (first->line, ==, 2);
  g_unlink (list);
  /* Gone: the error names it and says what --batch takes. */
  g_autoptr (GError) missing = NULL;
  g_assert_null (bootfix_batch_list_load (list, &missing));
  g_assert_error (missing, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  g_assert_nonnull (strstr (missing->message, list));
  g_assert_nonnull (strstr (missing->message, "folder"));
  g_rmdir (dir);
}

/* A folder: its *.xml files by name, hidden ones and others left out. */
static void
test_load_dir (void)
{
  static const char *const names[] = {
    "b.xml", "a.xml", ".hidden.xml", "notes.txt", "c.xml.bak", "B.xml",
  };
  g_autofree char *dir = g_dir_make_tmp ("batch-dir-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    write_file (dir, names[i], "<domain/>");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) got = bootfix_batch_list_load (dir, &error);
  g_assert_no_error (error);
  g_autofree char *text = describe (got);
  g_autofree char *want = g_strdup_printf ("B.xml>%s/B.xml@0;a.xml>%s/a.xml@0;"
                                           "b.xml>%s/b.xml@0;", dir, dir, dir);
  g_assert_cmpstr (text, ==, want);
  /* A name that is not UTF-8 is refused, not skipped. */
  write_file (dir, "\xff.xml", "<domain/>");
  g_autoptr (GError) bad = NULL;
  g_assert_null (bootfix_batch_list_load (dir, &bad));
  g_assert_error (bad, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  g_assert_nonnull (strstr (bad->message, "\\xff.xml"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *path = g_build_filename (dir, names[i], NULL);
    g_unlink (path);
  }
  g_autofree char *odd = g_build_filename (dir, "\xff.xml", NULL);
  g_unlink (odd);
  g_rmdir (dir);
}

static void
test_shard_parse (void)
{
  static const struct { const char *text; guint k, n; } good[] = {
    { "0/1", 0, 1 }, { "3/4", 3, 4 }, { "65535/65536", 65535, 65536 },
  };
  static const char *const bad[] = {
    "4/4", "0/0", "-1/4", "1/-4", " 1/4", "1/4 ", "1/ 4", "1/4/5", "a/b",
    "1", "", "/", "0/65537", "+1/4", "1/4\n", "0x1/4",
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    guint k = 99, n = 99;
    g_autoptr (GError) error = NULL;
    g_assert_true (bootfix_batch_shard_parse (good[i].text, &k, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (k, ==, good[i].k);
    g_assert_cmpuint (n, ==, good[i].n);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    guint k = 99, n = 99;
    g_autoptr (GError) error = NULL;
    if (bootfix_batch_shard_parse (bad[i], &k, &n, &error))
      g_error ("--shard \"%s\" accepted", bad[i]);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
    g_assert_cmpuint (k, ==, 99);
  }
}

static guint
shard_of (const char *entry, guint n)
{
  BootfixBatchEntry e = { .entry = (char *) entry, .path = (char *) "/x" };
  guint found = n;
  for (guint k = 0; k < n; k++)
    if (bootfix_batch_in_shard (&e, k, n)) {
      g_assert_cmpuint (found, ==, n);  /* in one shard only */
      found = k;
    }
  g_assert_cmpuint (found, <, n);
  return found;
}

/* Every entry in exactly one shard, for any N; shares roughly even. */
static void
test_shard_partition (void)
{
  for (guint n = 1; n <= 7; n++) {
    guint sizes[7] = { 0 };
    for (guint i = 0; i < 300; i++) {
      g_autofree char *entry = g_strdup_printf ("guests/vm%03u.xml", i);
      sizes[shard_of (entry, n)]++;
    }
    for (guint k = 0; k < n; k++)
      g_assert_cmpuint (sizes[k], >, 300 / n / 2);
  }
}

/* The hash is part of the interface: machines with other builds must
 * agree.  SHA-256 of the entry, first 8 bytes big-endian, modulo N. */
static void
test_shard_pinned (void)
{
  static const struct { const char *entry; guint n, k; } pinned[] = {
    { "guests/vm001.xml", 3, 1 }, { "guests/vm001.xml", 7, 2 },
    { "win7.xml", 5, 4 }, { "win7.xml", 65536, 5906 },
    { "a.xml", 2, 1 }, { "/var/lib/libvirt/vms/xp.xml", 65536, 13262 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (pinned); i++)
    g_assert_cmpuint (shard_of (pinned[i].entry, pinned[i].n), ==, pinned[i].k);
}

typedef struct {
  char *dir;
  GPtrArray *entries;
} Disjoint;

static void
disjoint_setup (Disjoint *d, gconstpointer unused)
{
  d->dir = g_dir_make_tmp ("batch-disks-XXXXXX", NULL);
  d->entries = parse_string ("one.xml\ntwo.xml\nthree.xml\n", NULL);
  write_file (d->dir, "a.img", "disk a");
  write_file (d->dir, "b.img", "disk b");
}

static void
disjoint_teardown (Disjoint *d, gconstpointer unused)
{
  static const char *const names[] = { "a.img", "b.img", "link.img", "hard.img" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *path = g_build_filename (d->dir, names[i], NULL);
    g_unlink (path);
  }
  g_rmdir (d->dir);
  g_free (d->dir);
  g_ptr_array_unref (d->entries);
}

static gboolean
check (Disjoint *d, const char *one, const char *two, const char *three,
       GError **error)
{
  g_autofree char *p1 = one ? g_build_filename (d->dir, one, NULL) : NULL;
  g_autofree char *p2 = two ? g_build_filename (d->dir, two, NULL) : NULL;
  g_autofree char *p3 = three ? g_build_filename (d->dir, three, NULL) : NULL;
  const char *d1[] = { p1, NULL }, *d2[] = { p2, p2, NULL }, *d3[] = { p3, NULL };
  const char *const *disks[] = { p1 ? d1 : NULL, d2, d3 };
  return bootfix_batch_check_disjoint (d->entries, disks, error);
}

static void
test_disjoint (Disjoint *d, gconstpointer unused)
{
  g_autofree char *a = g_build_filename (d->dir, "a.img", NULL);
  g_autofree char *sym = g_build_filename (d->dir, "link.img", NULL);
  g_autofree char *hard = g_build_filename (d->dir, "hard.img", NULL);
  g_assert_cmpint (symlink (a, sym), ==, 0);
  g_assert_cmpint (link (a, hard), ==, 0);

  /* Different files (and one disk named twice by one guest): fine. */
  g_assert_true (check (d, "a.img", "b.img", "new.img", NULL));
  g_assert_true (check (d, NULL, "a.img", "b.img", NULL));
  /* The same file by another name, or a path not there yet written
   * another way: refused, naming both guests. */
  g_autofree char *base = g_path_get_basename (d->dir);
  g_autofree char *via_parent = g_strdup_printf ("../%s/new.img", base);
  const char *const same[][2] = {
    { "a.img", "a.img" }, { "a.img", "link.img" }, { "hard.img", "a.img" },
    { "new.img", via_parent },
  };
  for (guint i = 0; i < G_N_ELEMENTS (same); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_false (check (d, "b.img", same[i][0], same[i][1], &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, BASE "/two.xml"));
    g_assert_nonnull (strstr (error->message, BASE "/three.xml"));
  }
}

/* --output: two guests of one name would write one DIR/NAME.xml. */
static void
test_unique_names (void)
{
  g_autoptr (GPtrArray) entries = parse_string ("one.xml\ntwo.xml\nthree.xml\n", NULL);
  const char *distinct[] = { "win7", "Win7", "win7-2" };
  const char *unreadable[] = { "win7", NULL, NULL };
  g_assert_true (bootfix_batch_check_unique_names (entries, distinct, NULL));
  g_assert_true (bootfix_batch_check_unique_names (entries, unreadable, NULL));
  const char *same[] = { "xp", "win7", "win7" };
  g_autoptr (GError) error = NULL;
  g_assert_false (bootfix_batch_check_unique_names (entries, same, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, BASE "/two.xml"));
  g_assert_nonnull (strstr (error->message, BASE "/three.xml"));
  g_assert_nonnull (strstr (error->message, "'win7'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-list/parse/table", test_parse_table);
  g_test_add_func ("/batch-list/parse/long-line", test_long_line);
  g_test_add_func ("/batch-list/parse/too-many", test_too_many);
  g_test_add_func ("/batch-list/load/file", test_load_file);
  g_test_add_func ("/batch-list/load/dir", test_load_dir);
  g_test_add_func ("/batch-list/shard/parse", test_shard_parse);
  g_test_add_func ("/batch-list/shard/partition", test_shard_partition);
  g_test_add_func ("/batch-list/shard/pinned", test_shard_pinned);
  g_test_add ("/batch-list/disjoint", Disjoint, NULL, disjoint_setup,
              test_disjoint, disjoint_teardown);
  g_test_add_func ("/batch-list/unique-names", test_unique_names);
  return g_test_run ();
}
