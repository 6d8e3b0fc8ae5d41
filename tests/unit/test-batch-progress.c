/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a batch shows (batch-progress.c): counts, the bar within its
 * columns, the line per guest, and the summary table aligned by display
 * width with Japanese guest names. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "plan.h"
#include "batch-progress.h"

#define JA_NAME "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xb2" \
  "\xe3\x82\xb9\xe3\x83\x88"   /* 日本語のゲスト: 7 characters, 14 columns */
#define COMBINING "e\xcc\x81"  /* e + U+0301: one column */

static void
test_counts (void)
{
  static const BootfixStatus order[] = {
    BOOTFIX_STATUS_FIXED, BOOTFIX_STATUS_FIXED, BOOTFIX_STATUS_UNCHANGED,
    BOOTFIX_STATUS_WOULD_FIX, BOOTFIX_STATUS_REFUSED, BOOTFIX_STATUS_ERROR,
    BOOTFIX_STATUS_ERROR, BOOTFIX_STATUS_ERROR,
  };
  BootfixBatchCounts c = { .total = 10 };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    bootfix_batch_counts_add (&c, order[i]);
  g_assert_cmpuint (c.done, ==, 8);
  g_assert_cmpuint (c.fixed, ==, 2);
  g_assert_cmpuint (c.unchanged, ==, 1);
  g_assert_cmpuint (c.would_fix, ==, 1);
  g_assert_cmpuint (c.refused, ==, 1);
  g_assert_cmpuint (c.errors, ==, 3);
}

static void
test_width (void)
{
  static const struct { const char *text; guint width; } table[] = {
    { "", 0 }, { "win7", 4 }, { JA_NAME, 14 }, { COMBINING, 1 },
    { "\xef\xbc\xa1", 2 },   /* fullwidth A */
    { "a\xe6\x97", 3 },      /* cut UTF-8: each byte one column */
  };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    g_assert_cmpuint (bootfix_batch_text_width (table[i].text), ==, table[i].width);
}

/* Cut text is never wider than asked, ends between characters and
 * keeps a combining mark with its letter. */
static void
test_fit (void)
{
  static const char *const texts[] = {
    JA_NAME, "win7-" JA_NAME "-" COMBINING COMBINING "x", "plain ascii name",
  };
  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (guint cols = 0; cols < 30; cols++) {
      g_autofree char *fit = bootfix_batch_text_fit (texts[t], cols);
      g_assert_cmpuint (bootfix_batch_text_width (fit), <=, cols);
      g_assert_true (g_utf8_validate (fit, -1, NULL));
      if (bootfix_batch_text_width (texts[t]) <= cols)
        g_assert_cmpstr (fit, ==, texts[t]);
      else if (cols >= 3)
        g_assert_true (g_str_has_suffix (fit, "..."));
    }
  g_autofree char *ja = bootfix_batch_text_fit (JA_NAME, 8);
  g_assert_cmpstr (ja, ==, "\xe6\x97\xa5\xe6\x9c\xac...");  /* 日本... */
  g_autofree char *mark = bootfix_batch_text_fit (COMBINING COMBINING "xyzw", 5);
  g_assert_cmpstr (mark, ==, COMBINING COMBINING "...");
}

static char *
bar (guint total, guint done, double elapsed, guint columns)
{
  BootfixBatchCounts c = { .total = total, .elapsed = elapsed };
  for (guint i = 0; i < done; i++)
    bootfix_batch_counts_add (&c, i % 4 == 3 ? BOOTFIX_STATUS_ERROR
                                             : BOOTFIX_STATUS_FIXED);
  return bootfix_batch_progress_bar (&c, columns);
}

static void
test_bar (void)
{
  g_autofree char *wide = bar (50, 12, 180, 120);
  g_assert_cmpstr (wide, ==, "[#######-----------------------] 12/50  fixed 9  "
                   "unchanged 0  refused 0  errors 3  4.0/min  ETA 9m30s");
  /* Narrower: the bar shrinks, then goes, then the counts are cut. */
  for (guint cols = 0; cols <= 120; cols++) {
    g_autofree char *b = bar (50, 12, 180, cols);
    g_assert_cmpuint (bootfix_batch_text_width (b), <=, cols);
    if (cols >= 80)
      g_assert_true (g_str_has_prefix (b, "["));
    if (cols >= 20)
      g_assert_nonnull (strstr (b, "12/50"));
  }
  g_autofree char *none = bar (0, 0, 0, 80);
  g_assert_true (g_str_has_prefix (none, "[-"));
}

/* Guests per minute and the time left, once a guest is done. */
static void
test_eta (void)
{
  static const struct {
    guint total, done;
    double elapsed;
    const char *tail;
  } table[] = {
    { 10, 0, 30, "errors 0  ETA --" },
    { 10, 1, 0, "ETA --" },            /* no time yet: no rate */
    { 2, 1, 42, "1.4/min  ETA 42s" },
    { 11, 1, 25, "2.4/min  ETA 4m10s" },
    { 2, 1, 3720, "0.0/min  ETA 1h02m" },
    { 3, 3, 60, "3.0/min  ETA 0s" },
    { 100000, 1, 1e9, "ETA 99999h00m" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    g_autofree char *b = bar (table[i].total, table[i].done, table[i].elapsed, 200);
    if (!g_str_has_suffix (b, table[i].tail))
      g_error ("case %u: \"%s\" does not end in \"%s\"", i, b, table[i].tail);
  }
}

static BootfixGuestReport *
guest (const char *name, BootfixStatus status, guint changes, double seconds,
       const char *message)
{
  BootfixGuestReport *r = bootfix_guest_report_new (name);
  r->status = status;
  r->seconds = seconds;
  for (guint i = 0; i < changes; i++)
    g_ptr_array_add (r->changes, bootfix_change_new ("registry", "HKLM\\X", "Start",
                                                     "3", "0", "rule"));
  if (message)
    g_ptr_array_add (r->messages, g_strdup (message));
  return r;
}

static void
test_line (void)
{
  static const struct {
    const char *name;
    BootfixStatus status;
    guint changes;
    double seconds;
    const char *message;
    const char *want;
  } table[] = {
    { "win7", BOOTFIX_STATUS_FIXED, 3, 14.24, "a warning",
      "[12/50] win7: fixed, 3 changes, 14.2 s" },
    { JA_NAME, BOOTFIX_STATUS_UNCHANGED, 1, 2, NULL,
      "[12/50] " JA_NAME ": unchanged, 1 change, 2.0 s" },
    { "bad\x1b[2J", BOOTFIX_STATUS_ERROR, 0, 0.04, "disk x.img:\nmissing",
      "[12/50] bad\\x1b[2J: error, 0 changes, 0.0 s: disk x.img:\\x0amissing" },
    { "w2k", BOOTFIX_STATUS_REFUSED, 0, 1, "no driver",
      "[12/50] w2k: refused, 0 changes, 1.0 s: no driver" },
    { "dry", BOOTFIX_STATUS_WOULD_FIX, 2, 1, NULL,
      "[12/50] dry: would fix, 2 changes, 1.0 s" },
  };
  BootfixBatchCounts c = { .total = 50, .done = 12 };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    g_autoptr (BootfixGuestReport) r =
      guest (table[i].name, table[i].status, table[i].changes,
             table[i].seconds, table[i].message);
    g_autofree char *line = bootfix_batch_progress_line (&c, r);
    g_assert_cmpstr (line, ==, table[i].want);
  }
}

static char *
summary (GPtrArray *reports)
{
  char *text = NULL;
  size_t size = 0;
  FILE *fp = open_memstream (&text, &size);
  bootfix_batch_summary_print (reports, fp);
  fclose (fp);
  return text;
}

/* Display column where needle starts in line. */
static guint
column_of (const char *line, const char *needle)
{
  const char *at = strstr (line, needle);
  g_assert_nonnull (at);
  g_autofree char *head = g_strndup (line, at - line);
  return bootfix_batch_text_width (head);
}

static void
test_summary (void)
{
  g_autofree char *long_message = g_strnfill (300, 'm');
  g_autoptr (GPtrArray) all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_report_free);
  g_ptr_array_add (all, guest ("win7", BOOTFIX_STATUS_FIXED, 3, 14.2, "M1 ok"));
  g_ptr_array_add (all, guest (JA_NAME, BOOTFIX_STATUS_UNCHANGED, 0, 2, "M2 \xe6\x97\xa5"));
  g_ptr_array_add (all, guest ("x" COMBINING, BOOTFIX_STATUS_REFUSED, 0, 0.3, "M3 no"));
  g_ptr_array_add (all, guest ("bad\x1b[2J", BOOTFIX_STATUS_ERROR, 12, 123.4,
                               long_message));
  g_autofree char *very_long = g_strconcat (JA_NAME JA_NAME JA_NAME, "-end", NULL);
  g_ptr_array_add (all, guest (very_long, BOOTFIX_STATUS_FIXED, 1, 1, "M5"));
  g_autofree char *text = summary (all);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);  /* header, 5, totals, "" */

  static const char *const messages[] = { "MESSAGE", "M1", "M2", "M3", "mmm", "M5" };
  guint message_col = column_of (lines[0], "MESSAGE");
  guint status_col = column_of (lines[0], "STATUS");
  for (guint i = 0; i < 6; i++) {
    g_assert_cmpuint (bootfix_batch_text_width (lines[i]), <=, 100);
    g_assert_cmpuint (column_of (lines[i], messages[i]), ==, message_col);
    g_assert_false (g_str_has_suffix (lines[i], " "));
  }
  g_assert_cmpuint (column_of (lines[1], "fixed"), ==, status_col);
  g_assert_cmpuint (column_of (lines[2], "unchanged"), ==, status_col);
  g_assert_cmpuint (column_of (lines[3], "refused"), ==, status_col);
  /* Numbers to the right: the seconds end where the header does. */
  guint seconds_end = column_of (lines[0], "SECONDS") + 7;
  g_assert_cmpuint (column_of (lines[4], "123.4") + 5, ==, seconds_end);
  g_assert_cmpuint (column_of (lines[1], "14.2") + 4, ==, seconds_end);
  /* Guest text shown, long text cut. */
  g_assert_nonnull (strstr (lines[4], "bad\\x1b[2J"));
  g_assert_true (g_str_has_suffix (lines[4], "m..."));
  g_assert_nonnull (strstr (lines[5], "..."));
  g_assert_null (strstr (lines[5], "-end"));
  g_assert_cmpstr (lines[6], ==,
                   "5 guests: 2 fixed, 1 unchanged, 0 would fix, 1 refused, 1 errors");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-progress/counts", test_counts);
  g_test_add_func ("/batch-progress/width", test_width);
  g_test_add_func ("/batch-progress/fit", test_fit);
  g_test_add_func ("/batch-progress/bar", test_bar);
  g_test_add_func ("/batch-progress/eta", test_eta);
  g_test_add_func ("/batch-progress/line", test_line);
  g_test_add_func ("/batch-progress/summary", test_summary);
  return g_test_run ();
}
