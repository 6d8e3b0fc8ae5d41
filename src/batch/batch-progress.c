/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a batch shows: the bar, one line per finished guest, the table
 * at the end.  Guest names and messages are guest text (shown through
 * bootfix_append_guest_text_as) and may be Japanese, so widths are
 * counted in terminal columns, not bytes, and text is cut only between
 * characters. */
#include "config.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "batch-progress.h"

/* The bar's brackets and at least this many cells, or no bar. */
#define BAR_MIN_CELLS 5
#define BAR_MAX_CELLS 30
/* The summary's guest column is cut beyond this. */
#define NAME_MAX_COLUMNS 32
/* The summary's width when it does not go to a terminal. */
#define SUMMARY_COLUMNS 100
#define MESSAGE_MIN_COLUMNS 20

void
bootfix_batch_counts_add (BootfixBatchCounts *c, BootfixStatus s)
{
  c->done++;
  switch (s) {
  case BOOTFIX_STATUS_FIXED: c->fixed++; break;
  case BOOTFIX_STATUS_UNCHANGED: c->unchanged++; break;
  case BOOTFIX_STATUS_WOULD_FIX: c->would_fix++; break;
  case BOOTFIX_STATUS_REFUSED: c->refused++; break;
  case BOOTFIX_STATUS_ERROR: c->errors++; break;
  }
}

/* ---- display width ---- */

static guint
char_width (gunichar ch)
{
  if (g_unichar_iszerowidth (ch))
    return 0;
  return g_unichar_iswide (ch) ? 2 : 1;
}

/* The length of the character at p (not at the end) and its width; a
 * byte that is not UTF-8 counts as one narrow character, so text not
 * shown first is measured without reading past its end. */
static gsize
next_char (const char *p, guint *width)
{
  gsize left = strnlen (p, 6);
  gunichar ch = g_utf8_get_char_validated (p, (gssize) left);
  if (ch == (gunichar) -1 || ch == (gunichar) -2) {
    *width = 1;
    return 1;
  }
  *width = char_width (ch);
  return (gsize) g_utf8_skip[*(const guchar *) p];
}

guint
bootfix_batch_text_width (const char *s)
{
  guint w = 0, cw;
  for (const char *p = s; *p;) {
    p += next_char (p, &cw);
    w += cw;
  }
  return w;
}

/* Appends the longest head of s at most max columns wide; returns its
 * width.  Zero-width marks stay with the character before them. */
static guint
append_head (GString *out, const char *s, guint max)
{
  guint w = 0, cw;
  for (const char *p = s; *p;) {
    gsize n = next_char (p, &cw);
    if (w + cw > max)
      break;
    g_string_append_len (out, p, (gssize) n);
    w += cw;
    p += n;
  }
  return w;
}

/* s whole if it fits in max columns, else its head and "..." (plain
 * dots: "…" is two columns wide on some terminals). */
static guint
append_fitted (GString *out, const char *s, guint max)
{
  if (bootfix_batch_text_width (s) <= max)
    return append_head (out, s, max);
  if (max < 3)
    return append_head (out, s, max);
  guint w = append_head (out, s, max - 3);
  g_string_append (out, "...");
  return w + 3;
}

char *
bootfix_batch_text_fit (const char *text, guint columns)
{
  GString *out = g_string_new (NULL);
  append_fitted (out, text, columns);
  return g_string_free (out, FALSE);
}

static void
append_spaces (GString *out, guint n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

/* Guest text as it may reach a terminal. */
static char *
shown (const char *guest_text)
{
  GString *s = g_string_new (NULL);
  if (guest_text)
    bootfix_append_guest_text_as (s, guest_text, BOOTFIX_GUEST_TEXT_HEX);
  return g_string_free (s, FALSE);
}

/* ---- words and durations ---- */

static const char *
status_word (BootfixStatus s)
{
  switch (s) {
  case BOOTFIX_STATUS_FIXED: return _("fixed");
  case BOOTFIX_STATUS_UNCHANGED: return _("unchanged");
  case BOOTFIX_STATUS_WOULD_FIX: return _("would fix");
  case BOOTFIX_STATUS_REFUSED: return _("refused");
  case BOOTFIX_STATUS_ERROR: return _("error");
  }
  return _("error");
}

/* "42s", "4m10s", "1h02m". */
static char *
duration_text (double seconds)
{
  /* Far beyond any batch; also catches NaN. */
  if (!(seconds >= 0))
    seconds = 0;
  guint64 s = (guint64) MIN (seconds + 0.5, 99999.0 * 3600);
  if (s < 60)
    /* TRANSLATORS: a duration in seconds, as in "ETA 42s". */
    return g_strdup_printf (_("%us"), (guint) s);
  if (s < 3600)
    /* TRANSLATORS: minutes and seconds, as in "ETA 4m10s". */
    return g_strdup_printf (_("%um%02us"), (guint) (s / 60), (guint) (s % 60));
  /* TRANSLATORS: hours and minutes, as in "ETA 1h02m". */
  return g_strdup_printf (_("%uh%02um"), (guint) (s / 3600),
                          (guint) (s / 60 % 60));
}

/* ---- the bar ---- */

/* "12/50  fixed 8  unchanged 2  refused 1  errors 1  3.2/min  ETA 4m10s" */
static char *
counts_text (const BootfixBatchCounts *c)
{
  GString *out = g_string_new (NULL);
  g_string_append_printf (out, "%u/%u  ", c->done, c->total);
  g_string_append_printf (out, _("fixed %u"), c->fixed);
  g_string_append (out, "  ");
  g_string_append_printf (out, _("unchanged %u"), c->unchanged);
  g_string_append (out, "  ");
  if (c->would_fix > 0) {
    g_string_append_printf (out, _("would fix %u"), c->would_fix);
    g_string_append (out, "  ");
  }
  g_string_append_printf (out, _("refused %u"), c->refused);
  g_string_append (out, "  ");
  g_string_append_printf (out, _("errors %u"), c->errors);
  g_string_append (out, "  ");
  if (c->done == 0 || !(c->elapsed > 0)) {
    /* TRANSLATORS: no estimate of the time left yet. */
    g_string_append (out, _("ETA --"));
    return g_string_free (out, FALSE);
  }
  double per_second = c->done / c->elapsed;
  guint left = c->total > c->done ? c->total - c->done : 0;
  g_autofree char *eta = duration_text (left / per_second);
  /* TRANSLATORS: guests finished per minute. */
  g_string_append_printf (out, _("%.1f/min"), per_second * 60);
  g_string_append (out, "  ");
  /* TRANSLATORS: the estimated time left, as in "ETA 4m10s". */
  g_string_append_printf (out, _("ETA %s"), eta);
  return g_string_free (out, FALSE);
}

/* "[#####-----]", cells wide inside the brackets. */
static void
append_bar (GString *out, const BootfixBatchCounts *c, guint cells)
{
  guint filled = c->total == 0 ? 0
    : (guint) ((guint64) MIN (c->done, c->total) * cells / c->total);
  g_string_append_c (out, '[');
  for (guint i = 0; i < cells; i++)
    g_string_append_c (out, i < filled ? '#' : '-');
  g_string_append_c (out, ']');
}

char *
bootfix_batch_progress_bar (const BootfixBatchCounts *c, guint columns)
{
  g_autofree char *counts = counts_text (c);
  guint counts_width = bootfix_batch_text_width (counts);
  GString *out = g_string_new (NULL);
  guint used = 0;

  /* The counts matter more than the bar: the bar only where both fit. */
  if (counts_width + 1 + BAR_MIN_CELLS + 2 <= columns) {
    guint cells = MIN (columns - counts_width - 1 - 2, BAR_MAX_CELLS);
    append_bar (out, c, cells);
    g_string_append_c (out, ' ');
    used = cells + 3;
  }
  append_fitted (out, counts, columns - used);
  return g_string_free (out, FALSE);
}

/* ---- a finished guest ---- */

static char *
changes_text (guint n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change",
                                       "%u changes", n), n);
}

char *
bootfix_batch_progress_line (const BootfixBatchCounts *c,
                             const BootfixGuestReport *r)
{
  g_autofree char *name = shown (r->name);
  g_autofree char *changes = changes_text (r->changes->len);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "[%u/%u] %s: %s, %s, ", c->done, c->total,
                          name, status_word (r->status), changes);
  /* TRANSLATORS: seconds a guest took, as in "14.2 s". */
  g_string_append_printf (out, _("%.1f s"), r->seconds);
  if ((r->status == BOOTFIX_STATUS_ERROR ||
       r->status == BOOTFIX_STATUS_REFUSED) && r->messages->len > 0) {
    g_autofree char *msg = shown (g_ptr_array_index (r->messages, 0));
    g_string_append_printf (out, ": %s", msg);
  }
  return g_string_free (out, FALSE);
}

/* ---- the summary ---- */

enum { COL_NAME, COL_STATUS, COL_CHANGES, COL_SECONDS, COL_MESSAGE, N_COLS };

/* One row's cells, shown and (the name) cut. */
static GStrv
row_cells (const BootfixGuestReport *r)
{
  g_autofree char *name = shown (r->name);
  GString *cut = g_string_new (NULL);
  append_fitted (cut, name, NAME_MAX_COLUMNS);
  char **cells = g_new0 (char *, N_COLS + 1);
  cells[COL_NAME] = g_string_free (cut, FALSE);
  cells[COL_STATUS] = g_strdup (status_word (r->status));
  cells[COL_CHANGES] = g_strdup_printf ("%u", r->changes->len);
  cells[COL_SECONDS] = g_strdup_printf ("%.1f", r->seconds);
  cells[COL_MESSAGE] = shown (r->messages->len > 0
                              ? g_ptr_array_index (r->messages, 0) : "");
  return cells;
}

static GStrv
header_cells (void)
{
  char **cells = g_new0 (char *, N_COLS + 1);
  cells[COL_NAME] = g_strdup (_("GUEST"));
  cells[COL_STATUS] = g_strdup (_("STATUS"));
  cells[COL_CHANGES] = g_strdup (_("CHANGES"));
  cells[COL_SECONDS] = g_strdup (_("SECONDS"));
  cells[COL_MESSAGE] = g_strdup (_("MESSAGE"));
  return cells;
}

static guint
summary_columns (FILE *fp)
{
  struct winsize ws;
  int fd = fileno (fp);
  if (fd >= 0 && isatty (fd) && ioctl (fd, TIOCGWINSZ, &ws) == 0 &&
      ws.ws_col > 0)
    return ws.ws_col;
  return SUMMARY_COLUMNS;
}

/* Columns padded to widths[] (numbers to the right), the message cut
 * to what is left of the line; no trailing blanks. */
static void
print_row (FILE *fp, GStrv cells, const guint *widths, guint message_width)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < COL_MESSAGE; i++) {
    guint pad = widths[i] - bootfix_batch_text_width (cells[i]);
    gboolean right = i == COL_CHANGES || i == COL_SECONDS;
    if (right)
      append_spaces (out, pad);
    g_string_append (out, cells[i]);
    if (!right)
      append_spaces (out, pad);
    g_string_append (out, "  ");
  }
  append_fitted (out, cells[COL_MESSAGE], message_width);
  g_strchomp (out->str);
  fprintf (fp, "%s\n", out->str);
  g_string_free (out, TRUE);
}

static void
print_totals (GPtrArray *reports, FILE *fp)
{
  BootfixBatchCounts c = { 0 };
  for (guint i = 0; i < reports->len; i++) {
    const BootfixGuestReport *r = g_ptr_array_index (reports, i);
    bootfix_batch_counts_add (&c, r->status);
  }
  fprintf (fp, g_dngettext (GETTEXT_PACKAGE, "%u guest:", "%u guests:", c.done),
           c.done);
  fprintf (fp, _(" %u fixed, %u unchanged, %u would fix, %u refused, "
                 "%u errors\n"),
           c.fixed, c.unchanged, c.would_fix, c.refused, c.errors);
}

void
bootfix_batch_summary_print (GPtrArray *reports, FILE *fp)
{
  g_autoptr (GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint widths[N_COLS] = { 0 };

  g_ptr_array_add (rows, header_cells ());
  for (guint i = 0; i < reports->len; i++)
    g_ptr_array_add (rows, row_cells (g_ptr_array_index (reports, i)));
  for (guint i = 0; i < rows->len; i++) {
    GStrv cells = g_ptr_array_index (rows, i);
    for (guint col = 0; col < N_COLS; col++)
      widths[col] = MAX (widths[col], bootfix_batch_text_width (cells[col]));
  }
  guint before_message = 0;
  for (guint col = 0; col < COL_MESSAGE; col++)
    before_message += widths[col] + 2;
  guint columns = summary_columns (fp);
  guint message_width = columns > before_message + MESSAGE_MIN_COLUMNS
    ? columns - before_message : MESSAGE_MIN_COLUMNS;
  for (guint i = 0; i < rows->len; i++)
    print_row (fp, g_ptr_array_index (rows, i), widths, message_width);
  print_totals (reports, fp);
}
