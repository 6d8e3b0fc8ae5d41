/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The undo journal without an appliance: loading hostile journal files,
 * and --undo on a small raw image made here. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfix-error.h"
#include "journal.h"

typedef struct {
  char *dir;
  char *image;
} Fixture;

/* A 4 KiB image whose bytes 1024..1535 the "fix" changed from 'o'
 * (old) to 'n' (new). */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->image = g_build_filename (f->dir, "disk.img", NULL);
  g_autofree char *bytes = g_malloc (4096);
  memset (bytes, 'x', 4096);
  memset (bytes + 1024, 'n', 512);
  g_assert_true (g_file_set_contents (f->image, bytes, 4096, NULL));
  g_autofree char *old = g_build_filename (f->dir, "disk0.old", NULL);
  g_autofree char *olds = g_malloc (512);
  memset (olds, 'o', 512);
  g_assert_true (g_file_set_contents (old, olds, 512, NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *p = g_build_filename (f->dir, name, NULL);
    g_unlink (p);
  }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->image);
}

static char *
sha_of_fill (char c, gsize n)
{
  g_autofree char *b = g_malloc (n);
  memset (b, c, n);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) b, n);
}

/* journal.json text for the fixture; fields can be overridden. */
static void
write_journal (Fixture *f, const char *state, const char *new_sha,
               const char *extra_range)
{
  g_autofree char *old_sha = sha_of_fill ('o', 512);
  g_autofree char *json = g_strdup_printf (
    "{\"version\":1,\"guest\":\"g\",\"state\":\"%s\",\"disks\":[{"
    "\"path\":\"%s\",\"format\":\"raw\",\"overlay\":\"%s/disk0.qcow2\","
    "\"old_file\":\"%s/disk0.old\",\"ranges\":[{\"offset\":1024,"
    "\"length\":512,\"old_sha256\":\"%s\",\"new_sha256\":\"%s\"}%s]}]}",
    state, f->image, f->dir, f->dir, old_sha, new_sha, extra_range);
  g_autofree char *path = g_build_filename (f->dir, "journal.json", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static char *
image_region (Fixture *f)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (f->image, &bytes, &len, NULL));
  g_assert_cmpuint (len, ==, 4096);
  return g_strndup (bytes + 1020, 520);
}

static void
test_undo_committed (Fixture *f, gconstpointer data)
{
  g_autofree char *new_sha = sha_of_fill ('n', 512);
  write_journal (f, "committed", new_sha, "");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (f->dir, &error);
  g_assert_no_error (error);
  g_assert_true (bootfix_journal_undo (j, FALSE, &error));
  g_assert_no_error (error);
  g_autofree char *region = image_region (f);
  g_autofree char *olds = g_strnfill (512, 'o');
  g_autofree char *want = g_strdup_printf ("xxxx%sxxxx", olds);
  g_assert_cmpstr (region, ==, want);
  /* Undone is final. */
  g_autoptr (BootfixJournal) again = bootfix_journal_load (f->dir, &error);
  g_assert_cmpint (again->state, ==, BOOTFIX_JOURNAL_UNDONE);
  g_assert_false (bootfix_journal_undo (again, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "already undone"));
}

/* The disk changed after the fix (the guest booted): refuse, unless
 * forced; nothing is written when refusing. */
static void
test_undo_refuses_changed_disk (Fixture *f, gconstpointer data)
{
  g_autofree char *other = sha_of_fill ('z', 512);
  write_journal (f, "committed", other, "");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (f->dir, &error);
  g_assert_false (bootfix_journal_undo (j, FALSE, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  g_autofree char *region = image_region (f);
  g_assert_cmpint (region[4], ==, 'n');
  g_clear_error (&error);
  g_assert_true (bootfix_journal_undo (j, TRUE, &error));
  g_autofree char *after = image_region (f);
  g_assert_cmpint (after[4], ==, 'o');
}

/* Interrupted while writing the disk: undo writes without checking. */
static void
test_undo_committing (Fixture *f, gconstpointer data)
{
  write_journal (f, "committing", "", "");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (f->dir, &error);
  g_assert_true (bootfix_journal_undo (j, FALSE, &error));
  g_autofree char *region = image_region (f);
  g_assert_cmpint (region[4], ==, 'o');
  g_assert_cmpint (region[515], ==, 'o');
  g_assert_cmpint (region[516], ==, 'x');
}

/* Prepared: the disk was never written, so undo writes nothing. */
static void
test_undo_prepared (Fixture *f, gconstpointer data)
{
  write_journal (f, "prepared", "", "");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (f->dir, &error);
  g_assert_true (bootfix_journal_undo (j, FALSE, &error));
  g_autofree char *region = image_region (f);
  g_assert_cmpint (region[4], ==, 'n');
}

/* A range past the end of the old bytes: the journal is damaged. */
static void
test_undo_short_old_file (Fixture *f, gconstpointer data)
{
  g_autofree char *old_sha = sha_of_fill ('o', 512);
  g_autofree char *extra = g_strdup_printf (
    ",{\"offset\":2048,\"length\":512,\"old_sha256\":\"%s\",\"new_sha256\":\"\"}",
    old_sha);
  write_journal (f, "committing", "", extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (f->dir, &error);
  g_assert_no_error (error);
  g_assert_false (bootfix_journal_undo (j, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "shorter than its ranges"));
}

typedef struct {
  const char *name;
  const char *json;
  const char *message;
} BadJournal;

static const BadJournal bad_journals[] = {
  { "not-json", "{", NULL },
  { "not-object", "[1,2]", "missing or unknown fields" },
  { "no-version", "{\"guest\":\"g\",\"state\":\"committed\",\"disks\":[]}", "missing or unknown fields" },
  { "future-version", "{\"version\":2,\"guest\":\"g\",\"state\":\"committed\",\"disks\":[]}", "missing or unknown fields" },
  { "bad-state", "{\"version\":1,\"guest\":\"g\",\"state\":\"maybe\",\"disks\":[]}", "missing or unknown fields" },
  { "disks-not-array", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":{}}", "missing or unknown fields" },
  { "qcow2-disk", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"qcow2\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[]}]}", "a disk entry is damaged" },
  { "no-path", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[]}]}", "a disk entry is damaged" },
  { "negative-offset", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[{\"offset\":-1,\"length\":512,\"old_sha256\":\"a\"}]}]}", "a disk entry is damaged" },
  { "zero-length", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[{\"offset\":0,\"length\":0,\"old_sha256\":\"a\"}]}]}", "a disk entry is damaged" },
  { "huge-length", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[{\"offset\":0,\"length\":9999999999,\"old_sha256\":\"a\"}]}]}", "a disk entry is damaged" },
  { "no-old-sha", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[{\"offset\":0,\"length\":512}]}]}", "a disk entry is damaged" },
  { "string-offset", "{\"version\":1,\"guest\":\"g\",\"state\":\"new\",\"disks\":[{\"path\":\"/x\",\"format\":\"raw\",\"overlay\":\"o\",\"old_file\":\"f\",\"ranges\":[{\"offset\":\"0\",\"length\":512,\"old_sha256\":\"a\"}]}]}", "a disk entry is damaged" },
};

static void
test_bad_journals (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_journals); i++) {
    const BadJournal *b = &bad_journals[i];
    g_autofree char *dir = g_dir_make_tmp ("test-journal-bad-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "journal.json", NULL);
    g_assert_true (g_file_set_contents (path, b->json, -1, NULL));
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixJournal) j = bootfix_journal_load (dir, &error);
    g_unlink (path);
    g_rmdir (dir);
    if (j != NULL)
      g_error ("%s: loaded", b->name);
    g_assert_nonnull (error);
    if (b->message && !strstr (error->message, b->message))
      g_error ("%s: '%s' lacks '%s'", b->name, error->message, b->message);
  }
}

/* A run killed before it saved anything leaves a journal folder with
 * only overlays.  The next run for the same guest removes it; other
 * guests' folders, real journals and folders holding anything else stay. */
static void
make_folder (const char *parent, const char *name, const char *const *files)
{
  g_autofree char *dir = g_build_filename (parent, name, NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint i = 0; files[i]; i++) {
    g_autofree char *p = g_build_filename (dir, files[i], NULL);
    g_assert_true (g_file_set_contents (p, "x", 1, NULL));
  }
}

static gboolean
folder_exists (const char *parent, const char *name)
{
  g_autofree char *dir = g_build_filename (parent, name, NULL);
  return g_file_test (dir, G_FILE_TEST_IS_DIR);
}

static void
test_abandoned_folders (void)
{
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  if (!qemu_img) {
    g_test_skip ("qemu-img is not installed");
    return;
  }
  g_autofree char *parent = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  g_autofree char *image = g_build_filename (parent, "g.img", NULL);
  g_autofree char *zeros = g_malloc0 (65536);
  g_assert_true (g_file_set_contents (image, zeros, 65536, NULL));
  static const char *const overlays[] = { "disk0.qcow2", "disk1.qcow2", NULL };
  static const char *const real[] = { "disk0.qcow2", "journal.json", NULL };
  static const char *const foreign[] = { "disk0.qcow2", "notes.txt", NULL };
  make_folder (parent, "virt-bootfix-g-20260101-000000.journal", overlays);
  make_folder (parent, "virt-bootfix-g-20260101-000001.journal", real);
  make_folder (parent, "virt-bootfix-g-20260101-000002.journal", foreign);
  make_folder (parent, "virt-bootfix-other-20260101-000000.journal", overlays);

  BootfixDomain dom = { .name = (char *) "g" };
  dom.disks = g_ptr_array_new ();
  BootfixDisk disk = { .source = image, .format = (char *) "raw", .source_type = (char *) "file" };
  g_ptr_array_add (dom.disks, &disk);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_create (parent, &dom, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (j);
  g_assert_false (folder_exists (parent, "virt-bootfix-g-20260101-000000.journal"));
  g_assert_true (folder_exists (parent, "virt-bootfix-g-20260101-000001.journal"));
  g_assert_true (folder_exists (parent, "virt-bootfix-g-20260101-000002.journal"));
  g_assert_true (folder_exists (parent, "virt-bootfix-other-20260101-000000.journal"));
  bootfix_journal_discard (j);
  g_ptr_array_unref (dom.disks);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", parent);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* --journal DIR that does not exist yet: made, parents too, 0700. */
static void
test_create_makes_folder (void)
{
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  if (!qemu_img) {
    g_test_skip ("qemu-img is not installed");
    return;
  }
  g_autofree char *top = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  g_autofree char *image = g_build_filename (top, "g.img", NULL);
  g_autofree char *zeros = g_malloc0 (65536);
  g_assert_true (g_file_set_contents (image, zeros, 65536, NULL));
  g_autofree char *parent = g_build_filename (top, "new", "journals", NULL);
  BootfixDomain dom = { .name = (char *) "g" };
  dom.disks = g_ptr_array_new ();
  BootfixDisk disk = { .source = image, .format = (char *) "raw",
                       .source_type = (char *) "file" };
  g_ptr_array_add (dom.disks, &disk);

  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_create (parent, &dom, FALSE,
                                                         FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (j->dir, parent));
  g_autofree char *middle = g_path_get_dirname (parent);
  const char *made[] = { middle, parent };
  for (guint i = 0; i < G_N_ELEMENTS (made); i++) {
    GStatBuf st;
    g_assert_cmpint (g_stat (made[i], &st), ==, 0);
    g_assert_true (S_ISDIR (st.st_mode));
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  }
  bootfix_journal_discard (j);

  /* A file where the folder should be: an error that says what to do. */
  g_autofree char *file = g_build_filename (top, "a-file", NULL);
  g_autofree char *under = g_build_filename (file, "journals", NULL);
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_autoptr (BootfixJournal) none = bootfix_journal_create (under, &dom,
                                                            FALSE, FALSE, &error);
  g_assert_null (none);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "cannot create the journal folder"));
  g_assert_nonnull (strstr (error->message, "--journal DIR"));
  g_ptr_array_unref (dom.disks);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", top);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* --undo DIR where DIR holds journals: a table of folder contents. */
typedef struct {
  const char *name;
  const char *states[4]; /* one journal folder each: a state, "damaged",
                          * or "empty" (a folder without journal.json) */
  int picked;            /* index of the journal loaded, or -1 */
  const char *message;   /* in the error when none is picked */
} FolderCase;

static const FolderCase folder_cases[] = {
  { "one", { "committed" }, 0, NULL },
  { "one-undone", { "undone" }, 0, NULL },
  { "one-not-undone", { "undone", "committed", "undone" }, 1, NULL },
  { "one-among-empty", { "empty", "prepared" }, 1, NULL },
  { "two-open", { "committed", "committing" }, -1,
    "holds several undo journals; name one with --undo:" },
  { "all-undone", { "undone", "undone" }, -1, "was already undone" },
  { "damaged-and-open", { "damaged", "committed" }, -1,
    "j0.journal (damaged)" },
  { "damaged-alone-open", { "undone", "damaged" }, -1,
    "is not a usable undo journal" },
  { "none", { "empty" }, -1, "is not an undo journal and holds none" },
  { "nothing", { NULL }, -1, "is not an undo journal and holds none" },
};

static void
make_journal_folder (const char *parent, guint i, const char *state)
{
  g_autofree char *name = g_strdup_printf ("j%u.journal", i);
  g_autofree char *dir = g_build_filename (parent, name, NULL);
  g_autofree char *json = g_build_filename (dir, "journal.json", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  if (g_str_equal (state, "empty"))
    return;
  g_autofree char *text = g_str_equal (state, "damaged")
    ? g_strdup ("{\"version\":1}")
    : g_strdup_printf ("{\"version\":1,\"guest\":\"guest%u\",\"state\":\"%s\","
                       "\"disks\":[]}", i, state);
  g_assert_true (g_file_set_contents (json, text, -1, NULL));
}

static void
test_load_from_folder (gconstpointer data)
{
  const FolderCase *c = data;
  g_autofree char *parent = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (c->states) && c->states[i]; i++)
    make_journal_folder (parent, i, c->states[i]);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (parent, &error);
  if (c->picked >= 0) {
    g_assert_no_error (error);
    g_autofree char *name = g_strdup_printf ("j%d.journal", c->picked);
    g_autofree char *want = g_build_filename (parent, name, NULL);
    g_assert_cmpstr (j->dir, ==, want);
  } else {
    g_assert_null (j);
    g_assert_nonnull (error);
    if (!strstr (error->message, c->message))
      g_error ("%s: '%s' lacks '%s'", c->name, error->message, c->message);
  }
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", parent);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* The list names every journal with its guest and state. */
static void
test_load_from_folder_lists (void)
{
  g_autofree char *parent = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  make_journal_folder (parent, 0, "committed");
  make_journal_folder (parent, 1, "undone");
  make_journal_folder (parent, 2, "prepared");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (parent, &error);
  g_assert_null (j);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  for (guint i = 0; i < 3; i++) {
    static const char *const states[] = { "committed", "undone", "prepared" };
    g_autofree char *line = g_strdup_printf ("\n  %s/j%u.journal (guest guest%u, %s)",
                                             parent, i, i, states[i]);
    if (!strstr (error->message, line))
      g_error ("'%s' lacks '%s'", error->message, line);
  }
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", parent);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* A qcow2 disk: the old bytes go back through qemu-io in its format,
 * after the image's chain is found to be the one recorded; a non-raw
 * entry without its layers is not a usable journal. */
static void
test_undo_qcow2 (void)
{
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  if (!qemu_img) {
    g_test_skip ("qemu-img is not installed");
    return;
  }
  g_autofree char *dir = g_dir_make_tmp ("test-journal-XXXXXX", NULL);
  g_autofree char *image = g_build_filename (dir, "disk.qcow2", NULL);
  g_autofree char *make = g_strdup_printf (
    "qemu-img create -q -f qcow2 '%s' 1M && "
    "qemu-io -f qcow2 -c 'write -q -P 0x6e 1024 512' '%s'", image, image);
  g_assert_cmpint (system (make), ==, 0);
  g_autofree char *olds = g_strnfill (512, 'o');
  g_autofree char *old = g_build_filename (dir, "disk0.old", NULL);
  g_assert_true (g_file_set_contents (old, olds, 512, NULL));
  g_autofree char *old_sha = sha_of_fill ('o', 512);
  g_autofree char *new_sha = sha_of_fill ('n', 512);
  g_autofree char *path = g_build_filename (dir, "journal.json", NULL);
  for (guint i = 0; i < 3; i++) {
    /* no layers; a file the image does not have; the true layers */
    g_autofree char *l =
      i == 0 ? g_strdup ("")
      : g_strdup_printf (",\"layers\":[{\"path\":\"%s\",\"format\":\"qcow2\","
                         "\"files\":[\"%s\"%s%s%s]}]", image, image,
                         i == 1 ? ",\"" : "", i == 1 ? image : "", i == 1 ? ".x\"" : "");
    g_autofree char *json = g_strdup_printf (
      "{\"version\":1,\"guest\":\"g\",\"state\":\"committed\",\"disks\":[{"
      "\"path\":\"%s\",\"format\":\"qcow2\",\"overlay\":\"%s/disk0.qcow2\","
      "\"old_file\":\"%s\"%s,\"ranges\":[{\"offset\":1024,\"length\":512,"
      "\"old_sha256\":\"%s\",\"new_sha256\":\"%s\"}]}]}",
      image, dir, old, l, old_sha, new_sha);
    g_assert_true (g_file_set_contents (path, json, -1, NULL));
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixJournal) j = bootfix_journal_load (dir, &error);
    if (i == 0) { /* no layers */
      g_assert_null (j);
      continue;
    }
    g_assert_no_error (error);
    gboolean ok = bootfix_journal_undo (j, FALSE, &error);
    if (i == 1) { /* a file the image does not have */
      g_assert_false (ok);
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
      continue;
    }
    g_assert_no_error (error);
    g_assert_true (ok);
  }
  BootfixRange r = { 1024, 512 };
  g_autoptr (GBytes) now = bootfix_image_read (image, "qcow2", &r, NULL);
  g_assert_nonnull (now);
  g_assert_cmpmem (g_bytes_get_data (now, NULL), 512, olds, 512);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/journal/undo/committed", Fixture, NULL, fixture_setup,
              test_undo_committed, fixture_teardown);
  g_test_add ("/journal/undo/refuses-changed-disk", Fixture, NULL, fixture_setup,
              test_undo_refuses_changed_disk, fixture_teardown);
  g_test_add ("/journal/undo/committing", Fixture, NULL, fixture_setup,
              test_undo_committing, fixture_teardown);
  g_test_add ("/journal/undo/prepared", Fixture, NULL, fixture_setup,
              test_undo_prepared, fixture_teardown);
  g_test_add ("/journal/undo/short-old-file", Fixture, NULL, fixture_setup,
              test_undo_short_old_file, fixture_teardown);
  g_test_add_func ("/journal/load/bad", test_bad_journals);
  g_test_add_func ("/journal/undo/qcow2", test_undo_qcow2);
  g_test_add_func ("/journal/create/removes-abandoned", test_abandoned_folders);
  g_test_add_func ("/journal/create/makes-folder", test_create_makes_folder);
  for (guint i = 0; i < G_N_ELEMENTS (folder_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/journal/load/folder/%s",
                                             folder_cases[i].name);
    g_test_add_data_func (path, &folder_cases[i], test_load_from_folder);
  }
  g_test_add_func ("/journal/load/folder/lists", test_load_from_folder_lists);
  return g_test_run ();
}
