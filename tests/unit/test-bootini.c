/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for boot.ini and ARC paths (bootini.c): files and disks built
 * from docs/boot-formats.md, "boot.ini and ARC paths", exact fields, a
 * table of bad files, rewrites compared byte for byte with the
 * expected file.  With
 * BOOTFIX_WRITE_CORPUS=DIR the good files are written there. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bootini.h"
#include "bytes.h"
#include "disk-layout.h"

static const char xp_crlf[] =
  "[boot loader]\r\n"
  "timeout=30\r\n"
  "default=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n"
  "[operating systems]\r\n"
  "multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS=\"Microsoft Windows XP Professional\" "
  "/noexecute=optin /fastdetect\r\n"
  "C:\\CMDCONS\\BOOTSECT.DAT=\"Microsoft Windows Recovery Console\" /cmdcons\r\n";

static const char mixed_lf[] =
  "\xEF\xBB\xBF; restored by a P2V tool\n"
  "[Boot Loader]\n"
  "Timeout = 5\n"
  "Default = scsi(0)disk(1)rdisk(0)partition(2)\\WINNT\n"
  "\n"
  "[Operating Systems]\n"
  "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT=\"Windows 2000 = Server\" /fastdetect\n"
  "  signature(8b467c12)disk(0)rdisk(0)partition(1)\\WINDOWS = \"XP by signature\"\n"
  "MULTI(0)DISK(0)RDISK(1)PARTITION(3)\\WINDOWS=\"Upper case\" /PAE   \n"
  "; multi(0)disk(0)rdisk(0)partition(9)\\OLD=\"commented out\"\n"
  "[debug]\n"
  "multi(0)=not an entry\n";

/* Latin-1 description, HAL switches (Paragon), no final newline. */
static const char ansi_hal[] =
  "[boot loader]\n"
  "timeout=abc\n"
  "default=multi(0)disk(0)rdisk(0)partition(01)\\WINDOWS\n"
  "[operating systems]\n"
  "multi(0)disk(0)rdisk(0)partition(01)\\WINDOWS=\"Windows XP Professionnel \xE9t\xE9\" "
  "/fastdetect /HAL=halaacpi.dll /KERNEL=ntkrnlpa.exe\n"
  "multi(0)disk(0)rdisk(0)partition(1)=\"no path\"\n"
  "C:\\=\"Previous operating system on C:\"";

/* No [boot loader] at all; text before the first section. */
static const char minimal[] =
  "stray line\n"
  "[operating systems]\n"
  "multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS\n"
  "multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS=\"XP\"\n";

/* ---- Good files --------------------------------------------------- */

typedef struct {
  const char *key;
  gboolean is_arc;
  BootfixArcKind kind;
  guint32 adapter, signature, disk, rdisk, partition;
  const char *path;
  const char *description;
  const char *switches;
  guint line;
} ExpectEntry;

typedef struct {
  const char *name;
  const char *text;
  gboolean bom, crlf;
  guint n_lines;
  gboolean has_timeout;
  gint64 timeout;
  const char *default_key;
  guint default_partition; /* when the default is an ARC path */
  guint n_warnings;
  guint n_entries;
  ExpectEntry entries[4];
} GoodIni;

static const GoodIni good_inis[] = {
  { "xp-crlf", xp_crlf, FALSE, TRUE, 6, TRUE, 30,
    "multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS", 1, 0, 2,
    { { "multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS", TRUE, BOOTFIX_ARC_MULTI, 0, 0, 0, 0,
        1, "\\WINDOWS", "Microsoft Windows XP Professional", "/noexecute=optin /fastdetect",
        5 },
      { "C:\\CMDCONS\\BOOTSECT.DAT", FALSE, 0, 0, 0, 0, 0, 0, NULL,
        "Microsoft Windows Recovery Console", "/cmdcons", 6 } } },
  { "mixed-lf", mixed_lf, TRUE, FALSE, 12, TRUE, 5, "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT",
    2, 0, 3,
    { { "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT", TRUE, BOOTFIX_ARC_SCSI, 0, 0, 1, 0, 2,
        "\\WINNT", "Windows 2000 = Server", "/fastdetect", 7 },
      { "signature(8b467c12)disk(0)rdisk(0)partition(1)\\WINDOWS", TRUE,
        BOOTFIX_ARC_SIGNATURE, 0, 0x8b467c12, 0, 0, 1, "\\WINDOWS", "XP by signature", "",
        8 },
      { "MULTI(0)DISK(0)RDISK(1)PARTITION(3)\\WINDOWS", TRUE, BOOTFIX_ARC_MULTI, 0, 0, 0, 1,
        3, "\\WINDOWS", "Upper case", "/PAE", 9 } } },
  { "ansi-hal", ansi_hal, FALSE, FALSE, 7, FALSE, 0,
    "multi(0)disk(0)rdisk(0)partition(01)\\WINDOWS", 1, 1, 3,
    { { "multi(0)disk(0)rdisk(0)partition(01)\\WINDOWS", TRUE, BOOTFIX_ARC_MULTI, 0, 0, 0, 0,
        1, "\\WINDOWS", "Windows XP Professionnel \xC3\xA9t\xC3\xA9",
        "/fastdetect /HAL=halaacpi.dll /KERNEL=ntkrnlpa.exe", 5 },
      { "multi(0)disk(0)rdisk(0)partition(1)", TRUE, BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, "",
        "no path", "", 6 },
      { "C:\\", FALSE, 0, 0, 0, 0, 0, 0, NULL, "Previous operating system on C:", "", 7 } } },
  { "minimal", minimal, FALSE, FALSE, 4, FALSE, 0, NULL, 0, 2, 1,
    { { "multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS", TRUE, BOOTFIX_ARC_MULTI, 0, 0, 0, 0,
        2, "\\WINDOWS", "XP", "", 4 } } },
};

static void
check_entry (const BootfixBootIniEntry *e, const ExpectEntry *x)
{
  g_assert_cmpstr (e->key, ==, x->key);
  g_assert_cmpuint (e->line, ==, x->line);
  g_assert_cmpint (e->is_arc, ==, x->is_arc);
  g_assert_cmpstr (e->description, ==, x->description);
  g_assert_cmpstr (e->switches, ==, x->switches);
  if (!x->is_arc)
    return;
  g_assert_cmpint (e->arc.kind, ==, x->kind);
  g_assert_cmpuint (e->arc.adapter, ==, x->adapter);
  g_assert_cmphex (e->arc.signature, ==, x->signature);
  g_assert_cmpuint (e->arc.disk, ==, x->disk);
  g_assert_cmpuint (e->arc.rdisk, ==, x->rdisk);
  g_assert_cmpuint (e->arc.partition, ==, x->partition);
  g_assert_cmpstr (e->arc.path, ==, x->path);
}

static void
test_good (gconstpointer data)
{
  const GoodIni *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixBootIni) ini = bootfix_bootini_parse ((const guint8 *) c->text,
                                                          strlen (c->text), &error);

  g_assert_no_error (error);
  g_assert_cmpint (ini->has_bom, ==, c->bom);
  g_assert_cmpint (ini->crlf, ==, c->crlf);
  g_assert_cmpuint (ini->n_lines, ==, c->n_lines);
  g_assert_cmpint (ini->has_timeout, ==, c->has_timeout);
  g_assert_cmpint (ini->timeout, ==, c->timeout);
  g_assert_cmpstr (ini->default_key, ==, c->default_key);
  g_assert_cmpint (ini->default_is_arc, ==, c->default_partition != 0);
  g_assert_cmpuint (ini->default_arc.partition, ==, c->default_partition);
  for (guint i = 0; i < ini->warnings->len; i++)
    g_test_message ("warning: %s", (char *) g_ptr_array_index (ini->warnings, i));
  g_assert_cmpuint (ini->warnings->len, ==, c->n_warnings);
  g_assert_cmpuint (ini->entries->len, ==, c->n_entries);
  for (guint i = 0; i < c->n_entries; i++)
    check_entry (g_ptr_array_index (ini->entries, i), &c->entries[i]);
}

/* ---- Bad files ---------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *message;
} BadIni;

#define OS_HEAD "[boot loader]\ntimeout=30\n[operating systems]\n"

static const BadIni bad_inis[] = {
  { "utf16", "\xFF\xFE[\0b\0", "UTF-16" },
  { "section-unclosed", "[boot loader\ntimeout=1\n", "line 1: section header without “]”" },
  { "rdisk-letter", OS_HEAD "multi(0)disk(0)rdisk(x)partition(1)\\WINDOWS=\"XP\"\n",
    "line 4: “multi(0)disk(0)rdisk(x)partition(1)\\\\WINDOWS=\\\"XP\\\"” is not a valid ARC "
    "path: expected a number" },
  { "paren-missing", OS_HEAD "multi(0)disk(0)rdisk(0partition(1)\\WINDOWS=\"XP\"\n",
    "expected “)”" },
  { "no-partition", OS_HEAD "multi(0)disk(0)rdisk(0)\\WINDOWS=\"XP\"\n",
    "expected “partition(”" },
  { "no-disk", OS_HEAD "multi(0)rdisk(0)partition(1)\\WINDOWS=\"XP\"\n", "expected “disk(”" },
  { "number-256", OS_HEAD "multi(0)disk(0)rdisk(0)partition(256)\\WINDOWS=\"XP\"\n",
    "number larger than 255" },
  { "number-digits", OS_HEAD "multi(0)disk(0)rdisk(0)partition(0000000001)\\W=\"XP\"\n",
    "number too long" },
  { "empty-number", OS_HEAD "multi()disk(0)rdisk(0)partition(1)\\W=\"XP\"\n",
    "expected a number" },
  { "no-backslash", OS_HEAD "multi(0)disk(0)rdisk(0)partition(1)WINDOWS=\"XP\"\n",
    "expected “\\” or the end" },
  { "signature-hex", OS_HEAD "signature(8b46zc12)disk(0)rdisk(0)partition(1)\\W=\"XP\"\n",
    "expected “)”" },
  { "signature-9", OS_HEAD "signature(18b467c12)disk(0)rdisk(0)partition(1)\\W=\"XP\"\n",
    "number too long" },
  { "open-quote", OS_HEAD "multi(0)disk(0)rdisk(0)partition(1)\\W=\"XP /fastdetect\n",
    "line 4: the description has no closing quote" },
  { "bad-default", "[boot loader]\ntimeout=30\ndefault=multi(0)disk(0)rdisk(0)part(1)\\W\n"
                   "[operating systems]\n",
    "line 3:" },
  { "no-os-section", "[boot loader]\ntimeout=30\ndefault=multi(0)disk(0)rdisk(0)partition(1)\n",
    "no [operating systems] section" },
  { "empty", "", "no [operating systems] section" },
  { "escape-quoted", OS_HEAD "multi(0)disk(0)rdisk(\x1b)partition(1)\\W=\"XP\"\n", "\\033" },
};

static void
check_bad (const guint8 *buf, gsize size, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixBootIni) ini = bootfix_bootini_parse (buf, size, &error);
  BootfixArcPath any = { 0 };
  gsize out_size = 1;
  guint n = 1;

  g_assert_null (ini);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” not in “%s”", message, error->message);
  g_clear_error (&error);
  /* A file that does not parse is never rewritten. */
  g_assert_null (bootfix_bootini_rewrite (buf, size, &any, &any, &out_size, &n, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_cmpuint (out_size, ==, 0);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_bad (gconstpointer data)
{
  const BadIni *c = data;
  /* "utf16" has NULs: its length is the literal's */
  gsize size = g_str_equal (c->name, "utf16") ? 6 : strlen (c->text);
  check_bad ((const guint8 *) c->text, size, c->message);
}

static void
test_bad_limits (void)
{
  g_autoptr (GString) big = g_string_new (OS_HEAD);
  g_autoptr (GString) lines = g_string_new (OS_HEAD);
  static const char nul[] = OS_HEAD "multi(0)disk(0)rdisk(0)partition(1)\\W=\"X\0P\"\n";

  while (big->len <= BOOTFIX_MAX_BOOTINI_SIZE)
    g_string_append (big, "; padding padding padding padding padding padding\r\n");
  check_bad ((const guint8 *) big->str, big->len, "more than the limit of 65536");
  while (lines->len < BOOTFIX_MAX_BOOTINI_LINES * 2)
    g_string_append (lines, "\n\n");
  check_bad ((const guint8 *) lines->str, lines->len, "more than 4096 lines");
  check_bad ((const guint8 *) nul, sizeof nul - 1, "NUL byte at offset 85");
}

/* ---- Rewrite ------------------------------------------------------ */

static BootfixArcPath
arc (BootfixArcKind kind, guint32 first, guint32 disk, guint32 rdisk, guint32 partition)
{
  BootfixArcPath a = { kind, 0, 0, disk, rdisk, partition, NULL };
  if (kind == BOOTFIX_ARC_SIGNATURE)
    a.signature = first;
  else
    a.adapter = first;
  return a;
}

typedef struct {
  const char *name;
  const char *text;
  BootfixArcPath old_device, new_device;
  guint n_changed;
  const char *expect;
} Rewrite;

static const Rewrite rewrites[] = {
  /* Windows partition now second (a restored system partition in front). */
  { "xp-partition", xp_crlf, { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 2, NULL }, 2,
    "[boot loader]\r\n"
    "timeout=30\r\n"
    "default=multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS\r\n"
    "[operating systems]\r\n"
    "multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS=\"Microsoft Windows XP Professional\" "
    "/noexecute=optin /fastdetect\r\n"
    "C:\\CMDCONS\\BOOTSECT.DAT=\"Microsoft Windows Recovery Console\" /cmdcons\r\n" },
  /* SCSI (ntbootdd.sys) to BIOS: the whole prefix, canonical. */
  { "scsi-to-multi", mixed_lf, { BOOTFIX_ARC_SCSI, 0, 0, 1, 0, 2, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL }, 2,
    "\xEF\xBB\xBF; restored by a P2V tool\n"
    "[Boot Loader]\n"
    "Timeout = 5\n"
    "Default = multi(0)disk(0)rdisk(0)partition(1)\\WINNT\n"
    "\n"
    "[Operating Systems]\n"
    "multi(0)disk(0)rdisk(0)partition(1)\\WINNT=\"Windows 2000 = Server\" /fastdetect\n"
    "  signature(8b467c12)disk(0)rdisk(0)partition(1)\\WINDOWS = \"XP by signature\"\n"
    "MULTI(0)DISK(0)RDISK(1)PARTITION(3)\\WINDOWS=\"Upper case\" /PAE   \n"
    "; multi(0)disk(0)rdisk(0)partition(9)\\OLD=\"commented out\"\n"
    "[debug]\n"
    "multi(0)=not an entry\n" },
  /* Same kind: only the differing digits; the case is kept. */
  { "upper-case", mixed_lf, { BOOTFIX_ARC_MULTI, 0, 0, 0, 1, 3, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 10, NULL }, 1,
    "\xEF\xBB\xBF; restored by a P2V tool\n"
    "[Boot Loader]\n"
    "Timeout = 5\n"
    "Default = scsi(0)disk(1)rdisk(0)partition(2)\\WINNT\n"
    "\n"
    "[Operating Systems]\n"
    "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT=\"Windows 2000 = Server\" /fastdetect\n"
    "  signature(8b467c12)disk(0)rdisk(0)partition(1)\\WINDOWS = \"XP by signature\"\n"
    "MULTI(0)DISK(0)RDISK(0)PARTITION(10)\\WINDOWS=\"Upper case\" /PAE   \n"
    "; multi(0)disk(0)rdisk(0)partition(9)\\OLD=\"commented out\"\n"
    "[debug]\n"
    "multi(0)=not an entry\n" },
  { "signature", mixed_lf, { BOOTFIX_ARC_SIGNATURE, 0, 0x8b467c12, 0, 0, 1, NULL },
    { BOOTFIX_ARC_SIGNATURE, 0, 0x0000abcd, 0, 0, 2, NULL }, 1,
    "\xEF\xBB\xBF; restored by a P2V tool\n"
    "[Boot Loader]\n"
    "Timeout = 5\n"
    "Default = scsi(0)disk(1)rdisk(0)partition(2)\\WINNT\n"
    "\n"
    "[Operating Systems]\n"
    "scsi(0)disk(1)rdisk(0)partition(2)\\WINNT=\"Windows 2000 = Server\" /fastdetect\n"
    "  signature(0000abcd)disk(0)rdisk(0)partition(2)\\WINDOWS = \"XP by signature\"\n"
    "MULTI(0)DISK(0)RDISK(1)PARTITION(3)\\WINDOWS=\"Upper case\" /PAE   \n"
    "; multi(0)disk(0)rdisk(0)partition(9)\\OLD=\"commented out\"\n"
    "[debug]\n"
    "multi(0)=not an entry\n" },
  /* Leading zeros are the same number; no final newline is kept. */
  { "leading-zeros", ansi_hal, { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 1, 2, NULL }, 3,
    "[boot loader]\n"
    "timeout=abc\n"
    "default=multi(0)disk(0)rdisk(1)partition(2)\\WINDOWS\n"
    "[operating systems]\n"
    "multi(0)disk(0)rdisk(1)partition(2)\\WINDOWS=\"Windows XP Professionnel \xE9t\xE9\" "
    "/fastdetect /HAL=halaacpi.dll /KERNEL=ntkrnlpa.exe\n"
    "multi(0)disk(0)rdisk(1)partition(2)=\"no path\"\n"
    "C:\\=\"Previous operating system on C:\"" },
  /* Two default= lines: parse reports the first, rewrite changes both. */
  { "two-defaults",
    "[boot loader]\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\n"
    "[operating systems]\nmulti(0)disk(0)rdisk(0)partition(1)\\WINDOWS=\"XP\"\n"
    "[boot loader]\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\n",
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL }, { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 2, NULL }, 3,
    "[boot loader]\ndefault=multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS\n"
    "[operating systems]\nmulti(0)disk(0)rdisk(0)partition(2)\\WINDOWS=\"XP\"\n"
    "[boot loader]\ndefault=multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS\n" },
  /* Nothing points there: the file comes back unchanged. */
  { "no-match", xp_crlf, { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 7, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 2, NULL }, 0, xp_crlf },
  { "same", xp_crlf, { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL },
    { BOOTFIX_ARC_MULTI, 0, 0, 0, 0, 1, NULL }, 0, xp_crlf },
};

static void
test_rewrite (gconstpointer data)
{
  const Rewrite *c = data;
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  guint n = 0;
  g_autofree guint8 *out = bootfix_bootini_rewrite (
    (const guint8 *) c->text, strlen (c->text), &c->old_device, &c->new_device, &size, &n,
    &error);
  g_autoptr (BootfixBootIni) again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, c->n_changed);
  g_assert_cmpmem (out, size, c->expect, strlen (c->expect));
  g_assert_cmpint (out[size], ==, '\0');
  again = bootfix_bootini_parse (out, size, &error);
  g_assert_no_error (error);
}

/* old -> new -> old restores the file byte for byte. */
static void
test_rewrite_round_trip (void)
{
  BootfixArcPath a = arc (BOOTFIX_ARC_MULTI, 0, 0, 0, 1);
  BootfixArcPath b = arc (BOOTFIX_ARC_MULTI, 0, 0, 3, 4);
  gsize size1 = 0, size2 = 0;
  guint n1 = 0, n2 = 0;
  g_autofree guint8 *once = bootfix_bootini_rewrite ((const guint8 *) xp_crlf,
                                                     strlen (xp_crlf), &a, &b, &size1,
                                                     &n1, NULL);
  g_autofree guint8 *twice = bootfix_bootini_rewrite (once, size1, &b, &a, &size2, &n2, NULL);

  g_assert_cmpuint (n1, ==, 2);
  g_assert_cmpuint (n2, ==, 2);
  g_assert_cmpmem (twice, size2, xp_crlf, strlen (xp_crlf));
}

static void
test_rewrite_bad_device (void)
{
  BootfixArcPath a = arc (BOOTFIX_ARC_MULTI, 0, 0, 0, 1);
  BootfixArcPath b = arc (BOOTFIX_ARC_MULTI, 0, 0, 0, 256);
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  guint n = 0;

  g_assert_null (bootfix_bootini_rewrite ((const guint8 *) xp_crlf, strlen (xp_crlf), &a,
                                          &b, &size, &n, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "above 255"));
}

/* ---- ARC path API ------------------------------------------------- */

static void
test_arc_path (void)
{
  static const char *const bad[] = {
    "", "multi", "multi(0)", "multi(0)disk(0)rdisk(0)partition(1) \\W",
    "eisa(0)disk(0)rdisk(0)partition(1)", "multi(0)disk(0)rdisk(0)partition(-1)",
    "multi(0)disk(0)fdisk(0)", "signature()disk(0)rdisk(0)partition(1)",
    "multi(0)disk(0)rdisk(0)partition(1", "multi(4294967296)disk(0)rdisk(0)partition(1)",
  };
  BootfixArcPath a = { 0 };
  BootfixArcPath b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;

  g_assert_true (bootfix_arc_path_parse ("Signature(8B467C12)Disk(0)RDisk(2)Partition(3)"
                                         "\\WinNT",
                                         &a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a.kind, ==, BOOTFIX_ARC_SIGNATURE);
  g_assert_cmphex (a.signature, ==, 0x8B467C12);
  g_assert_cmpuint (a.rdisk, ==, 2);
  g_assert_cmpuint (a.partition, ==, 3);
  text = bootfix_arc_path_to_string (&a);
  g_assert_cmpstr (text, ==, "signature(8b467c12)disk(0)rdisk(2)partition(3)\\WinNT");
  g_assert_true (bootfix_arc_path_parse (text, &b, NULL));
  g_assert_true (bootfix_arc_path_same_device (&a, &b));
  bootfix_arc_path_clear (&b);
  g_assert_true (bootfix_arc_path_parse ("multi(0)disk(0)rdisk(2)partition(3)", &b, NULL));
  g_assert_false (bootfix_arc_path_same_device (&a, &b));
  text2 = bootfix_arc_path_to_string (&b);
  g_assert_cmpstr (text2, ==, "multi(0)disk(0)rdisk(2)partition(3)");
  bootfix_arc_path_clear (&a);
  bootfix_arc_path_clear (&b);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) e = NULL;
    g_assert_false (bootfix_arc_path_parse (bad[i], &a, &e));
    g_assert_error (e, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    g_assert_nonnull (strstr (e->message, "is not a valid ARC path"));
    g_assert_null (a.path);
  }
}

/* ---- ARC partition numbers ---------------------------------------- */

static void
put_slot (guint8 *sec, guint i, guint8 type, guint32 start, guint32 count)
{
  sec[0x1BE + 16 * i + 4] = type;
  bootfix_write_le32 (sec, 512, 0x1BE + 16 * i + 8, start);
  bootfix_write_le32 (sec, 512, 0x1BE + 16 * i + 12, count);
  sec[0x1FE] = 0x55;
  sec[0x1FF] = 0xAA;
}

/* docs/boot-formats.md, "boot.ini and ARC paths": primaries in slot
 * order skipping empty slots and the extended container, then logicals
 * in chain order. */
static void
test_partition_numbers (void)
{
  g_autofree guint8 *disk = g_malloc0 (200 * 512);
  g_autoptr (BootfixDiskLayout) layout = NULL;
  /* Linux number -> ARC partition(W) */
  static const guint expect[][2] = { { 1, 1 }, { 3, 0 }, { 4, 2 }, { 5, 3 }, { 6, 4 } };

  put_slot (disk, 0, 0x07, 63, 37);    /* sda1 */
  /* slot 2 empty */
  put_slot (disk, 2, 0x0F, 100, 200);  /* sda3: extended */
  put_slot (disk, 3, 0x27, 300, 50);   /* sda4 */
  put_slot (disk + 100 * 512, 0, 0x07, 1, 40);   /* sda5 */
  put_slot (disk + 100 * 512, 1, 0x05, 50, 60);
  put_slot (disk + 150 * 512, 0, 0x07, 2, 20);   /* sda6 */
  layout = bootfix_disk_layout_parse (disk, 200 * 512, 512, NULL);
  g_assert_nonnull (layout);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
    const BootfixPartition *p = bootfix_disk_layout_find_number (layout, expect[i][0]);
    g_assert_nonnull (p);
    g_assert_cmpuint (bootfix_bootini_partition_number (layout, p), ==, expect[i][1]);
  }
  /* GPT disks have no ARC numbers (NTLDR boots from MBR disks). */
  layout->label = BOOTFIX_DISK_LABEL_GPT;
  g_assert_cmpuint (bootfix_bootini_partition_number (
                      layout, bootfix_disk_layout_find_number (layout, 1)), ==, 0);
}

static void
write_corpus (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_inis); i++) {
    g_autofree char *path = g_build_filename (dir, good_inis[i].name, NULL);
    g_assert_true (g_file_set_contents (path, good_inis[i].text, -1, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BOOTFIX_WRITE_CORPUS") != NULL)
    write_corpus (g_getenv ("BOOTFIX_WRITE_CORPUS"));
  for (guint i = 0; i < G_N_ELEMENTS (good_inis); i++) {
    g_autofree char *path = g_strdup_printf ("/bootini/good/%s", good_inis[i].name);
    g_test_add_data_func (path, &good_inis[i], test_good);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_inis); i++) {
    g_autofree char *path = g_strdup_printf ("/bootini/bad/%s", bad_inis[i].name);
    g_test_add_data_func (path, &bad_inis[i], test_bad);
  }
  for (guint i = 0; i < G_N_ELEMENTS (rewrites); i++) {
    g_autofree char *path = g_strdup_printf ("/bootini/rewrite/%s", rewrites[i].name);
    g_test_add_data_func (path, &rewrites[i], test_rewrite);
  }
  g_test_add_func ("/bootini/bad/limits", test_bad_limits);
  g_test_add_func ("/bootini/rewrite/round-trip", test_rewrite_round_trip);
  g_test_add_func ("/bootini/rewrite/bad-device", test_rewrite_bad_device);
  g_test_add_func ("/bootini/arc-path", test_arc_path);
  g_test_add_func ("/bootini/partition-numbers", test_partition_numbers);
  return g_test_run ();
}
