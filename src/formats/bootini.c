/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* boot.ini (XP / 2003) and ARC paths: docs/boot-formats.md, "boot.ini
 * and ARC paths"
 * (Microsoft KB 102873).  The file comes from the guest: its size and
 * line count are capped, every byte is read through bytes.h, and a
 * rewrite copies everything it does not mean to change byte for byte. */
#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootini.h"
#include "bootfix-error.h"
#include "bytes.h"

/* "partition(0001)" is still partition 1; more digits is garbage. */
#define MAX_ARC_DECIMAL_DIGITS 9
#define MAX_ARC_HEX_DIGITS 8
/* adapter-or-signature, disk, rdisk, partition */
#define N_ARC_NUMBERS 4
/* How much of a hostile line an error message quotes. */
#define MAX_QUOTED 80

typedef enum {
  SECTION_NONE,
  SECTION_BOOT_LOADER,
  SECTION_OPERATING_SYSTEMS,
  SECTION_OTHER,
} Section;

/* [start, end) in the file. */
typedef struct {
  gsize start;
  gsize end;
} Span;

typedef struct {
  BootfixArcKind kind;
  guint32 value[N_ARC_NUMBERS];
  Span number[N_ARC_NUMBERS]; /* the digits of each number */
  Span device;                /* "multi(0)…partition(1)" */
  Span path;                  /* "\WINDOWS", may be empty */
} ArcTokens;

typedef enum {
  LINE_IGNORED, /* blank or ;comment */
  LINE_SECTION,
  LINE_KEY,
} LineKind;

typedef struct {
  guint number; /* 1-based */
  Span text;    /* without its LF / CR LF */
  LineKind kind;
  Section section; /* the section it is in (or opens) */
  gboolean has_eq;
  Span key;     /* trimmed: the whole line when there is no '=' */
  Span value;   /* trimmed, right of the first '=' */
  /* An ARC path we parse and may rewrite: [boot loader] default= or an
   * [operating systems] entry whose key is multi(/scsi(/signature( */
  gboolean is_arc;
  ArcTokens arc;
} Line;

typedef struct {
  const guint8 *buf;
  gsize size;
  gsize pos;
  guint line_no;
  Section section;
} Scanner;

static const char *const arc_kind_names[] = {
  [BOOTFIX_ARC_MULTI] = "multi",
  [BOOTFIX_ARC_SCSI] = "scsi",
  [BOOTFIX_ARC_SIGNATURE] = "signature",
};

/* ---- Bytes and spans ---------------------------------------------- */

/* The byte at i, or -1 past end. */
static int
byte_at (const guint8 *buf, gsize end, gsize i)
{
  guint8 b = 0;
  return bootfix_read_u8 (buf, end, i, &b) ? b : -1;
}

static gboolean
is_blank (int c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

static Span
trim (const guint8 *buf, Span sp)
{
  while (sp.start < sp.end && is_blank (byte_at (buf, sp.end, sp.start)))
    sp.start++;
  while (sp.end > sp.start && is_blank (byte_at (buf, sp.end, sp.end - 1)))
    sp.end--;
  return sp;
}

static gboolean
find_byte (const guint8 *buf, Span sp, int c, gsize *at)
{
  for (gsize i = sp.start; i < sp.end; i++) {
    if (byte_at (buf, sp.end, i) == c) {
      *at = i;
      return TRUE;
    }
  }
  return FALSE;
}

/* Does sp start with word (ASCII, any case)?  Whole span when exact. */
static gboolean
span_has_prefix (const guint8 *buf, Span sp, const char *word, gboolean exact)
{
  gsize len = strlen (word);
  if (sp.end - sp.start < len || (exact && sp.end - sp.start != len))
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    int c = byte_at (buf, sp.end, sp.start + i);
    if (c < 0 || g_ascii_tolower ((char) c) != word[i])
      return FALSE;
  }
  return TRUE;
}

/* ANSI text as UTF-8: kept when it already is, else read as Latin-1
 * (the code page is unknown; this is for display and matching only). */
static char *
span_to_utf8 (const guint8 *buf, Span sp)
{
  g_autoptr (GString) raw = g_string_new (NULL);
  g_autoptr (GString) latin1 = g_string_new (NULL);
  for (gsize i = sp.start; i < sp.end; i++) {
    int c = byte_at (buf, sp.end, i);
    g_string_append_c (raw, (char) c);
    g_string_append_unichar (latin1, (gunichar) c);
  }
  if (g_utf8_validate (raw->str, raw->len, NULL))
    return g_string_free (g_steal_pointer (&raw), FALSE);
  return g_string_free (g_steal_pointer (&latin1), FALSE);
}

/* For error messages: escaped and truncated. */
static char *
quote_span (const guint8 *buf, Span sp)
{
  Span head = { sp.start, MIN (sp.end, sp.start + MAX_QUOTED) };
  g_autofree char *text = span_to_utf8 (buf, head);
  return g_strescape (text, NULL);
}

/* ---- ARC paths ---------------------------------------------------- */

static gboolean
match_word (const guint8 *buf, gsize end, gsize *pos, const char *word)
{
  Span sp = { *pos, end };
  if (!span_has_prefix (buf, sp, word, FALSE))
    return FALSE;
  *pos += strlen (word);
  return TRUE;
}

/* "(N)" at *pos: decimal, or hex for signature().  NULL, or why not. */
static const char *
parse_arc_number (const guint8 *buf, gsize end, gsize *pos, gboolean hex,
                  guint32 *value, Span *digits)
{
  guint max_digits = hex ? MAX_ARC_HEX_DIGITS : MAX_ARC_DECIMAL_DIGITS;
  guint64 v = 0;
  guint n = 0;

  if (byte_at (buf, end, (*pos)++) != '(')
    return N_("expected “(”");
  digits->start = *pos;
  for (int c; (c = byte_at (buf, end, *pos)) >= 0; (*pos)++) {
    int d = hex ? g_ascii_xdigit_value ((char) c) : g_ascii_digit_value ((char) c);
    if (d < 0)
      break;
    if (++n > max_digits)
      return N_("number too long");
    v = v * (hex ? 16 : 10) + (guint) d;
  }
  digits->end = *pos;
  if (n == 0)
    return N_("expected a number");
  if (byte_at (buf, end, (*pos)++) != ')')
    return N_("expected “)”");
  if (!hex && v > BOOTFIX_MAX_ARC_NUMBER)
    return N_("number larger than 255");
  *value = (guint32) v;
  return NULL;
}

/* Tokenise an ARC path in sp.  NULL, or what is wrong. */
static const char *
parse_arc (const guint8 *buf, Span sp, ArcTokens *t)
{
  static const char *const part_names[N_ARC_NUMBERS] = { NULL, "disk", "rdisk",
                                                         "partition" };
  static const char *const part_errors[N_ARC_NUMBERS] = {
    NULL, N_("expected “disk(”"), N_("expected “rdisk(”"), N_("expected “partition(”")
  };
  gsize pos = sp.start;
  guint k;
  const char *why;

  memset (t, 0, sizeof *t);
  for (k = 0; k < G_N_ELEMENTS (arc_kind_names); k++) {
    if (match_word (buf, sp.end, &pos, arc_kind_names[k]))
      break;
  }
  if (k == G_N_ELEMENTS (arc_kind_names))
    return N_("expected “multi(”, “scsi(” or “signature(”");
  t->kind = (BootfixArcKind) k;
  for (guint i = 0; i < N_ARC_NUMBERS; i++) {
    if (i > 0 && !match_word (buf, sp.end, &pos, part_names[i]))
      return part_errors[i];
    why = parse_arc_number (buf, sp.end, &pos, i == 0 && k == BOOTFIX_ARC_SIGNATURE,
                            &t->value[i], &t->number[i]);
    if (why != NULL)
      return why;
  }
  t->device = (Span) { sp.start, pos };
  t->path = (Span) { pos, sp.end };
  if (pos < sp.end && byte_at (buf, sp.end, pos) != '\\')
    return N_("expected “\\” or the end after “partition()”");
  return NULL;
}

static void
arc_tokens_to_path (const guint8 *buf, const ArcTokens *t, BootfixArcPath *arc)
{
  arc->kind = t->kind;
  arc->adapter = t->kind == BOOTFIX_ARC_SIGNATURE ? 0 : t->value[0];
  arc->signature = t->kind == BOOTFIX_ARC_SIGNATURE ? t->value[0] : 0;
  arc->disk = t->value[1];
  arc->rdisk = t->value[2];
  arc->partition = t->value[3];
  arc->path = span_to_utf8 (buf, t->path);
}

void
bootfix_arc_path_clear (BootfixArcPath *arc)
{
  g_clear_pointer (&arc->path, g_free);
}

gboolean
bootfix_arc_path_parse (const char *text, BootfixArcPath *arc, GError **error)
{
  const guint8 *buf = (const guint8 *) text;
  Span sp = { 0, strnlen (text, BOOTFIX_MAX_BOOTINI_SIZE + 1) };
  ArcTokens t;
  const char *why;

  memset (arc, 0, sizeof *arc);
  why = sp.end > BOOTFIX_MAX_BOOTINI_SIZE ? N_("too long") : parse_arc (buf, sp, &t);
  if (why != NULL) {
    g_autofree char *quoted = quote_span (buf, (Span) { 0, MIN (sp.end, MAX_QUOTED) });
    return bootfix_guest_error (error, _("“%s” is not a valid ARC path: %s"), quoted, _(why));
  }
  arc_tokens_to_path (buf, &t, arc);
  return TRUE;
}

/* The device part only: "multi(0)disk(0)rdisk(0)partition(1)". */
static char *
arc_device_text (const BootfixArcPath *arc)
{
  g_autofree char *first = NULL;
  if (arc->kind == BOOTFIX_ARC_SIGNATURE)
    first = g_strdup_printf ("signature(%08x)", arc->signature);
  else
    first = g_strdup_printf ("%s(%u)", arc_kind_names[arc->kind], arc->adapter);
  return g_strdup_printf ("%sdisk(%u)rdisk(%u)partition(%u)", first, arc->disk,
                          arc->rdisk, arc->partition);
}

char *
bootfix_arc_path_to_string (const BootfixArcPath *arc)
{
  g_autofree char *device = arc_device_text (arc);
  return g_strconcat (device, arc->path != NULL ? arc->path : "", NULL);
}

gboolean
bootfix_arc_path_same_device (const BootfixArcPath *a, const BootfixArcPath *b)
{
  return a->kind == b->kind && a->adapter == b->adapter &&
         a->signature == b->signature && a->disk == b->disk && a->rdisk == b->rdisk &&
         a->partition == b->partition;
}

/* ---- Lines -------------------------------------------------------- */

/* Whole-file checks, then position after any UTF-8 BOM. */
static gboolean
scanner_init (Scanner *s, const guint8 *buf, gsize size, gboolean *bom, GError **error)
{
  memset (s, 0, sizeof *s);
  s->buf = buf;
  s->size = size;
  if (size > BOOTFIX_MAX_BOOTINI_SIZE)
    return bootfix_guest_error (error, _("boot.ini is %" "zu" " bytes, more than the "
                                 "limit of %u"),
                        size, BOOTFIX_MAX_BOOTINI_SIZE);
  /* NTLDR reads ANSI text; a UTF-16 file would need re-encoding, not a
   * byte-preserving rewrite. */
  if ((byte_at (buf, size, 0) == 0xFF && byte_at (buf, size, 1) == 0xFE) ||
      (byte_at (buf, size, 0) == 0xFE && byte_at (buf, size, 1) == 0xFF))
    return bootfix_guest_error (error, _("boot.ini is UTF-16, not ANSI text"));
  for (gsize i = 0; i < size; i++) {
    if (byte_at (buf, size, i) == 0)
      return bootfix_guest_error (error, _("boot.ini has a NUL byte at offset %" "zu"
                                   ": not a text file"),
                          i);
  }
  *bom = byte_at (buf, size, 0) == 0xEF && byte_at (buf, size, 1) == 0xBB &&
         byte_at (buf, size, 2) == 0xBF;
  s->pos = *bom ? 3 : 0;
  return TRUE;
}

/* The next line's text, without LF or CR LF.  FALSE at the end. */
static gboolean
next_line_text (Scanner *s, Span *text, gboolean *crlf)
{
  gsize i = s->pos;

  *crlf = FALSE;
  if (s->pos >= s->size)
    return FALSE;
  while (i < s->size && byte_at (s->buf, s->size, i) != '\n')
    i++;
  *text = (Span) { s->pos, i };
  if (i < s->size && i > s->pos && byte_at (s->buf, s->size, i - 1) == '\r') {
    text->end--;
    *crlf = TRUE;
  }
  s->pos = i < s->size ? i + 1 : i;
  return TRUE;
}

static Section
section_from_name (const guint8 *buf, Span name)
{
  if (span_has_prefix (buf, name, "boot loader", TRUE))
    return SECTION_BOOT_LOADER;
  if (span_has_prefix (buf, name, "operating systems", TRUE))
    return SECTION_OPERATING_SYSTEMS;
  return SECTION_OTHER;
}

static gboolean
looks_like_arc (const guint8 *buf, Span key)
{
  for (guint k = 0; k < G_N_ELEMENTS (arc_kind_names); k++) {
    g_autofree char *word = g_strconcat (arc_kind_names[k], "(", NULL);
    if (span_has_prefix (buf, key, word, FALSE))
      return TRUE;
  }
  return FALSE;
}

/* Key and value of a key line; parse its ARC path when it is one we
 * may rewrite. */
static gboolean
classify_key_line (const Scanner *s, Line *l, Span t, GError **error)
{
  gsize eq = 0;
  const char *why;
  gboolean wanted;

  l->kind = LINE_KEY;
  l->has_eq = find_byte (s->buf, t, '=', &eq);
  l->key = l->has_eq ? trim (s->buf, (Span) { t.start, eq }) : t;
  l->value = l->has_eq ? trim (s->buf, (Span) { eq + 1, t.end }) : (Span) { t.end, t.end };
  wanted = l->has_eq &&
           (l->section == SECTION_OPERATING_SYSTEMS ||
            (l->section == SECTION_BOOT_LOADER &&
             span_has_prefix (s->buf, l->key, "default", TRUE)));
  if (!wanted)
    return TRUE;
  /* default= may also name a non-ARC path ("C:\"); so may entries. */
  if (l->section == SECTION_BOOT_LOADER && !looks_like_arc (s->buf, l->value))
    return TRUE;
  if (l->section == SECTION_OPERATING_SYSTEMS && !looks_like_arc (s->buf, l->key))
    return TRUE;
  why = parse_arc (s->buf, l->section == SECTION_BOOT_LOADER ? l->value : l->key, &l->arc);
  if (why != NULL) {
    g_autofree char *quoted = quote_span (s->buf, t);
    return bootfix_guest_error (error, _("boot.ini line %u: “%s” is not a valid ARC path: %s"),
                        l->number, quoted, _(why));
  }
  l->is_arc = TRUE;
  return TRUE;
}

/* Read and classify the next line.  *done at the end of the file. */
static gboolean
scan_line (Scanner *s, Line *l, gboolean *crlf, gboolean *done, GError **error)
{
  Span t;
  gsize close = 0;

  memset (l, 0, sizeof *l);
  *done = !next_line_text (s, &l->text, crlf);
  if (*done)
    return TRUE;
  l->number = ++s->line_no;
  if (l->number > BOOTFIX_MAX_BOOTINI_LINES)
    return bootfix_guest_error (error, _("boot.ini has more than %u lines"),
                        BOOTFIX_MAX_BOOTINI_LINES);
  t = trim (s->buf, l->text);
  l->section = s->section;
  if (t.start == t.end || byte_at (s->buf, t.end, t.start) == ';')
    return TRUE;
  if (byte_at (s->buf, t.end, t.start) != '[')
    return classify_key_line (s, l, t, error);
  if (!find_byte (s->buf, t, ']', &close))
    return bootfix_guest_error (error, _("boot.ini line %u: section header without “]”"),
                        l->number);
  l->kind = LINE_SECTION;
  s->section = l->section =
    section_from_name (s->buf, trim (s->buf, (Span) { t.start + 1, close }));
  return TRUE;
}

/* ---- Parse -------------------------------------------------------- */

static void
entry_free (BootfixBootIniEntry *e)
{
  g_free (e->key);
  bootfix_arc_path_clear (&e->arc);
  g_free (e->description);
  g_free (e->switches);
  g_free (e);
}

void
bootfix_bootini_free (BootfixBootIni *ini)
{
  if (ini == NULL)
    return;
  g_free (ini->default_key);
  bootfix_arc_path_clear (&ini->default_arc);
  g_ptr_array_unref (ini->entries);
  g_ptr_array_unref (ini->warnings);
  g_free (ini);
}

static void
warn (BootfixBootIni *ini, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
warn (BootfixBootIni *ini, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_ptr_array_add (ini->warnings, g_strdup_vprintf (format, ap));
  va_end (ap);
}

/* timeout=N; NTLDR-era files have small non-negative numbers, but a
 * bad one is not worth refusing the file over. */
static void
parse_timeout (BootfixBootIni *ini, const guint8 *buf, const Line *l)
{
  g_autofree char *text = span_to_utf8 (buf, l->value);
  gint64 v = 0;

  if (g_ascii_string_to_signed (text, 10, -1, G_MAXINT32, &v, NULL)) {
    ini->has_timeout = TRUE;
    ini->timeout = v;
  } else {
    warn (ini, _("boot.ini line %u: timeout is not a number"), l->number);
  }
}

static void
parse_boot_loader_line (BootfixBootIni *ini, const guint8 *buf, const Line *l)
{
  if (!l->has_eq) {
    warn (ini, _("boot.ini line %u: no “=”, ignored"), l->number);
  } else if (span_has_prefix (buf, l->key, "timeout", TRUE)) {
    parse_timeout (ini, buf, l);
  } else if (span_has_prefix (buf, l->key, "default", TRUE)) {
    if (ini->default_key != NULL) {
      /* Which one NTLDR honours is not documented; rewrites change
       * every default= line, so either way it points at the new device. */
      warn (ini, _("boot.ini line %u: another default=; the first one is reported"),
            l->number);
      return;
    }
    ini->default_key = span_to_utf8 (buf, l->value);
    ini->default_line = l->number;
    ini->default_is_arc = l->is_arc;
    if (l->is_arc)
      arc_tokens_to_path (buf, &l->arc, &ini->default_arc);
  }
}

/* "<key>="description" /switches" */
static gboolean
parse_entry_line (BootfixBootIni *ini, const guint8 *buf, const Line *l, GError **error)
{
  BootfixBootIniEntry *e;
  Span rest = l->value;
  gsize close = 0;

  if (!l->has_eq) {
    warn (ini, _("boot.ini line %u: no “=”, ignored"), l->number);
    return TRUE;
  }
  e = g_new0 (BootfixBootIniEntry, 1);
  g_ptr_array_add (ini->entries, e);
  e->line = l->number;
  e->key = span_to_utf8 (buf, l->key);
  e->is_arc = l->is_arc;
  if (l->is_arc)
    arc_tokens_to_path (buf, &l->arc, &e->arc);
  if (byte_at (buf, rest.end, rest.start) == '"') {
    if (!find_byte (buf, (Span) { rest.start + 1, rest.end }, '"', &close))
      return bootfix_guest_error (error, _("boot.ini line %u: the description has no closing "
                                   "quote"),
                          l->number);
    e->description = span_to_utf8 (buf, (Span) { rest.start + 1, close });
    rest = trim (buf, (Span) { close + 1, rest.end });
  }
  e->switches = span_to_utf8 (buf, rest);
  return TRUE;
}

static gboolean
parse_line (BootfixBootIni *ini, const guint8 *buf, const Line *l,
            gboolean *seen_os, GError **error)
{
  if (l->kind == LINE_SECTION) {
    *seen_os |= l->section == SECTION_OPERATING_SYSTEMS;
    return TRUE;
  }
  if (l->kind != LINE_KEY)
    return TRUE;
  switch (l->section) {
  case SECTION_BOOT_LOADER:
    parse_boot_loader_line (ini, buf, l);
    return TRUE;
  case SECTION_OPERATING_SYSTEMS:
    return parse_entry_line (ini, buf, l, error);
  case SECTION_NONE:
    warn (ini, _("boot.ini line %u: text before the first section, ignored"), l->number);
    return TRUE;
  case SECTION_OTHER:
  default:
    return TRUE;
  }
}

BootfixBootIni *
bootfix_bootini_parse (const guint8 *buf, gsize size, GError **error)
{
  g_autoptr (BootfixBootIni) ini = g_new0 (BootfixBootIni, 1);
  Scanner s;
  Line l;
  gboolean done = FALSE, crlf = FALSE, seen_os = FALSE, first = TRUE;

  g_return_val_if_fail (buf != NULL || size == 0, NULL);
  ini->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  ini->warnings = g_ptr_array_new_with_free_func (g_free);
  if (!scanner_init (&s, buf, size, &ini->has_bom, error))
    return NULL;
  for (;;) {
    if (!scan_line (&s, &l, &crlf, &done, error))
      return NULL;
    if (done)
      break;
    /* The first line ending tells which convention the file uses. */
    if (first && s.pos > l.text.end) {
      ini->crlf = crlf;
      first = FALSE;
    }
    if (!parse_line (ini, buf, &l, &seen_os, error))
      return NULL;
  }
  ini->n_lines = s.line_no;
  if (!seen_os) {
    bootfix_guest_error (error, _("boot.ini has no [operating systems] section"));
    return NULL;
  }
  return g_steal_pointer (&ini);
}

/* ---- Rewrite ------------------------------------------------------ */

static void
copy_until (const guint8 *buf, gsize pos, GByteArray *out, gsize *copied)
{
  g_byte_array_append (out, buf + *copied, (guint) (pos - *copied));
  *copied = pos;
}

static void
append_text (GByteArray *out, const char *text)
{
  g_byte_array_append (out, (const guint8 *) text, (guint) strlen (text));
}

static void
arc_device_values (const BootfixArcPath *arc, guint32 v[N_ARC_NUMBERS])
{
  v[0] = arc->kind == BOOTFIX_ARC_SIGNATURE ? arc->signature : arc->adapter;
  v[1] = arc->disk;
  v[2] = arc->rdisk;
  v[3] = arc->partition;
}

static gboolean
arc_tokens_match (const ArcTokens *t, const BootfixArcPath *arc)
{
  guint32 v[N_ARC_NUMBERS];
  arc_device_values (arc, v);
  return t->kind == arc->kind && memcmp (t->value, v, sizeof v) == 0;
}

/* Replace what differs: the numbers when the kind stays, else the
 * whole device prefix.  TRUE when anything changed. */
static gboolean
edit_arc (const guint8 *buf, const ArcTokens *t, const BootfixArcPath *new_device,
          GByteArray *out, gsize *copied)
{
  guint32 v[N_ARC_NUMBERS];
  gboolean changed = FALSE;

  if (t->kind != new_device->kind) {
    g_autofree char *text = arc_device_text (new_device);
    copy_until (buf, t->device.start, out, copied);
    append_text (out, text);
    *copied = t->device.end;
    return TRUE;
  }
  arc_device_values (new_device, v);
  for (guint i = 0; i < N_ARC_NUMBERS; i++) {
    g_autofree char *text = NULL;
    if (t->value[i] == v[i])
      continue;
    text = i == 0 && t->kind == BOOTFIX_ARC_SIGNATURE ? g_strdup_printf ("%08x", v[i])
                                                      : g_strdup_printf ("%u", v[i]);
    copy_until (buf, t->number[i].start, out, copied);
    append_text (out, text);
    *copied = t->number[i].end;
    changed = TRUE;
  }
  return changed;
}

static gboolean
check_new_device (const BootfixArcPath *arc, GError **error)
{
  if (arc->adapter <= BOOTFIX_MAX_ARC_NUMBER && arc->disk <= BOOTFIX_MAX_ARC_NUMBER &&
      arc->rdisk <= BOOTFIX_MAX_ARC_NUMBER && arc->partition <= BOOTFIX_MAX_ARC_NUMBER &&
      (guint) arc->kind < G_N_ELEMENTS (arc_kind_names))
    return TRUE;
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("ARC device numbers above %u cannot be written"), BOOTFIX_MAX_ARC_NUMBER);
  return FALSE;
}

guint8 *
bootfix_bootini_rewrite (const guint8 *buf, gsize size, const BootfixArcPath *old_device,
                         const BootfixArcPath *new_device, gsize *out_size,
                         guint *n_changed, GError **error)
{
  g_autoptr (BootfixBootIni) ini = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize copied = 0;
  guint n = 0;
  Scanner s;
  Line l;
  gboolean done = FALSE, crlf = FALSE, bom = FALSE;

  *out_size = 0;
  *n_changed = 0;
  /* Parse first: a file we cannot read whole is not one to edit. */
  ini = bootfix_bootini_parse (buf, size, error);
  if (ini == NULL || !check_new_device (new_device, error) ||
      !scanner_init (&s, buf, size, &bom, error))
    return NULL;
  while (scan_line (&s, &l, &crlf, &done, NULL) && !done) {
    if (l.is_arc && arc_tokens_match (&l.arc, old_device) &&
        edit_arc (buf, &l.arc, new_device, out, &copied))
      n++;
  }
  copy_until (buf, size, out, &copied);
  if (out->len > BOOTFIX_MAX_BOOTINI_SIZE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("the rewritten boot.ini would exceed %u bytes"),
                 BOOTFIX_MAX_BOOTINI_SIZE);
    return NULL;
  }
  *out_size = out->len;
  *n_changed = n;
  g_byte_array_append (out, (const guint8 *) "", 1);
  return g_byte_array_free (g_steal_pointer (&out), FALSE);
}

/* ---- ARC partition numbers ---------------------------------------- */

/* docs/boot-formats.md, "boot.ini and ARC paths" (KB 102873;
 * neosmart): W starts at 1; primary
 * partitions first, in MBR slot order, skipping empty slots and
 * extended containers; then logical drives in EBR chain order.  The
 * layout lists slots 1-4 then logicals in chain order, without empty
 * slots, so counting the non-extended entries in list order gives W. */
guint
bootfix_bootini_partition_number (const BootfixDiskLayout *layout,
                                  const BootfixPartition *part)
{
  guint w = 0;

  if (layout->label != BOOTFIX_DISK_LABEL_MBR)
    return 0;
  for (guint i = 0; i < layout->partitions->len; i++) {
    const BootfixPartition *p = g_ptr_array_index (layout->partitions, i);
    if (p->kind == BOOTFIX_PARTITION_EXTENDED)
      continue;
    w++;
    if (p == part)
      return w;
  }
  return 0;
}
