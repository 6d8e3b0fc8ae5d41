/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the NTFS boot sector codec (ntfs-boot.c).
 * Where the input parses: the backup location is consistent, a patch
 * with geometry taken from the input keeps the length, changes nothing
 * outside 0x18..0x1F, reports exactly the bytes it changed, and the
 * result parses with the new values.  Bad geometry is refused. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "ntfs-boot.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define GEOMETRY_START 0x18
#define GEOMETRY_END 0x20

static void
check_patch (const uint8_t *data, size_t size, const BootfixNtfsBoot *b)
{
  /* New values derived from the input so the fuzzer steers them. */
  BootfixNtfsGeometry geo = {
    (data[0] & 1) != 0, (guint64) b->serial & 0xFFFFFFFF,
    (data[0] & 2) != 0, (guint16) (1 + b->serial % 63),
    (data[0] & 4) != 0, (guint16) (1 + (b->serial >> 8) % 255),
  };
  GArray *changes = NULL;
  guint8 *out = bootfix_ntfs_boot_patch (data, size, &geo, &changes, NULL);
  BootfixNtfsBoot again;

  g_assert (out != NULL && changes != NULL && changes->len <= 3);
  for (size_t i = 0; i < size; i++)
    g_assert (out[i] == data[i] || (i >= GEOMETRY_START && i < GEOMETRY_END));
  for (guint i = 0; i < changes->len; i++) {
    const BootfixNtfsChange *c = &g_array_index (changes, BootfixNtfsChange, i);
    g_assert (c->old_value != c->new_value);
    g_assert (c->offset >= GEOMETRY_START && c->offset + c->width <= GEOMETRY_END);
  }
  g_assert (bootfix_ntfs_boot_parse (out, size, &again, NULL));
  g_assert (!geo.set_heads || again.heads == geo.heads);
  g_assert (!geo.set_sectors_per_track || again.sectors_per_track == geo.sectors_per_track);
  g_assert (!geo.set_hidden_sectors || again.hidden_sectors == geo.hidden_sectors);
  g_assert (again.total_sectors == b->total_sectors && again.serial == b->serial);
  if (geo.set_heads && geo.set_sectors_per_track)
    g_assert (again.geometry_valid);
  g_array_unref (changes);
  g_free (out);
}

static void
check_refusals (const uint8_t *data, size_t size)
{
  static const BootfixNtfsGeometry bad[] = {
    { FALSE, 0, TRUE, 0, FALSE, 0 },
    { FALSE, 0, TRUE, 64, FALSE, 0 },
    { FALSE, 0, FALSE, 0, TRUE, 0 },
    { FALSE, 0, FALSE, 0, TRUE, 256 },
    { TRUE, G_GUINT64_CONSTANT (1) << 32, FALSE, 0, FALSE, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *error = NULL;
    g_assert (bootfix_ntfs_boot_patch (data, size, &bad[i], NULL, &error) == NULL);
    g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED));
    g_error_free (error);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  BootfixNtfsBoot b;
  GError *error = NULL;
  guint64 offset = 0;

  if (!bootfix_ntfs_boot_parse (data, size, &b, &error)) {
    g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    g_assert (g_utf8_validate (error->message, -1, NULL));
    g_error_free (error);
    return 0;
  }
  g_assert (b.cluster_size == b.sectors_per_cluster * b.bytes_per_sector);
  g_assert (b.cluster_size <= BOOTFIX_MAX_NTFS_CLUSTER_SIZE);
  g_assert (b.backup_offset == b.total_sectors * b.bytes_per_sector);
  g_assert (bootfix_ntfs_boot_backup_location (&b, b.backup_offset + b.bytes_per_sector,
                                               &offset, NULL));
  g_assert (offset == b.backup_offset);
  g_assert (!bootfix_ntfs_boot_backup_location (&b, b.backup_offset, &offset, NULL));
  check_patch (data, size, &b);
  check_refusals (data, size);
  return 0;
}
