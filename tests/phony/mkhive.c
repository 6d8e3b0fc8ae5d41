/* mkhive: write an empty Windows registry hive, or a minimal PE header.
 *
 * hivex can edit hives but cannot create one, and the phony test guests need
 * SYSTEM and SOFTWARE hives that we build from .reg text.  This program
 * writes the smallest hive hivex accepts for editing: a 4 KiB "regf" base
 * block and a single 4 KiB "hbin" holding the root key, one security cell
 * and one free cell.  Everything here is written from the published layout
 * of the format; no bytes are copied from a Windows hive.
 *
 * libguestfs reads a Windows guest's architecture from the PE header of
 * System32\cmd.exe, so the same tool can also write a header-only PE32 or
 * PE32+ image that file(1) recognises.
 *
 * It also writes dirty hives with their transaction logs, for the tests
 * of src/formats/hive-log.c: given a hive before and after an edit, a
 * dirty copy of "before" and logs that lead to "after" (one entry per
 * changed 4 KiB page in the new format, or one "DIRT" log in the old).
 *
 * Usage:
 *   mkhive OUTFILE                 empty hive
 *   mkhive --pe32 OUTFILE          PE32 console executable, i386
 *   mkhive --pe32plus OUTFILE      PE32+ console executable, x86-64
 *   mkhive --dirty [--old-format] [--split] BEFORE AFTER OUT
 *                                  OUT (dirty BEFORE), OUT.LOG1; with
 *                                  --split, entries after the first go
 *                                  to OUT.LOG2
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "bytes.h"
#include "hive-log.h"
#include "hive-log-writer.h"

/* ---- little-endian writers ------------------------------------------ */

/* All layouts below are fixed, so an out-of-range write is a bug in this
 * file, never bad input: assert rather than report. */
static void
put_u8 (guint8 *buf, gsize size, gsize off, guint8 v)
{
  g_assert (off < size);
  buf[off] = v;
}

static void
put_le16 (guint8 *buf, gsize size, gsize off, guint16 v)
{
  g_assert (off <= size && size - off >= 2);
  buf[off] = (guint8)(v & 0xff);
  buf[off + 1] = (guint8)(v >> 8);
}

static void
put_le32 (guint8 *buf, gsize size, gsize off, guint32 v)
{
  g_assert (off <= size && size - off >= 4);
  for (gsize i = 0; i < 4; i++)
    buf[off + i] = (guint8)(v >> (8 * i));
}

static void
put_le64 (guint8 *buf, gsize size, gsize off, guint64 v)
{
  g_assert (off <= size && size - off >= 8);
  for (gsize i = 0; i < 8; i++)
    buf[off + i] = (guint8)(v >> (8 * i));
}

static void
put_bytes (guint8 *buf, gsize size, gsize off, const void *src, gsize len)
{
  g_assert (off <= size && size - off >= len);
  memcpy (buf + off, src, len);
}

/* ---- hive layout ---------------------------------------------------- */

#define REGF_BLOCK_SIZE 0x1000u /* base block, and hbin granularity */
#define HBIN_HEADER_SIZE 0x20u
#define HIVE_SIZE (REGF_BLOCK_SIZE * 2u)
#define REGF_CHECKSUM_OFFSET 0x1fcu /* XOR of the 127 dwords before it */

/* Fixed timestamp (FILETIME: 100 ns ticks since 1601-01-01) so that the
 * output is byte-for-byte reproducible: 2009-07-14 00:00:00 UTC. */
#define FIXED_FILETIME G_GUINT64_CONSTANT (128920032000000000)

/* Key node flags. */
#define KEY_HIVE_ENTRY 0x0004u /* this is the hive's root key */
#define KEY_NO_DELETE 0x0008u  /* real roots carry it too */
#define KEY_COMP_NAME 0x0020u  /* name is stored as 8-bit ASCII */

#define HCELL_NIL 0xffffffffu /* "no cell" in offset fields */

#define NK_FIXED_SIZE 0x4cu /* nk record without the cell size and name */
#define SK_FIXED_SIZE 0x14u /* sk record without the cell size and SD */

static const char root_key_name[] = "ROOT";

/* Cells are 8-byte aligned and their size includes the 4-byte size field. */
static gsize
cell_size (gsize payload)
{
  return (4 + payload + 7) & ~(gsize)7;
}

/* ---- security descriptor -------------------------------------------- */

#define SE_DACL_PRESENT 0x0004u
#define SE_SELF_RELATIVE 0x8000u
#define ACCESS_ALLOWED_ACE_TYPE 0x00u
#define CONTAINER_INHERIT_ACE 0x02u
#define KEY_ALL_ACCESS 0x000f003fu

#define SD_HEADER_SIZE 20u
#define ACL_HEADER_SIZE 8u
#define ACE_HEADER_SIZE 8u /* type, flags, size, access mask */

/* Write SID S-1-5-<subauth...> at off; return its length. */
static gsize
put_nt_sid (guint8 *buf, gsize size, gsize off, const guint32 *subauth, guint8 n_subauth)
{
  static const guint8 nt_authority[6] = { 0, 0, 0, 0, 0, 5 }; /* big-endian */

  put_u8 (buf, size, off, 1); /* revision */
  put_u8 (buf, size, off + 1, n_subauth);
  put_bytes (buf, size, off + 2, nt_authority, sizeof nt_authority);
  for (guint8 i = 0; i < n_subauth; i++)
    put_le32 (buf, size, off + 8 + 4 * i, subauth[i]);
  return 8 + 4 * (gsize)n_subauth;
}

/* Write an ACCESS_ALLOWED ACE granting KEY_ALL_ACCESS; return its length. */
static gsize
put_allow_ace (guint8 *buf, gsize size, gsize off, const guint32 *subauth,
               guint8 n_subauth)
{
  gsize sid_len = put_nt_sid (buf, size, off + ACE_HEADER_SIZE, subauth, n_subauth);
  gsize ace_len = ACE_HEADER_SIZE + sid_len;

  put_u8 (buf, size, off, ACCESS_ALLOWED_ACE_TYPE);
  put_u8 (buf, size, off + 1, CONTAINER_INHERIT_ACE);
  put_le16 (buf, size, off + 2, (guint16)ace_len);
  put_le32 (buf, size, off + 4, KEY_ALL_ACCESS);
  return ace_len;
}

/* A self-relative security descriptor: owner Administrators, group SYSTEM,
 * and a DACL giving both full control.  Windows never sees these hives, but
 * hivex and regedit-style tools parse the descriptor, so keep it valid.
 * Layout: header | DACL | owner SID | group SID.  Returns the length. */
static gsize
put_security_descriptor (guint8 *buf, gsize size, gsize off)
{
  static const guint32 local_system[] = { 18 };        /* S-1-5-18 */
  static const guint32 administrators[] = { 32, 544 }; /* S-1-5-32-544 */
  gsize dacl = SD_HEADER_SIZE;
  gsize pos = dacl + ACL_HEADER_SIZE;
  gsize owner, group, end;

  pos += put_allow_ace (buf, size, off + pos, local_system, 1);
  pos += put_allow_ace (buf, size, off + pos, administrators, 2);

  /* ACL header: revision 2, size, 2 ACEs. */
  put_u8 (buf, size, off + dacl, 2);
  put_le16 (buf, size, off + dacl + 2, (guint16)(pos - dacl));
  put_le16 (buf, size, off + dacl + 4, 2);

  owner = pos;
  group = owner + put_nt_sid (buf, size, off + owner, administrators, 2);
  end = group + put_nt_sid (buf, size, off + group, local_system, 1);

  put_u8 (buf, size, off, 1); /* revision */
  put_le16 (buf, size, off + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT);
  put_le32 (buf, size, off + 4, (guint32)owner);
  put_le32 (buf, size, off + 8, (guint32)group);
  put_le32 (buf, size, off + 12, 0); /* no SACL */
  put_le32 (buf, size, off + 16, (guint32)dacl);
  return end;
}

/* ---- cells ---------------------------------------------------------- */

/* Offsets inside the hive are relative to the first hbin (file offset
 * 0x1000); "at" below is a file offset, "cell" a hive offset. */

static gsize
put_root_nk (guint8 *buf, gsize size, gsize at, guint32 sk_cell)
{
  gsize name_len = strlen (root_key_name);
  gsize len = cell_size (NK_FIXED_SIZE + name_len);
  gsize nk = at + 4;

  put_le32 (buf, size, at, 0u - (guint32)len); /* negative: in use */
  put_bytes (buf, size, nk, "nk", 2);
  put_le16 (buf, size, nk + 0x02, KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME);
  put_le64 (buf, size, nk + 0x04, FIXED_FILETIME);
  put_le32 (buf, size, nk + 0x10, HCELL_NIL); /* parent: none */
  put_le32 (buf, size, nk + 0x14, 0);         /* subkeys */
  put_le32 (buf, size, nk + 0x18, 0);         /* volatile subkeys */
  put_le32 (buf, size, nk + 0x1c, HCELL_NIL); /* subkey list */
  put_le32 (buf, size, nk + 0x20, HCELL_NIL); /* volatile subkey list */
  put_le32 (buf, size, nk + 0x24, 0);         /* values */
  put_le32 (buf, size, nk + 0x28, HCELL_NIL); /* value list */
  put_le32 (buf, size, nk + 0x2c, sk_cell);   /* security */
  put_le32 (buf, size, nk + 0x30, HCELL_NIL); /* class name */
  put_le16 (buf, size, nk + 0x48, (guint16)name_len);
  put_le16 (buf, size, nk + 0x4a, 0); /* class name length */
  put_bytes (buf, size, nk + NK_FIXED_SIZE, root_key_name, name_len);
  return len;
}

/* The sk cell is the only member of the hive's circular list of security
 * cells, so both links point back at itself.  hivex increments its
 * reference count for every key it adds under the root. */
static gsize
put_root_sk (guint8 *buf, gsize size, gsize at, guint32 self_cell)
{
  gsize sk = at + 4;
  gsize sd_len = put_security_descriptor (buf, size, sk + SK_FIXED_SIZE);
  gsize len = cell_size (SK_FIXED_SIZE + sd_len);

  put_le32 (buf, size, at, 0u - (guint32)len);
  put_bytes (buf, size, sk, "sk", 2);
  put_le32 (buf, size, sk + 0x04, self_cell); /* flink */
  put_le32 (buf, size, sk + 0x08, self_cell); /* blink */
  put_le32 (buf, size, sk + 0x0c, 1);         /* reference count: root */
  put_le32 (buf, size, sk + 0x10, (guint32)sd_len);
  return len;
}

/* The first hbin: header, root nk, sk, then the rest as one free cell.
 * Returns the root key's hive offset. */
static guint32
put_first_hbin (guint8 *buf, gsize size)
{
  gsize bin = REGF_BLOCK_SIZE;
  gsize at = bin + HBIN_HEADER_SIZE;
  guint32 root_cell, sk_cell;
  gsize free_len;

  put_bytes (buf, size, bin, "hbin", 4);
  put_le32 (buf, size, bin + 0x04, 0); /* offset of this bin */
  put_le32 (buf, size, bin + 0x08, REGF_BLOCK_SIZE);
  put_le64 (buf, size, bin + 0x14, FIXED_FILETIME);

  /* The nk cell's size depends only on the name, so the sk offset is
   * known before either is written. */
  root_cell = (guint32)(at - bin);
  sk_cell = root_cell + (guint32)cell_size (NK_FIXED_SIZE + strlen (root_key_name));
  at += put_root_nk (buf, size, at, sk_cell);
  g_assert (at - bin == sk_cell);
  at += put_root_sk (buf, size, at, sk_cell);

  /* Free space: positive size.  hivex walks every cell of a bin, so the
   * bin must be covered exactly. */
  free_len = bin + REGF_BLOCK_SIZE - at;
  g_assert (free_len >= 8 && free_len % 8 == 0);
  put_le32 (buf, size, at, (guint32)free_len);
  return root_cell;
}

/* Base block: equal sequence numbers mean "cleanly written", so neither
 * hivex nor Windows tries to replay a log. */
static void
put_base_block (guint8 *buf, gsize size, guint32 root_cell, const char *file_name)
{
  gsize name_len = MIN (strlen (file_name), 31); /* 64-byte UTF-16 field */

  put_bytes (buf, size, 0, "regf", 4);
  put_le32 (buf, size, 0x04, 1); /* primary sequence number */
  put_le32 (buf, size, 0x08, 1); /* secondary sequence number */
  put_le64 (buf, size, 0x0c, FIXED_FILETIME);
  put_le32 (buf, size, 0x14, 1); /* major version */
  put_le32 (buf, size, 0x18, 5); /* minor version: 1.5, XP and later */
  put_le32 (buf, size, 0x1c, 0); /* file type: primary */
  put_le32 (buf, size, 0x20, 1); /* file format: direct memory load */
  put_le32 (buf, size, 0x24, root_cell);
  put_le32 (buf, size, 0x28, HIVE_SIZE - REGF_BLOCK_SIZE); /* hbins size */
  put_le32 (buf, size, 0x2c, 1);                           /* clustering factor */
  /* Informational file name, UTF-16LE; only ASCII is kept. */
  for (gsize i = 0; i < name_len; i++) {
    char c = file_name[i];
    put_le16 (buf, size, 0x30 + 2 * i, g_ascii_isprint (c) ? c : '_');
  }
  guint32 sum = 0;
  g_assert_true (bootfix_regf_checksum (buf, size, &sum));
  put_le32 (buf, size, REGF_CHECKSUM_OFFSET, sum);
}

static GBytes *
build_hive (const char *file_name)
{
  guint8 *buf = g_malloc0 (HIVE_SIZE);
  guint32 root_cell = put_first_hbin (buf, HIVE_SIZE);

  put_base_block (buf, HIVE_SIZE, root_cell, file_name);
  return g_bytes_new_take (buf, HIVE_SIZE);
}

/* ---- PE header ------------------------------------------------------ */

#define PE_FILE_SIZE 0x400u
#define PE_HEADERS_SIZE 0x200u
#define PE_LFANEW 0x80u
#define PE_MACHINE_I386 0x014cu
#define PE_MACHINE_AMD64 0x8664u
#define PE_MAGIC_PE32 0x010bu
#define PE_MAGIC_PE32PLUS 0x020bu
#define PE_SUBSYSTEM_CONSOLE 3u
#define PE_DATA_DIRECTORIES 16u

/* COFF characteristics. */
#define IMAGE_FILE_EXECUTABLE_IMAGE 0x0002u
#define IMAGE_FILE_LARGE_ADDRESS_AWARE 0x0020u
#define IMAGE_FILE_32BIT_MACHINE 0x0100u

/* MS-DOS header.  e_lfarlc >= 0x40 marks a "new" executable whose real
 * header lives at e_lfanew; file(1) relies on it. */
static void
put_mz_header (guint8 *buf, gsize size)
{
  put_bytes (buf, size, 0, "MZ", 2);
  put_le16 (buf, size, 0x02, 0x90);   /* bytes on last page */
  put_le16 (buf, size, 0x04, 3);      /* pages */
  put_le16 (buf, size, 0x08, 4);      /* header paragraphs */
  put_le16 (buf, size, 0x0c, 0xffff); /* max extra paragraphs */
  put_le16 (buf, size, 0x10, 0xb8);   /* initial SP */
  put_le16 (buf, size, 0x18, 0x40);   /* relocation table offset */
  put_le32 (buf, size, 0x3c, PE_LFANEW);
}

/* Optional header.  Field offsets are shared up to SizeOfStackReserve;
 * from there PE32+ uses 64-bit sizes.  Returns the header's length. */
static gsize
put_optional_header (guint8 *buf, gsize size, gsize oh, gboolean plus)
{
  gsize dirs_at = plus ? 112 : 96;

  put_le16 (buf, size, oh, plus ? PE_MAGIC_PE32PLUS : PE_MAGIC_PE32);
  put_u8 (buf, size, oh + 2, 9); /* linker version */
  if (plus)
    put_le64 (buf, size, oh + 24, G_GUINT64_CONSTANT (0x140000000));
  else
    put_le32 (buf, size, oh + 28, 0x400000);   /* image base */
  put_le32 (buf, size, oh + 32, 0x1000);       /* section alignment */
  put_le32 (buf, size, oh + 36, 0x200);        /* file alignment */
  put_le16 (buf, size, oh + 40, plus ? 6 : 5); /* OS version 6.1 / 5.1 */
  put_le16 (buf, size, oh + 42, 1);
  put_le16 (buf, size, oh + 48, plus ? 6 : 5); /* subsystem version */
  put_le16 (buf, size, oh + 50, 1);
  put_le32 (buf, size, oh + 56, 0x1000); /* size of image */
  put_le32 (buf, size, oh + 60, PE_HEADERS_SIZE);
  put_le16 (buf, size, oh + 68, PE_SUBSYSTEM_CONSOLE);
  if (plus) {
    put_le64 (buf, size, oh + 72, 0x100000); /* stack reserve */
    put_le64 (buf, size, oh + 80, 0x1000);   /* stack commit */
    put_le64 (buf, size, oh + 88, 0x100000); /* heap reserve */
    put_le64 (buf, size, oh + 96, 0x1000);   /* heap commit */
  } else {
    put_le32 (buf, size, oh + 72, 0x100000);
    put_le32 (buf, size, oh + 76, 0x1000);
    put_le32 (buf, size, oh + 80, 0x100000);
    put_le32 (buf, size, oh + 84, 0x1000);
  }
  put_le32 (buf, size, oh + dirs_at - 4, PE_DATA_DIRECTORIES);
  /* The data directories themselves stay zero: no imports, no resources. */
  return dirs_at + 8 * PE_DATA_DIRECTORIES;
}

/* A header-only image with no sections: enough for file(1) and for
 * libguestfs' file-architecture, which is all the phony guests need. */
static GBytes *
build_pe (gboolean plus)
{
  guint8 *buf = g_malloc0 (PE_FILE_SIZE);
  gsize pe = PE_LFANEW;
  gsize coff = pe + 4;
  gsize oh = coff + 20;
  gsize oh_len;

  put_mz_header (buf, PE_FILE_SIZE);
  put_bytes (buf, PE_FILE_SIZE, pe, "PE\0\0", 4);
  oh_len = put_optional_header (buf, PE_FILE_SIZE, oh, plus);
  g_assert (oh + oh_len <= PE_HEADERS_SIZE);

  put_le16 (buf, PE_FILE_SIZE, coff, plus ? PE_MACHINE_AMD64 : PE_MACHINE_I386);
  put_le16 (buf, PE_FILE_SIZE, coff + 2, 0);          /* sections */
  put_le32 (buf, PE_FILE_SIZE, coff + 4, 0x4a5bc60a); /* 2009-07-14 */
  put_le16 (buf, PE_FILE_SIZE, coff + 16, (guint16)oh_len);
  put_le16 (buf, PE_FILE_SIZE, coff + 18,
            IMAGE_FILE_EXECUTABLE_IMAGE
                | (plus ? IMAGE_FILE_LARGE_ADDRESS_AWARE : IMAGE_FILE_32BIT_MACHINE));
  return g_bytes_new_take (buf, PE_FILE_SIZE);
}

/* ---- main ----------------------------------------------------------- */

/* g_file_set_contents writes a temporary file and renames it, so a failed
 * run never leaves a half-written hive under the final name. */
static gboolean
write_output (const char *path, GBytes *bytes, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_file_set_contents_full (path, data, (gssize)len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
usage (FILE *fp)
{
  fprintf (fp, "usage: mkhive OUTFILE             write an empty registry hive\n"
               "       mkhive --pe32 OUTFILE      write a PE32 (i386) header\n"
               "       mkhive --pe32plus OUTFILE  write a PE32+ (x86-64) header\n"
               "       mkhive --dirty [--old-format] [--split] BEFORE AFTER OUT\n"
               "                                  write a dirty BEFORE as OUT and\n"
               "                                  logs leading to AFTER (OUT.LOG1,\n"
               "                                  OUT.LOG2)\n");
}

static GBytes *
read_input (const char *path, GError **error)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return g_bytes_new_take (data, len);
}

/* New format: one entry per changed page, numbered from BEFORE's
 * secondary sequence number as Windows numbers them. */
static void
build_new_logs (GBytes *dirty, GBytes *after, GArray *pages, gboolean split,
                guint32 seq, GByteArray **log1, GByteArray **log2)
{
  *log1 = mklog_new_log (dirty, seq);
  *log2 = NULL;
  for (guint i = 0; i < pages->len; i++) {
    if (split && i == 1)
      *log2 = mklog_new_log (dirty, seq + 1);
    mklog_new_entry (*log2 ? *log2 : *log1, seq + i, after,
                     &g_array_index (pages, guint32, i), 1);
  }
}

static int
write_dirty (const char *before_path, const char *after_path, const char *out,
             gboolean old_format, gboolean split)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) before = read_input (before_path, &error);
  g_autoptr (GBytes) after = before ? read_input (after_path, &error) : NULL;
  if (after == NULL) {
    fprintf (stderr, "mkhive: %s\n", error->message);
    return 1;
  }
  g_autoptr (GBytes) dirty = mklog_dirty_primary (before);
  g_autoptr (GArray) pages = mklog_diff_pages (before, after);
  g_autoptr (GByteArray) log1 = NULL;
  g_autoptr (GByteArray) log2 = NULL;
  guint32 seq = 0;
  if (!bootfix_read_le32 (g_bytes_get_data (before, NULL),
                          g_bytes_get_size (before), 8, &seq)) {
    fprintf (stderr, "mkhive: %s is not a hive\n", before_path);
    return 1;
  }
  if (old_format)
    log1 = mklog_old_log (dirty, after, (guint32 *) pages->data, pages->len);
  else
    build_new_logs (dirty, after, pages, split, seq, &log1, &log2);
  g_autofree char *p1 = g_strconcat (out, ".LOG1", NULL);
  g_autofree char *p2 = g_strconcat (out, ".LOG2", NULL);
  g_autoptr (GBytes) l1 = g_bytes_new (log1->data, log1->len);
  g_autoptr (GBytes) l2 = log2 ? g_bytes_new (log2->data, log2->len)
                               : g_bytes_new (NULL, 0);
  if (!write_output (out, dirty, &error) || !write_output (p1, l1, &error) ||
      !write_output (p2, l2, &error)) {
    fprintf (stderr, "mkhive: %s\n", error->message);
    return 1;
  }
  return 0;
}

/* mkhive --dirty [--old-format] [--split] BEFORE AFTER OUT */
static int
dirty_main (int argc, char **argv)
{
  gboolean old_format = FALSE, split = FALSE;
  int i = 2;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp (argv[i], "--old-format") == 0)
      old_format = TRUE;
    else if (strcmp (argv[i], "--split") == 0)
      split = TRUE;
    else
      break;
  }
  if (argc - i != 3 || (old_format && split)) {
    usage (stderr);
    return 2;
  }
  return write_dirty (argv[i], argv[i + 1], argv[i + 2], old_format, split);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *base = NULL;
  const char *out;

  setlocale (LC_ALL, "");

  if (argc == 2 && strcmp (argv[1], "--help") == 0) {
    usage (stdout);
    return 0;
  }
  if (argc >= 2 && strcmp (argv[1], "--dirty") == 0)
    return dirty_main (argc, argv);
  if (argc == 2 && argv[1][0] != '-') {
    out = argv[1];
    base = g_path_get_basename (out);
    bytes = build_hive (base);
  } else if (argc == 3 && strcmp (argv[1], "--pe32") == 0) {
    out = argv[2];
    bytes = build_pe (FALSE);
  } else if (argc == 3 && strcmp (argv[1], "--pe32plus") == 0) {
    out = argv[2];
    bytes = build_pe (TRUE);
  } else {
    usage (stderr);
    return 2;
  }

  if (!write_output (out, bytes, &error)) {
    fprintf (stderr, "mkhive: cannot write %s: %s\n", out, error->message);
    return 1;
  }
  return 0;
}
