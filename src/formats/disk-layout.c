/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Partition tables from the first sectors of a disk: MBR, the EBR chain
 * of logical partitions, protective MBR + GPT.  Every byte comes from
 * the guest and may be hostile: all reads go through bytes.h, every
 * count is bounded by a BOOTFIX_MAX_* limit, the EBR chain is capped
 * and checked for cycles.
 * Layouts: docs/boot-formats.md, "Partition tables" ("MBR"; "GPT" =
 * UEFI spec 5.3). */
#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "disk-layout.h"
#include "bootfix-error.h"
#include "bytes.h"

/* MBR (docs/boot-formats.md, "MBR").  The table sits in the first 512 bytes of
 * sector 0 whatever the logical sector size. */
#define MBR_SIZE 512
#define MBR_DISK_SIGNATURE 0x1B8
#define MBR_TABLE 0x1BE
#define MBR_ENTRY_SIZE 16
#define MBR_N_ENTRIES 4
#define MBR_MAGIC_OFFSET 0x1FE
#define MBR_MAGIC_0 0x55
#define MBR_MAGIC_1 0xAA
#define MBR_STATUS_ACTIVE 0x80
#define MBR_TYPE_EMPTY 0x00
#define MBR_TYPE_PROTECTIVE 0xEE

/* GPT (docs/boot-formats.md, "GPT"; UEFI spec 5.3). */
#define GPT_HEADER_LBA 1
#define GPT_SIGNATURE "EFI PART"
#define GPT_SIGNATURE_LEN 8
#define GPT_REVISION_MAJOR 1
#define GPT_HEADER_MIN_SIZE 92
#define GPT_HEADER_CRC 16
#define GPT_ENTRY_MIN_SIZE 128
#define GPT_ENTRY_NAME 56
#define GPT_ENTRY_NAME_UNITS 36

/* How much of a hostile string an error message quotes. */
#define MAX_QUOTED_TEXT 64

#define MIN_SECTOR_SIZE 512
#define MAX_SECTOR_SIZE 4096

typedef struct {
  guint8 status;
  guint8 type;
  guint8 chs_start[3];
  guint8 chs_end[3];
  guint32 start;
  guint32 count;
} MbrEntry;

/* Where sectors come from: the caller's buffer first, then the reader. */
typedef struct {
  const guint8 *buf;
  gsize size;
  guint sector_size;
  BootfixSectorReadFunc read_func;
  gpointer user_data;
} Source;

/* ---- CRC-32 ------------------------------------------------------- */

static guint32 crc_table[256];

static void
crc_table_init (void)
{
  static gsize done = 0;
  if (!g_once_init_enter (&done))
    return;
  for (guint32 n = 0; n < 256; n++) {
    guint32 c = n;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
  g_once_init_leave (&done, 1);
}

/* Continue a CRC (pre-inverted state) over buf[offset, offset + len). */
static guint32
crc_update (guint32 crc, const guint8 *buf, gsize size, gsize offset, gsize len)
{
  crc_table_init ();
  for (gsize i = 0; i < len; i++) {
    guint8 b = 0;
    if (!bootfix_read_u8 (buf, size, offset + i, &b))
      break;
    crc = crc_table[(crc ^ b) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

guint32
bootfix_crc32 (const guint8 *buf, gsize size)
{
  return ~crc_update (0xFFFFFFFFu, buf, size, 0, size);
}

/* ---- GUID text ---------------------------------------------------- */

void
bootfix_guid_bytes_to_text (const guint8 guid[BOOTFIX_GUID_SIZE],
                            char text[BOOTFIX_GUID_TEXT_SIZE])
{
  guint32 d1 = 0;
  guint16 d2 = 0, d3 = 0;
  bootfix_read_le32 (guid, BOOTFIX_GUID_SIZE, 0, &d1);
  bootfix_read_le16 (guid, BOOTFIX_GUID_SIZE, 4, &d2);
  bootfix_read_le16 (guid, BOOTFIX_GUID_SIZE, 6, &d3);
  g_snprintf (text, BOOTFIX_GUID_TEXT_SIZE,
              "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", d1, d2, d3,
              guid[8], guid[9], guid[10], guid[11], guid[12], guid[13],
              guid[14], guid[15]);
}

char *
bootfix_guid_bytes_to_string (const guint8 guid[BOOTFIX_GUID_SIZE])
{
  char text[BOOTFIX_GUID_TEXT_SIZE];
  bootfix_guid_bytes_to_text (guid, text);
  return g_strdup (text);
}

/* Read n hex digits at text[pos]; FALSE on anything else. */
static gboolean
read_hex (const char *text, gsize pos, guint n, guint64 *out)
{
  guint64 v = 0;
  for (guint i = 0; i < n; i++) {
    int d = g_ascii_xdigit_value (text[pos + i]);
    if (d < 0)
      return FALSE;
    v = v << 4 | (guint) d;
  }
  *out = v;
  return TRUE;
}


/* Text to bytes, FALSE when the text is not exactly a GUID. */
static gboolean
guid_from_text (const char *text, guint8 guid[BOOTFIX_GUID_SIZE])
{
  /* Groups of 8-4-4-4-12 hex digits; the first three are integers
   * stored little-endian, the last two raw bytes in text order. */
  static const guint group_len[] = { 8, 4, 4, 4, 12 };
  gsize len = strlen (text);
  gsize pos = 0;
  guint64 v[G_N_ELEMENTS (group_len)];

  if (len == BOOTFIX_GUID_TEXT_SIZE - 1 && text[0] == '{' && text[len - 1] == '}')
    pos = 1;
  else if (len != BOOTFIX_GUID_TEXT_SIZE - 3)
    return FALSE;
  for (guint g = 0; g < G_N_ELEMENTS (group_len); g++) {
    if (g > 0 && text[pos++] != '-')
      return FALSE;
    if (!read_hex (text, pos, group_len[g], &v[g]))
      return FALSE;
    pos += group_len[g];
  }
  bootfix_write_le32 (guid, BOOTFIX_GUID_SIZE, 0, (guint32) v[0]);
  bootfix_write_le16 (guid, BOOTFIX_GUID_SIZE, 4, (guint16) v[1]);
  bootfix_write_le16 (guid, BOOTFIX_GUID_SIZE, 6, (guint16) v[2]);
  guid[8] = (guint8) (v[3] >> 8);
  guid[9] = (guint8) v[3];
  for (guint i = 0; i < 6; i++)
    guid[10 + i] = (guint8) (v[4] >> (8 * (5 - i)));
  return TRUE;
}

gboolean
bootfix_guid_text_to_bytes (const char *text, guint8 guid[BOOTFIX_GUID_SIZE],
                            GError **error)
{
  g_autofree char *quoted = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  if (guid_from_text (text, guid))
    return TRUE;
  /* Guest text: escaped, so the message stays printable UTF-8. */
  quoted = bootfix_quote_guest_text (text, MAX_QUOTED_TEXT);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, _("“%s” is not a GUID"), quoted);
  return FALSE;
}

gboolean
bootfix_guid_is_zero (const guint8 guid[BOOTFIX_GUID_SIZE])
{
  for (guint i = 0; i < BOOTFIX_GUID_SIZE; i++) {
    if (guid[i] != 0)
      return FALSE;
  }
  return TRUE;
}

/* ---- Sectors ------------------------------------------------------ */

/* A copy of n_bytes from sector lba on: from the caller's buffer when
 * they lie in it, else through the reader (whole sectors).  `what`
 * names the structure in the error. */
static guint8 *
source_read (const Source *src, guint64 lba, gsize n_bytes, const char *what,
             GError **error)
{
  guint64 n_sectors = (n_bytes + src->sector_size - 1) / src->sector_size;
  g_autofree guint8 *out = NULL;

  if (lba > G_MAXUINT64 / src->sector_size - n_sectors) {
    bootfix_guest_error (error, _("%s at LBA %" PRIu64 " lies beyond any disk"),
                 what, lba);
    return NULL;
  }
  if (lba * src->sector_size <= G_MAXSIZE &&
      bootfix_span_ok (src->size, lba * src->sector_size, n_bytes))
    return g_memdup2 (src->buf + lba * src->sector_size, n_bytes);
  if (src->read_func == NULL) {
    bootfix_guest_error (error, _("%s at LBA %" PRIu64 " lies beyond the %"
                          "zu" " bytes read"),
                 what, lba, src->size);
    return NULL;
  }
  out = g_malloc0 (n_sectors * src->sector_size);
  if (!src->read_func (lba, (guint) n_sectors, out, src->user_data, error))
    return NULL;
  return g_steal_pointer (&out);
}

static gboolean
has_boot_magic (const guint8 *sec, gsize size)
{
  guint8 b0 = 0, b1 = 0;
  return bootfix_read_u8 (sec, size, MBR_MAGIC_OFFSET, &b0) &&
         bootfix_read_u8 (sec, size, MBR_MAGIC_OFFSET + 1, &b1) &&
         b0 == MBR_MAGIC_0 && b1 == MBR_MAGIC_1;
}

static gboolean
is_all_zero (const guint8 *buf, gsize size)
{
  for (gsize i = 0; i < size; i++) {
    guint8 b = 0;
    if (bootfix_read_u8 (buf, size, i, &b) && b != 0)
      return FALSE;
  }
  return TRUE;
}

/* ---- MBR ---------------------------------------------------------- */

static gboolean
read_bytes (const guint8 *buf, gsize size, gsize offset, guint8 *out, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    if (!bootfix_read_u8 (buf, size, offset + i, &out[i]))
      return FALSE;
  }
  return TRUE;
}

/* Entry `slot` (0-3) of the table in a 512-byte MBR or EBR. */
static gboolean
read_mbr_entry (const guint8 *sec, gsize size, guint slot, MbrEntry *e)
{
  gsize off = MBR_TABLE + (gsize) slot * MBR_ENTRY_SIZE;
  return bootfix_read_u8 (sec, size, off, &e->status) &&
         read_bytes (sec, size, off + 1, e->chs_start, 3) &&
         bootfix_read_u8 (sec, size, off + 4, &e->type) &&
         read_bytes (sec, size, off + 5, e->chs_end, 3) &&
         bootfix_read_le32 (sec, size, off + 8, &e->start) &&
         bootfix_read_le32 (sec, size, off + 12, &e->count);
}

static gboolean
mbr_entry_is_empty (const MbrEntry *e)
{
  /* Windows and the partitioning tools use type 0 for an unused slot;
   * a zero length can describe nothing either. */
  return e->type == MBR_TYPE_EMPTY || e->count == 0;
}

static gboolean
mbr_type_is_extended (guint8 type)
{
  /* 0x05 CHS extended, 0x0F LBA extended (docs/boot-formats.md, "MBR"), 0x85
   * Linux extended: all three hold an EBR chain. */
  return type == 0x05 || type == 0x0F || type == 0x85;
}

void
bootfix_partition_free (BootfixPartition *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p);
}

static BootfixPartition *
partition_new_mbr (guint number, BootfixPartitionKind kind, const MbrEntry *e,
                   guint64 start_lba, guint sector_size)
{
  BootfixPartition *p = g_new0 (BootfixPartition, 1);
  p->number = number;
  p->kind = kind;
  p->start_lba = start_lba;
  p->n_sectors = e->count;
  /* start_lba < 2^33 and sector_size <= 4096: no overflow. */
  p->offset = start_lba * sector_size;
  p->size = (guint64) e->count * sector_size;
  p->mbr_type = e->type;
  p->status = e->status;
  p->active = e->status == MBR_STATUS_ACTIVE;
  memcpy (p->chs_start, e->chs_start, sizeof p->chs_start);
  memcpy (p->chs_end, e->chs_end, sizeof p->chs_end);
  return p;
}

/* The status byte is 0x00 or 0x80; anything else is what the standard
 * MBR code reports as "Invalid partition table" (docs/boot-formats.md,
 * "Which damage gives which error"). */
static gboolean
check_status (const MbrEntry *e, const char *where, guint slot, GError **error)
{
  if (e->status == 0 || e->status == MBR_STATUS_ACTIVE)
    return TRUE;
  return bootfix_guest_error (error, _("%s entry %u has status byte 0x%02x, not 0x00 or 0x80"),
                      where, slot + 1, e->status);
}

/* ---- EBR chain ---------------------------------------------------- */

typedef struct {
  guint64 ext_start;  /* first sector of the extended partition */
  guint64 ext_end;    /* one past its last sector */
  guint64 visited[BOOTFIX_MAX_LOGICAL_PARTITIONS];
  guint n_visited;
  guint next_number;
} EbrWalk;

/* The logical partition of one EBR (entry 1): its start is relative to
 * the EBR itself and it must lie inside the extended partition. */
static gboolean
add_logical (BootfixDiskLayout *layout, EbrWalk *w, guint64 ebr_lba,
             const MbrEntry *e, GError **error)
{
  guint64 start = ebr_lba + e->start;
  BootfixPartition *p;

  if (!check_status (e, _("EBR"), 0, error))
    return FALSE;
  if (e->start == 0 || start + e->count > w->ext_end)
    return bootfix_guest_error (error, _("logical partition in the EBR at LBA %" PRIu64
                                 " (start +%u, %u sectors) does not fit between its EBR "
                                 "and the end of the extended partition (LBA %"
                                 PRIu64 ")"),
                        ebr_lba, e->start, e->count, w->ext_end);
  p = partition_new_mbr (w->next_number++, BOOTFIX_PARTITION_LOGICAL, e, start,
                         layout->sector_size);
  p->ebr_lba = ebr_lba;
  layout->n_active += p->active;
  g_ptr_array_add (layout->partitions, p);
  return TRUE;
}

/* Visit one EBR.  *next is the next EBR's LBA, or 0 at the end. */
static gboolean
walk_ebr (const Source *src, BootfixDiskLayout *layout, EbrWalk *w,
          guint64 lba, guint64 *next, GError **error)
{
  g_autofree guint8 *sec = NULL;
  MbrEntry part, link;

  *next = 0;
  sec = source_read (src, lba, MBR_SIZE, _("EBR"), error);
  if (sec == NULL)
    return FALSE;
  /* An extended partition with no logical drive may never have had
   * its first EBR written. */
  if (lba == w->ext_start && is_all_zero (sec, MBR_SIZE))
    return TRUE;
  if (!has_boot_magic (sec, MBR_SIZE))
    return bootfix_guest_error (error, _("EBR at LBA %" PRIu64 " has no 55 AA signature"),
                        lba);
  /* Entries 3 and 4 of an EBR are unused; tools leave garbage there. */
  if (!read_mbr_entry (sec, MBR_SIZE, 0, &part) ||
      !read_mbr_entry (sec, MBR_SIZE, 1, &link))
    return bootfix_guest_error (error, _("EBR at LBA %" PRIu64 " is truncated"), lba);
  if (!mbr_entry_is_empty (&part) && !add_logical (layout, w, lba, &part, error))
    return FALSE;
  if (mbr_entry_is_empty (&link))
    return TRUE;
  if (!mbr_type_is_extended (link.type))
    return bootfix_guest_error (error, _("EBR at LBA %" PRIu64 " links to type 0x%02x, "
                                 "not an extended partition"),
                        lba, link.type);
  /* Links are relative to the start of the extended partition. */
  *next = w->ext_start + link.start;
  if (*next >= w->ext_end)
    return bootfix_guest_error (error, _("EBR at LBA %" PRIu64 " links to LBA %"
                                 PRIu64 ", outside its extended partition"),
                        lba, *next);
  return TRUE;
}

static gboolean
ebr_chain_visited (const EbrWalk *w, guint64 lba)
{
  for (guint i = 0; i < w->n_visited; i++) {
    if (w->visited[i] == lba)
      return TRUE;
  }
  return FALSE;
}

/* Logical partitions, numbered from 5 in chain order as Linux does. */
static gboolean
parse_ebr_chain (const Source *src, BootfixDiskLayout *layout,
                 const MbrEntry *ext, GError **error)
{
  g_autofree EbrWalk *w = g_new0 (EbrWalk, 1);
  guint64 lba = ext->start;

  w->ext_start = ext->start;
  w->ext_end = (guint64) ext->start + ext->count;
  w->next_number = MBR_N_ENTRIES + 1;
  while (lba != 0) {
    if (ebr_chain_visited (w, lba))
      return bootfix_guest_error (error, _("the EBR chain loops back to LBA %" PRIu64),
                          lba);
    if (w->n_visited == BOOTFIX_MAX_LOGICAL_PARTITIONS)
      return bootfix_guest_error (error, _("the EBR chain is longer than %u links"),
                          BOOTFIX_MAX_LOGICAL_PARTITIONS);
    w->visited[w->n_visited++] = lba;
    if (!walk_ebr (src, layout, w, lba, &lba, error))
      return FALSE;
  }
  return TRUE;
}

/* Primary slots, then the EBR chain of the (single) extended one. */
static gboolean
parse_mbr_partitions (const Source *src, BootfixDiskLayout *layout,
                      const MbrEntry entries[MBR_N_ENTRIES], GError **error)
{
  const MbrEntry *ext = NULL;

  layout->label = BOOTFIX_DISK_LABEL_MBR;
  for (guint slot = 0; slot < MBR_N_ENTRIES; slot++) {
    const MbrEntry *e = &entries[slot];
    BootfixPartitionKind kind = BOOTFIX_PARTITION_PRIMARY;
    if (mbr_entry_is_empty (e))
      continue;
    if (e->start == 0)
      return bootfix_guest_error (error, _("MBR entry %u starts at LBA 0, on the MBR itself"),
                          slot + 1);
    if (mbr_type_is_extended (e->type)) {
      /* DOS and Windows allow one; with two the numbering of logical
       * partitions (boot.ini) would be a guess. */
      if (ext != NULL)
        return bootfix_guest_error (error, _("the MBR has more than one extended partition"));
      ext = e;
      kind = BOOTFIX_PARTITION_EXTENDED;
    }
    g_ptr_array_add (layout->partitions,
                     partition_new_mbr (slot + 1, kind, e, e->start,
                                        layout->sector_size));
  }
  return ext == NULL || parse_ebr_chain (src, layout, ext, error);
}

/* ---- GPT ---------------------------------------------------------- */

/* UTF-16LE name, NUL-terminated or filling the field; unpaired
 * surrogates become U+FFFD: a label never makes a disk unusable. */
static char *
decode_utf16_name (const guint8 *buf, gsize size, gsize offset, guint max_units)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < max_units; i++) {
    guint16 u = 0, lo = 0;
    gunichar c;
    if (!bootfix_read_le16 (buf, size, offset + 2 * (gsize) i, &u) || u == 0)
      break;
    c = u;
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < max_units &&
        bootfix_read_le16 (buf, size, offset + 2 * (gsize) (i + 1), &lo) &&
        lo >= 0xDC00 && lo <= 0xDFFF) {
      c = 0x10000 + ((gunichar) (u - 0xD800) << 10) + (lo - 0xDC00);
      i++;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      c = 0xFFFD;
    }
    g_string_append_unichar (s, c);
  }
  return g_string_free (s, FALSE);
}

static gboolean
read_gpt_header_fields (const guint8 *h, gsize size, BootfixGptHeader *g,
                        guint32 *crc, guint8 disk_guid[BOOTFIX_GUID_SIZE])
{
  return bootfix_read_le32 (h, size, 8, &g->revision) &&
         bootfix_read_le32 (h, size, 12, &g->header_size) &&
         bootfix_read_le32 (h, size, GPT_HEADER_CRC, crc) &&
         bootfix_read_le64 (h, size, 24, &g->my_lba) &&
         bootfix_read_le64 (h, size, 32, &g->alternate_lba) &&
         bootfix_read_le64 (h, size, 40, &g->first_usable_lba) &&
         bootfix_read_le64 (h, size, 48, &g->last_usable_lba) &&
         read_bytes (h, size, 56, disk_guid, BOOTFIX_GUID_SIZE) &&
         bootfix_read_le64 (h, size, 72, &g->entries_lba) &&
         bootfix_read_le32 (h, size, 80, &g->n_entries) &&
         bootfix_read_le32 (h, size, 84, &g->entry_size) &&
         bootfix_read_le32 (h, size, 88, &g->entries_crc32);
}

/* The header CRC covers header_size bytes with its own field zeroed. */
static guint32
gpt_header_crc (const guint8 *h, gsize size, guint32 header_size)
{
  static const guint8 zero[4] = { 0 };
  guint32 crc = crc_update (0xFFFFFFFFu, h, size, 0, GPT_HEADER_CRC);
  crc = crc_update (crc, zero, sizeof zero, 0, sizeof zero);
  crc = crc_update (crc, h, size, GPT_HEADER_CRC + 4, header_size - GPT_HEADER_CRC - 4);
  return ~crc;
}

/* Signature, revision, size and CRC: is this a GPT header at all? */
static gboolean
check_gpt_header_frame (const guint8 *h, gsize size, const BootfixGptHeader *g,
                        guint32 crc, GError **error)
{
  if (size < GPT_HEADER_MIN_SIZE || memcmp (h, GPT_SIGNATURE, GPT_SIGNATURE_LEN) != 0)
    return bootfix_guest_error (error, _("the MBR is protective but LBA 1 holds no GPT header "
                                 "(no “EFI PART” signature)"));
  if (g->revision >> 16 != GPT_REVISION_MAJOR)
    return bootfix_guest_error (error, _("unsupported GPT revision %u.%u"), g->revision >> 16,
                        g->revision & 0xffff);
  /* UEFI: at least 92 bytes, at most one logical block. */
  if (g->header_size < GPT_HEADER_MIN_SIZE || g->header_size > size)
    return bootfix_guest_error (error, _("GPT header size %u is outside %u..%" "zu"),
                        g->header_size, GPT_HEADER_MIN_SIZE, size);
  if (gpt_header_crc (h, size, g->header_size) != crc)
    return bootfix_guest_error (error, _("GPT header CRC32 mismatch (stored 0x%08x, computed 0x%08x)"),
                        crc, gpt_header_crc (h, size, g->header_size));
  return TRUE;
}

/* Where things are: LBAs and the entry array's shape, all bounded. */
static gboolean
check_gpt_header_geometry (const BootfixGptHeader *g, guint sector_size, GError **error)
{
  guint64 array_size = (guint64) g->n_entries * g->entry_size;
  guint64 array_end = g->entries_lba + (array_size + sector_size - 1) / sector_size;

  if (g->my_lba != GPT_HEADER_LBA)
    return bootfix_guest_error (error, _("GPT header at LBA 1 says it lives at LBA %" PRIu64),
                        g->my_lba);
  if (g->first_usable_lba > g->last_usable_lba ||
      g->last_usable_lba >= G_MAXUINT64 / sector_size)
    return bootfix_guest_error (error, _("GPT usable LBA range %" PRIu64 "..%"
                                 PRIu64 " is impossible"),
                        g->first_usable_lba, g->last_usable_lba);
  /* UEFI: 128 x 2^n bytes per entry. */
  if (g->entry_size < GPT_ENTRY_MIN_SIZE || (g->entry_size & (g->entry_size - 1)) != 0 ||
      g->entry_size > BOOTFIX_MAX_GPT_ENTRY_SIZE)
    return bootfix_guest_error (error, _("GPT entry size %u is not 128 x 2^n up to %u"),
                        g->entry_size, BOOTFIX_MAX_GPT_ENTRY_SIZE);
  if (g->n_entries > BOOTFIX_MAX_GPT_ENTRIES || array_size > BOOTFIX_MAX_GPT_ARRAY_SIZE)
    return bootfix_guest_error (error, _("GPT entry array of %u entries x %u bytes exceeds "
                                 "the limit of %u entries, %u bytes"),
                        g->n_entries, g->entry_size, BOOTFIX_MAX_GPT_ENTRIES,
                        BOOTFIX_MAX_GPT_ARRAY_SIZE);
  if (g->entries_lba <= GPT_HEADER_LBA || g->entries_lba > g->last_usable_lba ||
      array_end > g->first_usable_lba)
    return bootfix_guest_error (error, _("GPT entry array at LBA %" PRIu64 " overlaps "
                                 "the header or the usable area (LBA %" PRIu64
                                 "..%" PRIu64 ")"),
                        g->entries_lba, g->first_usable_lba, g->last_usable_lba);
  return TRUE;
}

/* Entry i of the array; *p stays NULL for an unused (zero type) entry. */
static gboolean
parse_gpt_entry (const guint8 *arr, gsize size, guint i, const BootfixDiskLayout *layout,
                 BootfixPartition **out, GError **error)
{
  const BootfixGptHeader *g = &layout->gpt;
  gsize off = (gsize) i * g->entry_size;
  g_autoptr (BootfixPartition) p = g_new0 (BootfixPartition, 1);
  guint64 last = 0;

  *out = NULL;
  if (!read_bytes (arr, size, off, p->type_guid, BOOTFIX_GUID_SIZE) ||
      !read_bytes (arr, size, off + 16, p->unique_guid, BOOTFIX_GUID_SIZE) ||
      !bootfix_read_le64 (arr, size, off + 32, &p->start_lba) ||
      !bootfix_read_le64 (arr, size, off + 40, &last) ||
      !bootfix_read_le64 (arr, size, off + 48, &p->attributes))
    return bootfix_guest_error (error, _("GPT entry %u is truncated"), i + 1);
  if (bootfix_guid_is_zero (p->type_guid))
    return TRUE;
  if (p->start_lba > last || p->start_lba < g->first_usable_lba || last > g->last_usable_lba)
    return bootfix_guest_error (error, _("GPT entry %u spans LBA %" PRIu64 "..%"
                                 PRIu64 ", outside the usable LBA %"
                                 PRIu64 "..%" PRIu64),
                        i + 1, p->start_lba, last, g->first_usable_lba, g->last_usable_lba);
  p->number = i + 1;
  p->kind = BOOTFIX_PARTITION_GPT;
  p->n_sectors = last - p->start_lba + 1;
  /* last <= last_usable < 2^64 / sector_size: checked with the header. */
  p->offset = p->start_lba * layout->sector_size;
  p->size = p->n_sectors * layout->sector_size;
  p->name = decode_utf16_name (arr, size, off + GPT_ENTRY_NAME, GPT_ENTRY_NAME_UNITS);
  *out = g_steal_pointer (&p);
  return TRUE;
}

static gboolean
parse_gpt_entries (const Source *src, BootfixDiskLayout *layout, GError **error)
{
  const BootfixGptHeader *g = &layout->gpt;
  gsize array_size = (gsize) g->n_entries * g->entry_size; /* <= 1 MiB, checked */
  g_autofree guint8 *arr = NULL;
  guint32 crc;

  arr = source_read (src, g->entries_lba, array_size, _("GPT partition entries"), error);
  if (arr == NULL)
    return FALSE;
  crc = ~crc_update (0xFFFFFFFFu, arr, array_size, 0, array_size);
  if (crc != g->entries_crc32)
    return bootfix_guest_error (error, _("GPT partition entries CRC32 mismatch (stored 0x%08x, "
                                 "computed 0x%08x)"),
                        g->entries_crc32, crc);
  for (guint i = 0; i < g->n_entries; i++) {
    BootfixPartition *p = NULL;
    if (!parse_gpt_entry (arr, array_size, i, layout, &p, error))
      return FALSE;
    if (p != NULL)
      g_ptr_array_add (layout->partitions, p);
  }
  return TRUE;
}

static gboolean
parse_gpt (const Source *src, BootfixDiskLayout *layout, GError **error)
{
  g_autofree guint8 *h = NULL;
  guint32 crc = 0;

  layout->label = BOOTFIX_DISK_LABEL_GPT;
  h = source_read (src, GPT_HEADER_LBA, src->sector_size, _("GPT header"), error);
  if (h == NULL)
    return FALSE;
  if (!read_gpt_header_fields (h, src->sector_size, &layout->gpt, &crc,
                               layout->disk_guid))
    return bootfix_guest_error (error, _("GPT header is truncated"));
  return check_gpt_header_frame (h, src->sector_size, &layout->gpt, crc, error) &&
         check_gpt_header_geometry (&layout->gpt, src->sector_size, error) &&
         parse_gpt_entries (src, layout, error);
}

/* ---- The whole disk ----------------------------------------------- */

void
bootfix_disk_layout_free (BootfixDiskLayout *layout)
{
  if (layout == NULL)
    return;
  g_ptr_array_unref (layout->partitions);
  g_free (layout);
}

/* Read the four MBR entries and the facts every label shares. */
static gboolean
parse_mbr_sector (const Source *src, BootfixDiskLayout *layout,
                  MbrEntry entries[MBR_N_ENTRIES], GError **error)
{
  guint n_used = 0;

  if (!has_boot_magic (src->buf, src->size))
    return bootfix_guest_error (error, _("sector 0 has no 55 AA signature: no MBR"));
  if (!bootfix_read_le32 (src->buf, src->size, MBR_DISK_SIGNATURE, &layout->mbr_signature))
    return bootfix_guest_error (error, _("the MBR is truncated"));
  for (guint slot = 0; slot < MBR_N_ENTRIES; slot++) {
    MbrEntry *e = &entries[slot];
    if (!read_mbr_entry (src->buf, src->size, slot, e))
      return bootfix_guest_error (error, _("the MBR is truncated"));
    if (!check_status (e, _("MBR"), slot, error))
      return FALSE;
    if (e->type == MBR_TYPE_PROTECTIVE)
      layout->protective_mbr = TRUE;
    else if (!mbr_entry_is_empty (e))
      n_used++;
    layout->n_active += e->status == MBR_STATUS_ACTIVE;
  }
  /* A 0xEE entry beside real ones is a hybrid MBR; the GPT rules. */
  layout->hybrid_mbr = layout->protective_mbr && n_used > 0;
  return TRUE;
}

BootfixDiskLayout *
bootfix_disk_layout_parse_with_reader (const guint8 *buf, gsize size,
                                       guint sector_size,
                                       BootfixSectorReadFunc read_func,
                                       gpointer user_data, GError **error)
{
  g_autoptr (BootfixDiskLayout) layout = NULL;
  Source src = { buf, size, sector_size != 0 ? sector_size : MIN_SECTOR_SIZE,
                 read_func, user_data };
  MbrEntry entries[MBR_N_ENTRIES];

  g_return_val_if_fail (buf != NULL || size == 0, NULL);
  if (src.sector_size < MIN_SECTOR_SIZE || src.sector_size > MAX_SECTOR_SIZE ||
      (src.sector_size & (src.sector_size - 1)) != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("sector size %u is not a power of two from %u to %u"),
                 src.sector_size, MIN_SECTOR_SIZE, MAX_SECTOR_SIZE);
    return NULL;
  }
  if (size < src.sector_size) {
    bootfix_guest_error (error, _("disk data truncated: %" "zu" " bytes, less than "
                          "one %u-byte sector"),
                 size, src.sector_size);
    return NULL;
  }
  layout = g_new0 (BootfixDiskLayout, 1);
  layout->sector_size = src.sector_size;
  layout->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_partition_free);
  if (!parse_mbr_sector (&src, layout, entries, error))
    return NULL;
  if (layout->protective_mbr ? !parse_gpt (&src, layout, error)
                             : !parse_mbr_partitions (&src, layout, entries, error))
    return NULL;
  return g_steal_pointer (&layout);
}

BootfixDiskLayout *
bootfix_disk_layout_parse (const guint8 *buf, gsize size, guint sector_size,
                           GError **error)
{
  return bootfix_disk_layout_parse_with_reader (buf, size, sector_size, NULL, NULL, error);
}

/* ---- Lookups ------------------------------------------------------ */

const BootfixPartition *
bootfix_disk_layout_find_number (const BootfixDiskLayout *layout, guint number)
{
  for (guint i = 0; i < layout->partitions->len; i++) {
    const BootfixPartition *p = g_ptr_array_index (layout->partitions, i);
    if (p->number == number)
      return p;
  }
  return NULL;
}
