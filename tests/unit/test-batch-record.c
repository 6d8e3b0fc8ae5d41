/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --jsonl and --resume (batch-record.c, batch-resume.c): records are
 * one line each and survive a torn line; a guest counts as done only
 * while its last record says fixed or unchanged and its files are the
 * ones recorded. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "batch-record.h"

typedef struct {
  char *dir;
  char *domain;             /* dir/guest.xml */
  char *disks[3];           /* dir/a.img, dir/b.img, NULL */
  BootfixBatchEntry entry;
} Fixture;

static char *
in_dir (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* A fixed mtime, so that "touched" is a real difference. */
static void
set_mtime (const char *path, time_t sec, long nsec)
{
  struct timespec times[2] = { { sec, nsec }, { sec, nsec } };
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer unused)
{
  f->dir = g_dir_make_tmp ("batch-record-XXXXXX", NULL);
  f->domain = in_dir (f, "guest.xml");
  f->disks[0] = in_dir (f, "a.img");
  f->disks[1] = in_dir (f, "b.img");
  g_assert_true (g_file_set_contents (f->domain, "<domain/>", -1, NULL));
  g_assert_true (g_file_set_contents (f->disks[0], "disk a", -1, NULL));
  g_assert_true (g_file_set_contents (f->disks[1], "disk b", -1, NULL));
  for (guint i = 0; i < 2; i++)
    set_mtime (f->disks[i], 1700000000, 123456789);
  f->entry.entry = (char *) "guest.xml";
  f->entry.path = f->domain;
  f->entry.line = 1;
}

static void
fixture_teardown (Fixture *f, gconstpointer unused)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name (d)) != NULL;) {
    g_autofree char *path = in_dir (f, name);
    g_unlink (path);
  }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->domain);
  g_free (f->disks[0]);
  g_free (f->disks[1]);
}

static const char *const *
disks_of (Fixture *f)
{
  return (const char *const *) f->disks;
}

static BootfixGuestReport *
report (BootfixStatus status)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("win7 \xe6\x97\xa5\nx");
  r->status = status;
  g_ptr_array_add (r->disks, g_strdup ("a.img"));
  g_ptr_array_add (r->messages, g_strdup ("two\nlines"));
  r->seconds = 2.5;
  return r;
}

/* One record as its JSONL line (with the LF). */
static char *
record_line (Fixture *f, BootfixStatus status)
{
  g_autoptr (BootfixGuestReport) r = report (status);
  g_autoptr (JsonNode) rec = bootfix_batch_record_new (r, &f->entry, disks_of (f));
  g_autofree char *json = json_to_string (rec, FALSE);
  return g_strconcat (json, "\n", NULL);
}

static gboolean
done_after (Fixture *f, const char *text, guint *skipped)
{
  g_autoptr (BootfixResume) r = bootfix_resume_parse (text, strlen (text), skipped);
  return bootfix_resume_is_done (r, &f->entry, disks_of (f));
}

/* The record is the --json object plus "batch", and reads back as a
 * report. */
static void
test_record (Fixture *f, gconstpointer unused)
{
  g_autoptr (BootfixGuestReport) r = report (BOOTFIX_STATUS_FIXED);
  g_autoptr (JsonNode) rec = bootfix_batch_record_new (r, &f->entry, disks_of (f));
  JsonObject *o = json_node_get_object (rec);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "fixed");
  JsonObject *batch = json_object_get_object_member (o, "batch");
  g_assert_cmpint (json_object_get_int_member (batch, "format"), ==,
                   BOOTFIX_REPORT_FORMAT);
  g_assert_cmpstr (json_object_get_string_member (batch, "domain_file"), ==, f->domain);
  g_assert_cmpstr (json_object_get_string_member (batch, "entry"), ==, "guest.xml");
  JsonObject *id = json_object_get_object_member (batch, "identity");
  JsonArray *disks = json_object_get_array_member (id, "disks");
  g_assert_cmpuint (json_array_get_length (disks), ==, 2);
  JsonObject *a = json_array_get_object_element (disks, 0);
  g_assert_cmpstr (json_object_get_string_member (a, "path"), ==, f->disks[0]);
  g_assert_cmpint (json_object_get_int_member (a, "size"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (a, "mtime_ns"), ==,
                   G_GINT64_CONSTANT (1700000000123456789));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixGuestReport) back = bootfix_report_guest_from_json (rec, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, r->name);
}

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
append (BootfixJsonl *w, Fixture *f, BootfixStatus status)
{
  g_autoptr (BootfixGuestReport) r = report (status);
  g_autoptr (JsonNode) rec = bootfix_batch_record_new (r, &f->entry, disks_of (f));
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_jsonl_append (w, rec, &error));
  g_assert_no_error (error);
}

/* Records append as lines (newlines in guest text escaped), across
 * reopenings; resume reads the file back. */
static void
test_jsonl (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = in_dir (f, "out.jsonl");
  g_autoptr (GError) error = NULL;
  BootfixJsonl *w = bootfix_jsonl_open (path, &error);
  g_assert_no_error (error);
  append (w, f, BOOTFIX_STATUS_ERROR);
  append (w, f, BOOTFIX_STATUS_REFUSED);
  bootfix_jsonl_close (w);
  w = bootfix_jsonl_open (path, &error);
  g_assert_no_error (error);
  append (w, f, BOOTFIX_STATUS_FIXED);
  bootfix_jsonl_close (w);

  g_autofree char *text = read_text (path);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");
  for (guint i = 0; i < 3; i++) {
    g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
    g_assert_nonnull (node);
  }
  struct stat st;
  mode_t mask = umask (0);
  umask (mask);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644 & ~mask);

  g_autoptr (BootfixResume) r = bootfix_resume_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bootfix_resume_skipped (r), ==, 0);
  g_assert_true (bootfix_resume_is_done (r, &f->entry, disks_of (f)));
}

/* A crash tore the last line: the next record still gets a line of
 * its own, the torn one is skipped, the one before it stands. */
static void
test_torn (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = in_dir (f, "out.jsonl");
  g_autofree char *fixed = record_line (f, BOOTFIX_STATUS_FIXED);
  g_autofree char *error_line = record_line (f, BOOTFIX_STATUS_ERROR);
  /* Half of an error record, as a crash leaves it. */
  g_autofree char *half = g_strndup (error_line, strlen (error_line) / 2);
  g_autofree char *crashed = g_strconcat (fixed, half, NULL);
  guint skipped = 99;
  g_assert_true (done_after (f, crashed, &skipped));
  g_assert_cmpuint (skipped, ==, 1);

  g_assert_true (g_file_set_contents (path, crashed, -1, NULL));
  g_autoptr (GError) error = NULL;
  BootfixJsonl *w = bootfix_jsonl_open (path, &error);
  g_assert_no_error (error);
  append (w, f, BOOTFIX_STATUS_UNCHANGED);
  bootfix_jsonl_close (w);
  g_autofree char *after = read_text (path);
  g_autofree char *want_tail = g_strconcat (half, "\n{", NULL);
  g_assert_nonnull (strstr (after, want_tail));
  g_autoptr (BootfixResume) r = bootfix_resume_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bootfix_resume_skipped (r), ==, 1);
  g_assert_true (bootfix_resume_is_done (r, &f->entry, disks_of (f)));
  /* A last record complete but for its LF counts. */
  g_autofree char *no_lf = g_strndup (error_line, strlen (error_line) - 1);
  g_autofree char *ends_early = g_strconcat (fixed, no_lf, NULL);
  g_assert_false (done_after (f, ends_early, NULL));
}

/* The status decides, and the last record of a domain file wins. */
static void
test_status (Fixture *f, gconstpointer unused)
{
  static const struct { BootfixStatus status; gboolean done; } table[] = {
    { BOOTFIX_STATUS_FIXED, TRUE }, { BOOTFIX_STATUS_UNCHANGED, TRUE },
    { BOOTFIX_STATUS_WOULD_FIX, FALSE }, { BOOTFIX_STATUS_REFUSED, FALSE },
    { BOOTFIX_STATUS_ERROR, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    g_autofree char *line = record_line (f, table[i].status);
    g_assert_cmpint (done_after (f, line, NULL), ==, table[i].done);
  }
  g_autofree char *fixed = record_line (f, BOOTFIX_STATUS_FIXED);
  g_autofree char *error = record_line (f, BOOTFIX_STATUS_ERROR);
  g_autofree char *fixed_then_error = g_strconcat (fixed, error, NULL);
  g_autofree char *error_then_fixed = g_strconcat (error, "\n\n", fixed, NULL);
  g_assert_false (done_after (f, fixed_then_error, NULL));
  guint skipped = 99;
  g_assert_true (done_after (f, error_then_fixed, &skipped));
  g_assert_cmpuint (skipped, ==, 0);  /* blank lines are not counted */
  /* Another guest's record says nothing about this one. */
  BootfixBatchEntry other = { .entry = (char *) "x.xml", .path = (char *) "/x.xml" };
  g_autoptr (BootfixResume) r = bootfix_resume_parse (fixed, strlen (fixed), NULL);
  g_assert_false (bootfix_resume_is_done (r, &other, disks_of (f)));
  g_assert_false (bootfix_resume_is_done (NULL, &f->entry, disks_of (f)));
}

typedef void (*Change) (Fixture *f);

static void
touch_disk (Fixture *f)
{
  set_mtime (f->disks[1], 1700000000, 123456790);
}

static void
grow_disk (Fixture *f)
{
  int fd = open (f->disks[0], O_WRONLY | O_APPEND);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);
  set_mtime (f->disks[0], 1700000000, 123456789);
}

/* The backup restored again: same bytes, same mtime, a new inode. */
static void
restore_disk (Fixture *f)
{
  g_autofree char *copy = in_dir (f, "a.img.new");
  g_assert_true (g_file_set_contents (copy, "disk a", -1, NULL));
  set_mtime (copy, 1700000000, 123456789);
  g_assert_cmpint (g_rename (copy, f->disks[0]), ==, 0);
}

static void
touch_domain (Fixture *f)
{
  set_mtime (f->domain, 1600000000, 0);
}

static void
drop_disk (Fixture *f)
{
  g_clear_pointer (&f->disks[1], g_free);
}

static void
swap_disks (Fixture *f)
{
  char *t = f->disks[0];
  f->disks[0] = f->disks[1];
  f->disks[1] = t;
}

static void
remove_disk (Fixture *f)
{
  g_unlink (f->disks[1]);
}

/* Any change to the domain file or a disk after the record: not done. */
static void
test_identity (Fixture *f, gconstpointer unused)
{
  static const Change changes[] = {
    touch_disk, grow_disk, restore_disk, touch_domain, drop_disk, swap_disks,
    remove_disk,
  };
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++) {
    Fixture g = { 0 };
    fixture_setup (&g, NULL);
    g_autofree char *line = record_line (&g, BOOTFIX_STATUS_FIXED);
    g_assert_true (done_after (&g, line, NULL));
    changes[i] (&g);
    if (done_after (&g, line, NULL))
      g_error ("change %u: still done", i);
    fixture_teardown (&g, NULL);
  }
}

/* A disk missing when the record was written never matches. */
static void
test_missing_at_record (Fixture *f, gconstpointer unused)
{
  g_unlink (f->disks[1]);
  g_autofree char *line = record_line (f, BOOTFIX_STATUS_FIXED);
  g_assert_false (done_after (f, line, NULL));
  g_assert_true (g_file_set_contents (f->disks[1], "disk b", -1, NULL));
  g_assert_false (done_after (f, line, NULL));
}

/* Lines that are not records are skipped and counted; the records
 * among them still count. */
static void
test_hostile_lines (Fixture *f, gconstpointer unused)
{
  static const char *const junk[] = {
    "[]", "42", "\"fixed\"", "{}", "{\"status\": \"fixed\"}",
    "{\"status\": 1, \"batch\": {}}",
    "{\"status\": \"fixed\", \"batch\": {\"domain_file\": \"/x\"}}",
    "{\"status\": \"fixed\", \"batch\": {\"domain_file\": \"/x\", "
      "\"identity\": {\"domain_file\": {\"path\": 3}, \"disks\": []}}}",
    "{\"status\": \"fixed\", \"batch\": {\"domain_file\": \"/x\", "
      "\"identity\": {\"domain_file\": {\"path\": \"/x\", \"size\": \"1\"}, \"disks\": []}}}",
    "/* comment */ {}", "{\"a\": \"\\u0000\"", "\xff\xfe",
  };
  g_autofree char *fixed = record_line (f, BOOTFIX_STATUS_FIXED);
  GString *text = g_string_new (fixed);
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    g_string_append_printf (text, "%s\n", junk[i]);
  /* Deep enough to overflow json-glib's recursion, and a record with a
   * NUL in the middle. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (text, '[');
  g_string_append_c (text, '\n');
  g_string_append_len (text, fixed, 10);
  g_string_append_c (text, '\0');
  g_string_append (text, fixed + 11);
  guint skipped = 0;
  g_autoptr (BootfixResume) r = bootfix_resume_parse (text->str, text->len, &skipped);
  g_assert_cmpuint (skipped, ==, G_N_ELEMENTS (junk) + 2);
  g_assert_true (bootfix_resume_is_done (r, &f->entry, disks_of (f)));
  g_string_free (text, TRUE);
}

/* Loading reads in chunks: a record longer than a chunk is whole, a
 * line past the 16 MiB cap is skipped and the next one still read. */
static void
test_load_long_lines (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = in_dir (f, "big.jsonl");
  g_autoptr (BootfixGuestReport) r = report (BOOTFIX_STATUS_UNCHANGED);
  g_ptr_array_add (r->messages, g_strnfill (300000, 'm'));
  g_autoptr (JsonNode) rec = bootfix_batch_record_new (r, &f->entry, disks_of (f));
  g_autofree char *long_record = json_to_string (rec, FALSE);
  gsize huge = ((gsize) 16 << 20) + 10;
  GString *text = g_string_sized_new (huge + 2 * strlen (long_record) + 4);
  g_string_append_c (text, '{');
  for (gsize i = 1; i < huge; i++)
    g_string_append_c (text, ' ');
  g_string_append_printf (text, "\n%s\n", long_record);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixResume) res = bootfix_resume_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bootfix_resume_skipped (res), ==, 1);
  g_assert_true (bootfix_resume_is_done (res, &f->entry, disks_of (f)));
  /* parse agrees with load. */
  guint skipped = 0;
  g_autoptr (BootfixResume) parsed = bootfix_resume_parse (text->str, text->len, &skipped);
  g_assert_cmpuint (skipped, ==, 1);
  g_assert_true (bootfix_resume_is_done (parsed, &f->entry, disks_of (f)));
  g_string_free (text, TRUE);
}

static void
test_files (Fixture *f, gconstpointer unused)
{
  /* A --resume file not there yet: nothing is done. */
  g_autofree char *missing = in_dir (f, "none.jsonl");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixResume) empty = bootfix_resume_load (missing, &error);
  g_assert_no_error (error);
  g_assert_false (bootfix_resume_is_done (empty, &f->entry, disks_of (f)));
  /* A folder cannot be read. */
  g_assert_null (bootfix_resume_load (f->dir, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, f->dir));
  g_clear_error (&error);
  /* A JSONL file in a folder that does not exist. */
  g_autofree char *nowhere = g_build_filename (f->dir, "no", "out.jsonl", NULL);
  g_assert_null (bootfix_jsonl_open (nowhere, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);
  /* A full disk: the write fails and says where. */
  if (access ("/dev/full", W_OK) != 0)
    return;
  g_autoptr (BootfixJsonl) w = bootfix_jsonl_open ("/dev/full", &error);
  g_assert_no_error (error);
  g_autoptr (BootfixGuestReport) r = report (BOOTFIX_STATUS_FIXED);
  g_autoptr (JsonNode) rec = bootfix_batch_record_new (r, &f->entry, disks_of (f));
  g_assert_false (bootfix_jsonl_append (w, rec, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/dev/full"));
}

#define ADD(name, fn) \
  g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/batch-record/record", test_record);
  ADD ("/batch-record/jsonl", test_jsonl);
  ADD ("/batch-record/torn", test_torn);
  ADD ("/batch-record/resume/status", test_status);
  ADD ("/batch-record/resume/identity", test_identity);
  ADD ("/batch-record/resume/missing-at-record", test_missing_at_record);
  ADD ("/batch-record/resume/hostile-lines", test_hostile_lines);
  ADD ("/batch-record/resume/long-lines", test_load_long_lines);
  ADD ("/batch-record/files", test_files);
  return g_test_run ();
}
