/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the image header parsers (image-format.c, qcow2-header.c,
 * vmdk-descriptor.c, vhd.c): headers built here from
 * docs/image-formats.md, exact fields, and tables of bad ones.  With
 * BOOTFIX_WRITE_CORPUS=DIR the good inputs are written there as fuzz
 * seeds (DIR/fuzz-qcow2-header/..., one folder per target). */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "image-format.h"
#include "qcow2-header.h"
#include "vhd.h"
#include "vmdk-descriptor.h"

static void
put_be32 (guint8 *b, gsize at, guint32 v)
{
  for (int i = 0; i < 4; i++)
    b[at + i] = (guint8) (v >> (24 - 8 * i));
}

static void
put_be64 (guint8 *b, gsize at, guint64 v)
{
  put_be32 (b, at, (guint32) (v >> 32));
  put_be32 (b, at + 4, (guint32) v);
}

static void
write_seed (const char *target, const char *name, const void *data, gsize len)
{
  const char *dir = g_getenv ("BOOTFIX_WRITE_CORPUS");
  if (dir == NULL)
    return;
  g_autofree char *folder = g_build_filename (dir, target, NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

/* ---- qcow2 ---- */

#define Q_CLUSTER 65536
#define Q_SIZE 4096 /* the bytes handed to the parser */

typedef struct {
  guint32 version;
  const char *backing;     /* NULL: none */
  const char *format;      /* backing format extension; NULL: none */
  guint64 incompat;
  guint32 crypt;
} Qcow2Spec;

/* A v2 or v3 header as qemu-img writes it: header, extensions, then
 * the backing name. */
static guint8 *
build_qcow2 (const Qcow2Spec *s)
{
  guint8 *b = g_malloc0 (Q_SIZE);
  gsize at = s->version == 2 ? 72 : 112;
  memcpy (b, "QFI\xfb", 4);
  put_be32 (b, 4, s->version);
  put_be32 (b, 20, 16);
  put_be64 (b, 24, 64 << 20);
  put_be32 (b, 32, s->crypt);
  if (s->version == 3) {
    put_be64 (b, 72, s->incompat);
    put_be32 (b, 96, 4);
    put_be32 (b, 100, 112);
  }
  if (s->format) {
    put_be32 (b, at, 0xe2792aca);
    put_be32 (b, at + 4, (guint32) strlen (s->format));
    memcpy (b + at + 8, s->format, strlen (s->format));
    at += 8 + ((strlen (s->format) + 7) & ~(gsize) 7);
  }
  at += 8; /* end extension: zeros */
  if (s->backing) {
    put_be64 (b, 8, at);
    put_be32 (b, 16, (guint32) strlen (s->backing));
    memcpy (b + at, s->backing, strlen (s->backing));
  }
  return b;
}

static void
test_qcow2_good (void)
{
  static const Qcow2Spec specs[] = {
    { 3, "base.qcow2", "qcow2", 0, 0 },
    { 3, NULL, NULL, 1, 0 },
    { 2, "../b/base.raw", "raw", 0, 0 },
    { 3, "base.img", NULL, 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++) {
    g_autofree guint8 *b = build_qcow2 (&specs[i]);
    BootfixQcow2Header h;
    g_autoptr (GError) error = NULL;
    g_assert_true (bootfix_qcow2_header_parse (b, Q_SIZE, &h, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (h.version, ==, specs[i].version);
    g_assert_cmpuint (h.cluster_bits, ==, 16);
    g_assert_cmpuint (h.size, ==, 64 << 20);
    g_assert_cmpstr (h.backing_file, ==, specs[i].backing);
    g_assert_cmpstr (h.backing_format, ==, specs[i].format);
    g_assert_cmpint (h.dirty, ==, specs[i].incompat == 1);
    g_assert_cmpstr (bootfix_image_format_probe (b, Q_SIZE, NULL, 0), ==, "qcow2");
    g_autofree char *name = g_strdup_printf ("good-%u", i);
    write_seed ("fuzz-qcow2-header", name, b, 512);
    bootfix_qcow2_header_clear (&h);
  }
}

typedef struct {
  const char *what;
  gsize at;        /* byte to overwrite, or G_MAXSIZE for none */
  guint32 value;   /* big-endian 32-bit value written there */
  gsize size;      /* bytes handed over; 0: Q_SIZE */
} Qcow2Damage;

static void
test_qcow2_bad (void)
{
  /* Every case starts from a v3 header with backing "base.qcow2",
   * format qcow2: extensions at 112, end at 128, name at 136. */
  static const Qcow2Damage cases[] = {
    { "bad magic", 0, 0x51464900, 0 },
    { "version 1", 4, 1, 0 },
    { "version 4", 4, 4, 0 },
    { "cluster bits 8", 20, 8, 0 },
    { "cluster bits 22", 20, 22, 0 },
    { "AES encryption", 32, 1, 0 },
    { "LUKS encryption", 32, 2, 0 },
    { "corrupt bit", 76, 2, 0 },
    { "external data file bit", 76, 4, 0 },
    { "unknown incompatible bit", 76, 0x20, 0 },
    { "high incompatible bit", 72, 0x80000000, 0 },
    { "header length 100", 100, 100, 0 },
    { "header length not 8-aligned", 100, 108, 0 },
    { "header length past the cluster", 100, 0x20000, 0 },
    { "extension larger than the area", 116, 0x10000, 0 },
    { "data file extension", 112, 0x44415441, 0 },
    { "backing format name of 16 bytes", 116, 16, 0 },
    { "backing offset past the cluster", 12, 0x10008, 0 },
    { "backing name of 1024 bytes", 16, 1024, 0 },
    { "backing name past the cluster", 12, 0xffff0, 0 },
    { "backing name past the bytes given", G_MAXSIZE, 0, 140 },
    { "header cut short", G_MAXSIZE, 0, 60 },
    { "v3 header cut short", G_MAXSIZE, 0, 90 },
    { "NUL in the backing name", 136, 0x62610063, 0 },
    { "control character in the backing name", 136, 0x6261011b, 0 },
    { "empty backing name", 16, 0, 0 },
  };
  static const Qcow2Spec base = { 3, "base.qcow2", "qcow2", 0, 0 };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree guint8 *b = build_qcow2 (&base);
    if (cases[i].at != G_MAXSIZE)
      put_be32 (b, cases[i].at, cases[i].value);
    BootfixQcow2Header h;
    g_autoptr (GError) error = NULL;
    g_test_message ("case: %s", cases[i].what);
    g_assert_false (bootfix_qcow2_header_parse (b, cases[i].size ? cases[i].size : Q_SIZE,
                                                &h, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    g_test_message ("  refused: %s", error->message);
    g_assert_null (h.backing_file);
    g_assert_null (h.backing_format);
  }
}

static void
test_qcow2_duplicate_format (void)
{
  static const Qcow2Spec spec = { 3, "base.qcow2", "qcow2", 0, 0 };
  g_autofree guint8 *b = build_qcow2 (&spec);
  /* a second backing format extension where the end marker was */
  put_be32 (b, 128, 0xe2792aca);
  put_be32 (b, 132, 3);
  memcpy (b + 136, "raw\0\0\0\0\0", 8);
  put_be64 (b, 8, 152);
  memcpy (b + 152, "base.qcow2", 10);
  BootfixQcow2Header h;
  g_autoptr (GError) error = NULL;
  g_assert_false (bootfix_qcow2_header_parse (b, Q_SIZE, &h, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

/* ---- probing ---- */

static void
test_probe (void)
{
  guint8 head[512] = { 0 }, tail[512] = { 0 };
  g_assert_cmpstr (bootfix_image_format_probe (head, 512, tail, 512), ==, "raw");
  g_assert_cmpstr (bootfix_image_format_probe (head, 0, tail, 0), ==, "raw");
  memcpy (tail, "conectix", 8);
  g_assert_cmpstr (bootfix_image_format_probe (head, 512, tail, 512), ==, "vpc");
  memset (tail, 0, 8);
  static const struct { const char *magic; gsize len; const char *format; } magics[] = {
    { "QFI\xfb\0\0\0\3", 8, "qcow2" },
    { "QFI\xfb\0\0\0\1", 8, "qcow" },
    { "vhdxfile", 8, "vhdx" },
    { "conectix", 8, "vpc" },
    { "KDMV", 4, "vmdk" },
    { "COWD", 4, "vmdk" },
    { "# Disk DescriptorFile\n", 22, "vmdk" },
    { "QED\0", 4, "qed" },
    { "LUKS\xba\xbe", 6, "luks" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (magics); i++) {
    memset (head, 0, sizeof head);
    memcpy (head, magics[i].magic, magics[i].len);
    g_assert_cmpstr (bootfix_image_format_probe (head, 512, tail, 512), ==,
                     magics[i].format);
  }
  memset (head, 0, sizeof head);
  bootfix_write_le32 (head, 512, 0x40, 0xbeda107f);
  g_assert_cmpstr (bootfix_image_format_probe (head, 512, NULL, 0), ==, "vdi");
  g_assert_true (bootfix_image_format_handled ("vhdx"));
  g_assert_false (bootfix_image_format_handled ("qed"));
  g_assert_false (bootfix_image_format_handled ("auto"));
  g_assert_false (bootfix_image_format_handled (NULL));
}

/* ---- VMDK ---- */

static const char twogb[] =
  "# Disk DescriptorFile\nversion=1\nCID=41c81dea\nparentCID=ffffffff\n"
  "createType=\"twoGbMaxExtentSparse\"\n\n# Extent description\n"
  "RW 4194304 SPARSE \"t2-s001.vmdk\"\nRW 4194304 SPARSE \"t2-s002.vmdk\"\n"
  "RW 2097152 SPARSE \"t2-s003.vmdk\"\n\n# The Disk Data Base\n#DDB\n\n"
  "ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n";

static void
test_vmdk_descriptor_good (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixVmdkDescriptor) d =
    bootfix_vmdk_descriptor_parse (twogb, strlen (twogb), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->create_type, ==, "twoGbMaxExtentSparse");
  g_assert_cmpuint (d->extents->len, ==, 3);
  BootfixVmdkExtent *e = g_ptr_array_index (d->extents, 2);
  g_assert_cmpint (e->kind, ==, BOOTFIX_VMDK_EXTENT_SPARSE);
  g_assert_cmpuint (e->sectors, ==, 2097152);
  g_assert_cmpstr (e->file, ==, "t2-s003.vmdk");
  g_assert_false (bootfix_vmdk_names_parent (twogb, strlen (twogb)));
  g_assert_true (bootfix_vmdk_create_type_writable (d->create_type));
  write_seed ("fuzz-vmdk-descriptor", "twogb-sparse", twogb, strlen (twogb));

  static const char flat[] =
    "# Disk DescriptorFile\ncreateType=\"monolithicFlat\"\n"
    "RW 131072 FLAT \"disk-flat.vmdk\" 0\n"
    "# a comment line: skipped\n"
    "RW 0 FLAT \"skipped.vmdk\" 0\n"        /* zero sectors: skipped too */
    "RW 10 ZERO \"zero\"\n"                 /* a type qemu ignores */
    "RW 2048 VMFS \"/abs/vmfs.vmdk\"\n"
    "  RW\n  100\tFLAT \"spanning.vmdk\" 7\n"; /* sscanf reads across lines */
  g_clear_pointer (&d, bootfix_vmdk_descriptor_free);
  d = bootfix_vmdk_descriptor_parse (flat, strlen (flat), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->extents->len, ==, 3);
  e = g_ptr_array_index (d->extents, 0);
  g_assert_cmpint (e->kind, ==, BOOTFIX_VMDK_EXTENT_FLAT);
  g_assert_cmpstr (e->file, ==, "disk-flat.vmdk");
  e = g_ptr_array_index (d->extents, 1);
  g_assert_cmpstr (e->file, ==, "/abs/vmfs.vmdk");
  e = g_ptr_array_index (d->extents, 2);
  g_assert_cmpstr (e->file, ==, "spanning.vmdk");
  g_assert_cmpuint (e->offset, ==, 7);
  write_seed ("fuzz-vmdk-descriptor", "flat-odd-lines", flat, strlen (flat));
}

static void
test_vmdk_descriptor_bad (void)
{
  static const struct { const char *what; const char *text; } cases[] = {
    { "no createType", "RW 100 SPARSE \"a.vmdk\"\n" },
    { "createType without a closing quote", "createType=\"twoGbMaxExtentSparse\nRW 1 SPARSE \"a\"\n" },
    { "createType at the very end", "createType" },
    { "monolithicSparse in a text descriptor", "createType=\"monolithicSparse\"\nRW 1 SPARSE \"a\"\n" },
    { "streamOptimized in a text descriptor", "createType=\"streamOptimized\"\nRW 1 SPARSE \"a\"\n" },
    { "vmfsSparse", "createType=\"vmfsSparse\"\nRW 1 VMFSSPARSE \"a\"\n" },
    { "seSparse", "createType=\"seSparse\"\nRW 1 SESPARSE \"a\"\n" },
    { "no extent", "createType=\"monolithicFlat\"\n# nothing\n" },
    { "FLAT without an offset", "createType=\"monolithicFlat\"\nRW 100 FLAT \"a\"\n" },
    { "FLAT with a negative offset", "createType=\"monolithicFlat\"\nRW 100 FLAT \"a\" -1\n" },
    { "VMFS with an offset", "createType=\"vmfs\"\nRW 100 VMFS \"a\" 5\n" },
    { "SPARSE with an offset", "createType=\"twoGbMaxExtentSparse\"\nRW 100 SPARSE \"a\" 5\n" },
    { "read-only extent", "createType=\"twoGbMaxExtentSparse\"\nRW 1 SPARSE \"a\"\nRDONLY 1 SPARSE \"b\"\n" },
    { "no-access extent", "createType=\"twoGbMaxExtentFlat\"\nNOACCESS 1 FLAT \"b\" 0\n" },
    { "VMFSSPARSE extent", "createType=\"twoGbMaxExtentSparse\"\nRW 1 VMFSSPARSE \"a\"\n" },
    { "control character in a name", "createType=\"twoGbMaxExtentSparse\"\nRW 1 SPARSE \"a\tb\"\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_test_message ("case: %s", cases[i].what);
    g_assert_null (bootfix_vmdk_descriptor_parse (cases[i].text, strlen (cases[i].text),
                                                  &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    g_test_message ("  refused: %s", error->message);
  }
  /* a name of 511 bytes or more: qemu would open it cut short */
  g_autofree char *name = g_strnfill (600, 'n');
  g_autofree char *long_line = g_strdup_printf (
    "createType=\"twoGbMaxExtentSparse\"\nRW 1 SPARSE \"%s\"\n", name);
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_vmdk_descriptor_parse (long_line, strlen (long_line), &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  /* text after a NUL is not read, as qemu does not read it */
  static const char cut[] = "createType=\"monolithicFlat\"\nRW 1 FLAT \"a\" 0\n\0RW 1 FLAT \"/etc/x\" 0\n";
  g_autoptr (BootfixVmdkDescriptor) d = bootfix_vmdk_descriptor_parse (cut, sizeof cut - 1, NULL);
  g_assert_nonnull (d);
  g_assert_cmpuint (d->extents->len, ==, 1);
}

static void
test_vmdk_parent (void)
{
  static const char snap[] = "createType=\"monolithicSparse\"\n# parentFileNameHint=\"x\"\n";
  g_assert_true (bootfix_vmdk_names_parent (snap, strlen (snap)));
  g_autofree char *spaces = g_strnfill (BOOTFIX_VMDK_PARENT_WINDOW, ' ');
  g_autofree char *far = g_strdup_printf ("%s parentFileNameHint=\"x\"", spaces);
  g_assert_false (bootfix_vmdk_names_parent (far, strlen (far)));
  static const char after_nul[] = "a\0parentFileNameHint=\"x\"";
  g_assert_false (bootfix_vmdk_names_parent (after_nul, sizeof after_nul - 1));
  g_assert_false (bootfix_vmdk_create_type_writable ("streamOptimized"));
  g_assert_false (bootfix_vmdk_create_type_writable (NULL));
}

static void
test_vmdk_sparse_header (void)
{
  guint8 h[512] = { 0 };
  BootfixVmdkSparseHeader s;
  g_autoptr (GError) error = NULL;
  memcpy (h, "KDMV", 4);
  bootfix_write_le32 (h, 512, 4, 1);
  bootfix_write_le64 (h, 512, 12, 131072);
  bootfix_write_le64 (h, 512, 28, 1);
  g_assert_true (bootfix_vmdk_sparse_header_parse (h, 512, &s, &error));
  g_assert_cmpuint (s.capacity, ==, 131072);
  g_assert_cmpuint (s.descriptor_offset, ==, 1);
  g_assert_true (bootfix_vmdk_sparse_writable (&s));
  write_seed ("fuzz-vmdk-descriptor", "sparse-header", h, 512);
  bootfix_write_le16 (h, 512, 77, 1);
  g_assert_true (bootfix_vmdk_sparse_header_parse (h, 512, &s, NULL));
  g_assert_false (bootfix_vmdk_sparse_writable (&s));
  bootfix_write_le16 (h, 512, 77, 0);
  bootfix_write_le32 (h, 512, 4, 3);
  g_assert_true (bootfix_vmdk_sparse_header_parse (h, 512, &s, NULL));
  g_assert_false (bootfix_vmdk_sparse_writable (&s));
  static const struct { const char *what; gsize at; guint32 v; gsize size; } bad[] = {
    { "version 0", 4, 0, 512 }, { "version 4", 4, 4, 512 },
    { "bad magic", 0, 0x4b444d00, 512 }, { "short", 4, 1, 100 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    guint8 c[512];
    memcpy (c, h, 512);
    bootfix_write_le32 (c, 512, bad[i].at, bad[i].v);
    g_clear_error (&error);
    g_test_message ("case: %s", bad[i].what);
    g_assert_false (bootfix_vmdk_sparse_header_parse (c, bad[i].size, &s, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  }
  memcpy (h, "COWD", 4);
  g_clear_error (&error);
  g_assert_false (bootfix_vmdk_sparse_header_parse (h, 512, &s, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

/* ---- VHD ---- */

static void
build_vhd_footer (guint8 *f, guint32 type)
{
  memset (f, 0, 512);
  memcpy (f, "conectix", 8);
  put_be64 (f, 48, 64 << 20);
  put_be32 (f, 60, type);
}

static void
test_vhd (void)
{
  guint8 head[512] = { 0 }, tail[512];
  BootfixVhdFooter footer;
  g_autoptr (GError) error = NULL;
  build_vhd_footer (tail, BOOTFIX_VHD_FIXED);
  g_assert_true (bootfix_vhd_footer_parse (head, 512, tail, 512, &footer, &error));
  g_assert_cmpint (footer.type, ==, BOOTFIX_VHD_FIXED);
  g_assert_cmpuint (footer.current_size, ==, 64 << 20);
  write_seed ("fuzz-vhd", "fixed-footer", tail, 512);
  /* the copy at the start wins, as in qemu */
  build_vhd_footer (head, BOOTFIX_VHD_DYNAMIC);
  g_assert_true (bootfix_vhd_footer_parse (head, 512, tail, 512, &footer, &error));
  g_assert_cmpint (footer.type, ==, BOOTFIX_VHD_DYNAMIC);
  static const guint32 bad_types[] = { 0, 1, 4, 5, 0xffffffff };
  for (guint i = 0; i < G_N_ELEMENTS (bad_types); i++) {
    build_vhd_footer (head, bad_types[i]);
    g_clear_error (&error);
    g_assert_false (bootfix_vhd_footer_parse (head, 512, tail, 512, &footer, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  }
  memset (head, 0, 512);
  memset (tail, 0, 512);
  g_clear_error (&error);
  g_assert_false (bootfix_vhd_footer_parse (head, 512, tail, 512, &footer, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  build_vhd_footer (tail, BOOTFIX_VHD_FIXED);
  g_clear_error (&error);
  g_assert_false (bootfix_vhd_footer_parse (head, 0, tail, 100, &footer, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

/* ---- VHDX ---- */

static const guint8 metadata_region[16] = {
  0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b,
  0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e };
static const guint8 bat_region[16] = {
  0x66, 0x77, 0xc2, 0x2d, 0x23, 0xf6, 0x00, 0x42,
  0x9d, 0x64, 0x11, 0x5e, 0x9b, 0xfd, 0x4a, 0x08 };
static const guint8 item_guids[][16] = {
  /* file parameters, virtual size, logical sector, physical sector, parent locator */
  { 0x37, 0x67, 0xa1, 0xca, 0x36, 0xfa, 0x43, 0x4d, 0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b },
  { 0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48, 0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8 },
  { 0x1d, 0xbf, 0x41, 0x81, 0x6f, 0xa9, 0x09, 0x47, 0xba, 0x47, 0xf2, 0x33, 0xa8, 0xfa, 0xab, 0x5f },
  { 0xc7, 0x48, 0xa3, 0xcd, 0x5d, 0x44, 0x71, 0x44, 0x9c, 0xc9, 0xe9, 0x88, 0x52, 0x51, 0xc5, 0x56 },
  { 0x2d, 0x5f, 0xd3, 0xa8, 0x0b, 0xb3, 0x4d, 0x45, 0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c },
};

#define META_SIZE (64 * 1024 + 4096)

/* A metadata region with n_items of the items above (4: no parent
 * locator), file parameter flags and logical sector size as given. */
static guint8 *
build_vhdx_metadata (guint n_items, guint32 flags, guint32 logical)
{
  guint8 *m = g_malloc0 (META_SIZE);
  memcpy (m, "metadata", 8);
  bootfix_write_le16 (m, META_SIZE, 10, (guint16) n_items);
  for (guint i = 0; i < n_items; i++) {
    gsize e = 32 + 32 * i;
    memcpy (m + e, item_guids[i], 16);
    bootfix_write_le32 (m, META_SIZE, e + 16, 65536 + 8 * i);
    bootfix_write_le32 (m, META_SIZE, e + 20, 8);
  }
  bootfix_write_le32 (m, META_SIZE, 65536, 32 << 20);
  bootfix_write_le32 (m, META_SIZE, 65536 + 4, flags);
  bootfix_write_le64 (m, META_SIZE, 65536 + 8, 64 << 20);
  bootfix_write_le32 (m, META_SIZE, 65536 + 16, logical);
  bootfix_write_le32 (m, META_SIZE, 65536 + 24, 4096);
  return m;
}

static void
test_vhdx (void)
{
  guint8 rt[512] = { 0 };
  guint64 off = 0;
  guint32 len = 0;
  g_autoptr (GError) error = NULL;
  memcpy (rt, "regi", 4);
  bootfix_write_le32 (rt, 512, 8, 2);
  memcpy (rt + 16, bat_region, 16);
  bootfix_write_le64 (rt, 512, 32, 2 << 20);
  memcpy (rt + 48, metadata_region, 16);
  bootfix_write_le64 (rt, 512, 64, 3 << 20);
  bootfix_write_le32 (rt, 512, 72, 1 << 20);
  g_assert_true (bootfix_vhdx_region_table_parse (rt, 512, &off, &len, &error));
  g_assert_cmpuint (off, ==, 3 << 20);
  g_assert_cmpuint (len, ==, 1 << 20);
  write_seed ("fuzz-vhdx", "region-table", rt, 512);
  g_assert_true (bootfix_vhdx_signature_ok ((const guint8 *) "vhdxfile", 8));

  static const struct { const char *what; gsize at; guint32 v; } bad_rt[] = {
    { "bad signature", 0, 0 }, { "2048 entries", 8, 2048 }, { "entries past the end", 8, 20 },
    { "no metadata region", 48, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad_rt); i++) {
    guint8 c[512];
    memcpy (c, rt, 512);
    bootfix_write_le32 (c, 512, bad_rt[i].at, bad_rt[i].v);
    g_clear_error (&error);
    g_test_message ("case: %s", bad_rt[i].what);
    g_assert_false (bootfix_vhdx_region_table_parse (c, 512, &off, &len, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  }
  /* two metadata regions */
  memcpy (rt + 16, metadata_region, 16);
  g_clear_error (&error);
  g_assert_false (bootfix_vhdx_region_table_parse (rt, 512, &off, &len, &error));

  g_autofree guint8 *m = build_vhdx_metadata (4, 0, 512);
  BootfixVhdxParameters p;
  g_clear_error (&error);
  g_assert_true (bootfix_vhdx_metadata_parse (m, META_SIZE, &p, &error));
  g_assert_cmpuint (p.logical_sector_size, ==, 512);
  g_assert_cmpuint (p.physical_sector_size, ==, 4096);
  g_assert_cmpuint (p.virtual_size, ==, 64 << 20);
  g_assert_cmpuint (p.block_size, ==, 32 << 20);
  /* fuzz-vhdx's framing: 1 KiB of table, then what lies at 64 KiB */
  g_autofree guint8 *seed = g_malloc (1024 + 64);
  memcpy (seed, m, 1024);
  memcpy (seed + 1024, m + 65536, 64);
  write_seed ("fuzz-vhdx", "metadata", seed, 1024 + 64);

  static const struct { const char *what; guint n; guint32 flags; guint32 logical; gsize size; } bad_m[] = {
    { "has parent flag", 4, 2, 512, META_SIZE },
    { "parent locator item", 5, 0, 512, META_SIZE },
    { "no logical sector size", 2, 0, 512, META_SIZE },
    { "logical sector 1024", 4, 0, 1024, META_SIZE },
    { "items past the bytes given", 4, 0, 512, 65536 + 8 },
    { "table cut short", 4, 0, 512, 40 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad_m); i++) {
    g_autofree guint8 *c = build_vhdx_metadata (bad_m[i].n, bad_m[i].flags, bad_m[i].logical);
    g_clear_error (&error);
    g_test_message ("case: %s", bad_m[i].what);
    g_assert_false (bootfix_vhdx_metadata_parse (c, bad_m[i].size, &p, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  }
  /* an item offset inside the table itself */
  bootfix_write_le32 (m, META_SIZE, 32 + 16, 100);
  g_clear_error (&error);
  g_assert_false (bootfix_vhdx_metadata_parse (m, META_SIZE, &p, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/image-headers/qcow2/good", test_qcow2_good);
  g_test_add_func ("/image-headers/qcow2/bad", test_qcow2_bad);
  g_test_add_func ("/image-headers/qcow2/duplicate-format", test_qcow2_duplicate_format);
  g_test_add_func ("/image-headers/probe", test_probe);
  g_test_add_func ("/image-headers/vmdk/descriptor-good", test_vmdk_descriptor_good);
  g_test_add_func ("/image-headers/vmdk/descriptor-bad", test_vmdk_descriptor_bad);
  g_test_add_func ("/image-headers/vmdk/parent", test_vmdk_parent);
  g_test_add_func ("/image-headers/vmdk/sparse-header", test_vmdk_sparse_header);
  g_test_add_func ("/image-headers/vhd", test_vhd);
  g_test_add_func ("/image-headers/vhdx", test_vhdx);
  return g_test_run ();
}
