/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the cabinet reader (cabinet.c): the cabinets
 * data/cabinet/make-cabs.py writes (stored, MSZIP, LZX, Quantum, reserve
 * areas, an LZX frame that crashes libgcab), one libgcab writes here,
 * and damaged copies of them: truncated at many lengths, bit flips,
 * oversize claims.  Extraction runs in a child (what callers get) and,
 * where libgcab is safe (stored, MSZIP), in this process too. */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <glib.h>
#include <gio/gio.h>
#include <libgcab.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "cabinet.h"

/* make-cabs.py content(): compressible, name-dependent bytes. */
static GBytes *
make_content (const char *name, gsize size)
{
  guint8 *out = g_malloc (size + 1);
  guint seed = 0;

  for (const char *p = name; *p; p++)
    seed += (guint8) *p;
  for (gsize i = 0; i < size; i++)
    out[i] = (guint8) ((seed & 0xFF) + i / 7 + (i % 13) * 3);
  return g_bytes_new_take (out, size);
}

static GBytes *
load_cab (const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("BOOTFIX_TEST_DATA"), "cabinet",
                                            file, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

typedef gboolean (*ExtractFunc) (GBytes *, const char *, const char *, GBytes **,
                                 GError **);

static const struct {
  const char *how;
  ExtractFunc extract;
} extractors[] = {
  { "child", bootfix_cabinet_extract },
  { "in-process", bootfix_cabinet_extract_in_process },
};

/* ---- Good cabinets ------------------------------------------------- */

static const struct {
  const char *cab;
  const char *lookup;
  const char *member;  /* the name content came from */
  gsize size;
} good[] = {
  /* stored folder */
  { "multi.cab", "Intelide.sys", "Intelide.sys", 3000 },
  { "multi.cab", "INTELIDE.SYS", "Intelide.sys", 3000 },
  { "multi.cab", "pciide.sys", "sub\\PCIIDE.SYS", 40000 },    /* 2 blocks */
  { "multi.cab", "SUB\\pciide.sys", "sub\\PCIIDE.SYS", 40000 },
  { "multi.cab", "sub/pciide.sys", NULL, 0 },                 /* no such */
  /* MSZIP folder: blocks chained through the deflate dictionary */
  { "multi.cab", "atapi.sys", "i386\\atapi.sys", 100000 },
  { "multi.cab", "I386\\ATAPI.SYS", "i386\\atapi.sys", 100000 },
  { "multi.cab", "PciIdeX.sys", "pciidex.sys", 5000 },
  { "multi.cab", "empty.txt", "empty.txt", 0 },
  /* absent: names that only contain, end with or start a member's */
  { "multi.cab", "missing.sys", NULL, 0 },
  { "multi.cab", "ide.sys", NULL, 0 },
  { "multi.cab", "i386", NULL, 0 },
  { "multi.cab", "atapi", NULL, 0 },
  { "multi.cab", "\\atapi.sys", NULL, 0 },
  /* LZX:15, uncompressed LZX blocks */
  { "lzx.cab", "lzx.sys", "lzx.sys", 40000 },
  { "lzx.cab", "LZX.INF", "lzx.inf", 333 },
  /* reserve areas, previous/next cabinet names */
  { "reserve.cab", "res.sys", "r\\res.sys", 50000 },
  /* a whole-name match beats an earlier last-component match; among
   * last-component matches the first wins */
  { "prefer.cab", "atapi.sys", "atapi.sys", 200 },
  { "prefer.cab", "x\\atapi.sys", "x\\ATAPI.SYS", 100 },
  { "prefer.cab", "f.sys", "a\\f.sys", 300 },
  { "prefer.cab", "B\\F.SYS", "b\\f.sys", 400 },
};

static void
test_good (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (GBytes) cab = load_cab (good[i].cab);
    for (gsize e = 0; e < G_N_ELEMENTS (extractors); e++) {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) out = NULL;
      g_test_message ("%s: %s (%s)", good[i].cab, good[i].lookup, extractors[e].how);
      g_assert_true (extractors[e].extract (cab, good[i].cab, good[i].lookup, &out,
                                            &error));
      g_assert_no_error (error);
      if (good[i].member == NULL) {
        g_assert_null (out);
        continue;
      }
      g_autoptr (GBytes) want = make_content (good[i].member, good[i].size);
      g_assert_nonnull (out);
      g_assert_cmpuint (g_bytes_get_size (out), ==, good[i].size);
      g_assert_true (g_bytes_equal (out, want));
    }
  }
}

/* A cabinet libgcab itself writes (MSZIP, several blocks). */
static void
test_libgcab_written (void)
{
  g_autoptr (GCabCabinet) cabinet = gcab_cabinet_new ();
  g_autoptr (GCabFolder) folder = gcab_folder_new (GCAB_COMPRESSION_MSZIP);
  g_autoptr (GBytes) data = make_content ("pciide.sys", 70000);
  g_autoptr (GCabFile) file = gcab_file_new_with_bytes ("drivers\\pciide.sys", data);
  g_autoptr (GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) cab = NULL;
  g_autoptr (GBytes) out = NULL;

  g_assert_true (gcab_folder_add_file (folder, file, FALSE, NULL, &error));
  g_assert_true (gcab_cabinet_add_folder (cabinet, folder, &error));
  g_assert_true (gcab_cabinet_write_simple (cabinet, stream, NULL, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
  cab = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
  g_assert_true (bootfix_cabinet_extract (cab, "written.cab", "PCIIDE.SYS", &out,
                                          &error));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (out, data));
}

/* ---- Damaged cabinets ---------------------------------------------- */

/* Failure must be a bootfix error naming the cabinet, with *out NULL. */
static void
assert_refused (gboolean ok, GError *error, GBytes *out, const char *cab_name)
{
  g_assert_false (ok);
  g_assert_null (out);
  g_assert_nonnull (error);
  g_assert_true (error->domain == BOOTFIX_ERROR);
  g_assert_true (error->code == BOOTFIX_ERROR_GUEST ||
                 error->code == BOOTFIX_ERROR_UNSUPPORTED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, cab_name));
}

static void
assert_guest_error (GBytes *cab, const char *lookup, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;
  gboolean ok = bootfix_cabinet_extract (cab, "C:\\x.cab", lookup, &out, &error);

  assert_refused (ok, error, out, "C:\\x.cab");
  g_assert_cmpint (error->code, ==, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, part);
}

static GBytes *
patched (GBytes *cab, gsize offset, const guint8 *bytes, gsize len)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (cab, &size);
  guint8 *copy = g_memdup2 (data, size);

  g_assert_true (bootfix_span_ok (size, offset, len));
  memcpy (copy + offset, bytes, len);
  return g_bytes_new_take (copy, size);
}

/* Every prefix of multi.cab, as it is (the header then says it is
 * longer) and with the header's size made to agree. */
static void
test_truncated (void)
{
  g_autoptr (GBytes) cab = load_cab ("multi.cab");
  gsize size = g_bytes_get_size (cab);
  guint n = 0;

  for (gsize len = 0; len < size; len += len < 400 ? 1 : 97, n++) {
    g_autoptr (GBytes) prefix = g_bytes_new_from_bytes (cab, 0, len);
    guint8 le[4];
    bootfix_write_le32 (le, 4, 0, (guint32) len);
    assert_guest_error (prefix, "pciidex.sys", "x.cab");
    if (len >= 12) {
      g_autoptr (GBytes) agreeing = patched (prefix, 8, le, 4);
      assert_guest_error (agreeing, "pciidex.sys", "x.cab");
      assert_guest_error (agreeing, "intelide.sys", "x.cab");
    }
  }
  g_test_message ("%u lengths", n);
}

/* Flip one bit at a time, in every byte of the first dense ones (the
 * entries) and then every stride-th: any outcome but a crash, a
 * non-bootfix error or a file past the limit is fine (names, offsets
 * and sizes carry no checksum, so some flips still give a file). */
static void
flip_all (const char *file, const char *lookup, gsize dense, gsize stride,
          ExtractFunc extract)
{
  g_autoptr (GBytes) cab = load_cab (file);
  gsize size = g_bytes_get_size (cab);
  guint n = 0, ok_count = 0;

  g_test_timer_start ();
  for (gsize at = 0; at < size; at += at < dense ? 1 : stride) {
    for (guint bit = 0; bit < 8; bit++, n++) {
      guint8 b = ((const guint8 *) g_bytes_get_data (cab, NULL))[at] ^ (1u << bit);
      g_autoptr (GBytes) flipped = patched (cab, at, &b, 1);
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) out = NULL;
      if (extract (flipped, file, lookup, &out, &error)) {
        ok_count++;
        g_assert_no_error (error);
        g_assert_true (out == NULL ||
                       g_bytes_get_size (out) <= BOOTFIX_CABINET_MAX_FILE_SIZE);
      } else {
        assert_refused (FALSE, error, out, file);
      }
    }
  }
  g_test_message ("%s: %u flips, %u gave a file or none, %.1f s", file, n, ok_count,
                  g_test_timer_elapsed ());
}

static void
test_bit_flips (void)
{
  flip_all ("multi.cab", "pciidex.sys", 300, 211, bootfix_cabinet_extract_in_process);
  flip_all ("reserve.cab", "res.sys", 300, 503, bootfix_cabinet_extract_in_process);
  /* A fork per flip that gets as far as libgcab: fewer flips. */
  flip_all ("multi.cab", "intelide.sys", 64, 4999, bootfix_cabinet_extract);
  /* LZX only in a child: libgcab's LZX decoder is not memory-safe. */
  flip_all ("lzx.cab", "lzx.sys", 96, 997, bootfix_cabinet_extract);
}

/* multi.cab's file entries: 16 bytes + name each, from byte 52. */
#define MULTI_FILES 52

static gsize
entry_offset (GBytes *cab, guint index)
{
  const guint8 *data = g_bytes_get_data (cab, NULL);
  gsize at = MULTI_FILES;

  for (guint i = 0; i < index; i++)
    at += 16 + strlen ((const char *) data + at + 16) + 1;
  return at;
}

static void
test_oversize (void)
{
  g_autoptr (GBytes) cab = load_cab ("multi.cab");
  guint8 le[4];
  gsize at = entry_offset (cab, 3);  /* pciidex.sys */

  g_assert_cmpstr ((const char *) g_bytes_get_data (cab, NULL) + at + 16, ==,
                   "pciidex.sys");
  bootfix_write_le32 (le, 4, 0, BOOTFIX_CABINET_MAX_FILE_SIZE + 1);
  g_autoptr (GBytes) huge_file = patched (cab, at, le, 4);
  assert_guest_error (huge_file, "pciidex.sys", "limit");
  /* Looking up another member fails too: the entry claims more than
   * its folder holds. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;
  g_assert_false (bootfix_cabinet_extract (huge_file, "x.cab", "atapi.sys", &out,
                                           &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "beyond"));

  /* A member whose offset runs past its folder. */
  bootfix_write_le32 (le, 4, 0, 0xFFFFFFF0);
  g_autoptr (GBytes) far = patched (cab, at + 4, le, 4);
  assert_guest_error (far, "pciidex.sys", "beyond");

  /* A cabinet over the size limit, mapped but never touched. */
  gsize big = BOOTFIX_CABINET_MAX_SIZE + (gsize) 4096;
  void *map = mmap (NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1, 0);
  g_assert_true (map != MAP_FAILED);
  g_autoptr (GBytes) huge_cab = g_bytes_new_static (map, big);
  assert_guest_error (huge_cab, "atapi.sys", "limit");
  g_clear_pointer (&huge_cab, g_bytes_unref);
  munmap (map, big);
}

static void
test_not_cabinets (void)
{
#define BYTES(s) s, sizeof (s) - 1
  static const struct {
    const char *name;
    const char *bytes;
    gsize len;
    const char *part;
  } junk[] = {
    { "empty", BYTES (""), "empty" },
    { "signature only", BYTES ("MSCF"), "not a cabinet" },
    { "zip", BYTES ("PK\3\4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "not a cabinet" },
    { "header of zeros", BYTES ("MSCF\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "header gives it 0 bytes" },
    { "size past the end", BYTES ("MSCF\0\0\0\0\xff\0\0\0\0\0\0\0\0\0\0\0"
                                  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "truncated to 36 of its 255 bytes" },
  };
#undef BYTES

  for (gsize i = 0; i < G_N_ELEMENTS (junk); i++) {
    g_autoptr (GBytes) cab = g_bytes_new_static (junk[i].bytes, junk[i].len);
    g_test_message ("%s", junk[i].name);
    assert_guest_error (cab, "atapi.sys", junk[i].part);
  }
}

static void
test_quantum (void)
{
  g_autoptr (GBytes) cab = load_cab ("quantum.cab");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  g_assert_false (bootfix_cabinet_extract (cab, "sp1.cab", "q.sys", &out, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "Quantum"));
  g_assert_nonnull (strstr (error->message, "sp1.cab"));
}

/* libgcab 1.5 would hand zlib 2^32 - 2 bytes of input for the second
 * block; the walk refuses it first. */
static void
test_mszip_short_block (void)
{
  g_autoptr (GBytes) cab = load_cab ("mszip-short.cab");

  assert_guest_error (cab, "short.sys", "data block 1 of folder 0");
}

/* Folder entries patched one at a time: a compression type, an LZX
 * window, a block count, a data offset. */
static void
test_bad_folders (void)
{
  static const struct {
    const char *cab;
    gsize offset;   /* CFFOLDER 0 is at 36 */
    guint8 byte;
    const char *part;
  } bad[] = {
    { "multi.cab", 36 + 6, 0x05, "unknown compression type 5" },
    { "lzx.cab", 36 + 7, 0x0E, "LZX window of 2^14" },
    { "lzx.cab", 36 + 7, 0x16, "LZX window of 2^22" },
    { "multi.cab", 36 + 4, 0xFF, "data block 2 of folder 0" }, /* 255 blocks */
    { "multi.cab", 36 + 2, 0x7F, "past its end" },            /* data offset */
    { "multi.cab", 16, 0x99, "file entries are said to start" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GBytes) cab = load_cab (bad[i].cab);
    g_autoptr (GBytes) broken = patched (cab, bad[i].offset, &bad[i].byte, 1);
    const char *lookup = g_str_equal (bad[i].cab, "lzx.cab") ? "lzx.sys" : "intelide.sys";
    g_test_message ("%s+%zu", bad[i].cab, bad[i].offset);
    assert_guest_error (broken, lookup, bad[i].part);
  }
}

/* A checksum libgcab rejects: the error comes back from the child. */
static void
test_bad_checksum (void)
{
  g_autoptr (GBytes) cab = load_cab ("multi.cab");
  gsize at = entry_offset (cab, 5);  /* first CFDATA: after the 5 entries */
  guint8 zero[4] = { 0 };
  g_autoptr (GBytes) broken = patched (cab, at, zero, 4);

  assert_guest_error (broken, "intelide.sys", "checksum");
}

/* libgcab 1.5 writes 129 bytes past its LZX window on this cabinet
 * (glibc then aborts on the corrupted heap): in a child that is an
 * error here.  Under valgrind or ASan the child may instead report and
 * exit non-zero (also an error), or finish with the 32 KiB its header
 * promises: this process must survive in every case. */
static void
test_libgcab_crash_isolated (void)
{
  g_autoptr (GBytes) cab = load_cab ("lzx-overrun.cab");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  if (bootfix_cabinet_extract (cab, "driver.cab", "overrun.sys", &out, &error)) {
    g_assert_cmpuint (g_bytes_get_size (out), ==, 32768);
    g_test_message ("libgcab did not crash");
    return;
  }
  assert_refused (FALSE, error, out, "driver.cab");
  g_assert_cmpint (error->code, ==, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "libgcab"));
  g_test_message ("%s", error->message);
}

/* ---- Order --------------------------------------------------------- */

static void
test_order (void)
{
  static const struct {
    const char *names;   /* space-separated; "" none */
    const char *ordered;
  } cases[] = {
    { "", "" },
    { "driver.cab", "driver.cab" },
    { "DRIVER.CAB sp1.cab", "sp1.cab DRIVER.CAB" },
    { "driver.cab sp2.cab SP3.CAB sp1.cab", "SP3.CAB sp2.cab sp1.cab driver.cab" },
    { "sp9.cab sp10.cab driver.cab", "sp10.cab sp9.cab driver.cab" },
    { "sp02.cab sp1.cab", "sp02.cab sp1.cab" },
    /* not driver-cache cabinets */
    { "drivers.cab spa.cab sp.cab sp1.cabx xsp1.cab sp1.cab.bak sp-1.cab sp1 driver",
      "" },
    { "sp1234567890.cab sp123456789.cab", "sp123456789.cab" },
    { "readme.txt sp1.cab Sp1.Cab", "Sp1.Cab sp1.cab" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (GStrv) names = g_strsplit (cases[i].names, " ", -1);
    g_auto (GStrv) ordered = NULL;
    g_autofree char *joined = NULL;

    if (cases[i].names[0] == '\0')
      g_clear_pointer (&names, g_strfreev);
    ordered = bootfix_cabinet_order ((const char *const *) names);
    joined = g_strjoinv (" ", ordered);
    g_assert_cmpstr (joined, ==, cases[i].ordered);
  }
}

/* libgcab's g_warn_if_fail() on inflate leftovers, from damaged
 * cabinets extracted in this process: expected. */
static void
drop_message (const char *domain, GLogLevelFlags level, const char *message,
              gpointer data)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("gcab", G_LOG_LEVEL_WARNING, drop_message, NULL);
  g_test_add_func ("/cabinet/good", test_good);
  g_test_add_func ("/cabinet/libgcab-written", test_libgcab_written);
  g_test_add_func ("/cabinet/truncated", test_truncated);
  g_test_add_func ("/cabinet/bit-flips", test_bit_flips);
  g_test_add_func ("/cabinet/oversize", test_oversize);
  g_test_add_func ("/cabinet/not-cabinets", test_not_cabinets);
  g_test_add_func ("/cabinet/quantum", test_quantum);
  g_test_add_func ("/cabinet/mszip-short-block", test_mszip_short_block);
  g_test_add_func ("/cabinet/bad-folders", test_bad_folders);
  g_test_add_func ("/cabinet/bad-checksum", test_bad_checksum);
  g_test_add_func ("/cabinet/libgcab-crash-isolated", test_libgcab_crash_isolated);
  g_test_add_func ("/cabinet/order", test_order);
  return g_test_run ();
}
