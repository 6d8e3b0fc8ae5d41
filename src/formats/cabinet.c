/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Microsoft cabinets: find one member, check everything libgcab will
 * trust about it, and let libgcab decompress it in a child process.
 *
 * Layout: [MS-CAB] (CFHEADER 36 bytes + optional reserve and
 * previous/next cabinet names, then CFFOLDER and CFFILE entries, then
 * each folder's CFDATA blocks).  libgcab 1.5 (Debian 12) reads the
 * entries one after another and then believes them: an MSZIP block of
 * fewer than 2 bytes makes it hand zlib 2^32 - 2 bytes of input, and
 * its LZX decoder (from Wine's cabinet.dll) neither bounds its input
 * reads nor checks match offsets or lengths against its window
 * (tests/unit/data/cabinet/lzx-overrun.cab: a valid 170-byte cabinet
 * makes it write 129 bytes past its heap buffer).  The walk below
 * refuses every inconsistency it can see before libgcab runs; the LZX
 * payload it cannot judge, so libgcab runs in a forked child whose
 * crash becomes an error here. */
#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <libgcab.h>

#include "cabinet.h"
#include "bootfix-error.h"
#include "child.h"
#include "bytes.h"

#define SIGNATURE "MSCF"
#define HEADER_SIZE 36
#define OFF_CABINET_SIZE 8
#define OFF_FILES_OFFSET 16
#define OFF_N_FOLDERS 26
#define OFF_N_FILES 28
#define OFF_FLAGS 30
#define FLAG_PREV 0x0001
#define FLAG_NEXT 0x0002
#define FLAG_RESERVE 0x0004
#define FOLDER_SIZE 8           /* + the per-folder reserve */
#define FILE_SIZE 16            /* + the NUL-terminated name */
#define DATA_SIZE 8             /* + the per-block reserve + data */
#define MAX_NAME 256            /* CB_MAX_FILENAME, CB_MAX_CABINET_NAME */
#define FOLDER_CONTINUED 0xFFFD /* iFolder 0xFFFD..0xFFFF: spans cabinets */
#define MAX_BLOCK 32768         /* uncompressed bytes per CFDATA */
#define MAX_BLOCK_INPUT (32768 + 6144) /* libgcab's input buffer */
#define COMP_MASK 0x000F
#define COMP_NONE 0
#define COMP_MSZIP 1
#define COMP_QUANTUM 2
#define COMP_LZX 3
#define LZX_WINDOW(comp) (((comp) >> 8) & 0x1F)
#define LZX_WINDOW_MIN 15
#define LZX_WINDOW_MAX 21
/* The child's answer: a status byte (0 the file follows, 1 an error
 * message of at most MAX_MESSAGE bytes follows), the length (LE32),
 * the bytes. */
#define REPLY_HEADER 5
#define REPLY_OK 0
#define REPLY_ERROR 1
#define MAX_MESSAGE 4096

G_STATIC_ASSERT (BOOTFIX_CABINET_MAX_ENTRIES > G_MAXUINT16);

typedef struct {
  guint32 data_offset;
  guint16 n_blocks;
  guint16 comp;
  guint64 usize;                /* the blocks' uncompressed bytes */
} Folder;

typedef struct {
  const guint8 *buf;
  gsize size;
  const char *cab;              /* display name */
  const char *want;             /* the member looked for */
  gsize pos;                    /* next entry */
  guint16 n_folders, n_files, flags;
  guint8 res_folder, res_data;
  guint32 files_offset;
  Folder *folders;
} Scan;

typedef struct {
  int match;                    /* 0 none, 1 last component, 2 whole */
  guint16 folder;
  guint16 comp;                 /* its folder's */
  guint32 uoffset, usize;
  char *name;                   /* as stored: libgcab looks it up */
} Member;

static void
member_clear (Member *m)
{
  g_clear_pointer (&m->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Member, member_clear)

/* "cabinet X is damaged: WHAT" and what to do instead. */
static gboolean G_GNUC_PRINTF (3, 4)
damaged_error (const Scan *s, GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *what = g_strdup_vprintf (format, ap);
  va_end (ap);
  return bootfix_guest_error (error, _("cabinet %s is damaged: %s; take %s from "
                                       "the Windows installation media instead"),
                              s->cab, what, s->want);
}

/* ---- The walk ------------------------------------------------------ */

/* A NUL-terminated string of at most MAX_NAME bytes at s->pos. */
static gboolean
take_string (Scan *s, const guint8 **str, gsize *len)
{
  const guint8 *start = s->buf + s->pos;
  const guint8 *nul = memchr (start, 0, MIN (s->size - s->pos, MAX_NAME + 1));

  if (nul == NULL)
    return FALSE;
  *str = start;
  *len = (gsize) (nul - start);
  s->pos += *len + 1;
  return TRUE;
}

/* Reserve sizes and the previous/next cabinet and disk names. */
static gboolean
scan_header_extras (Scan *s, GError **error)
{
  guint16 res_header = 0;
  const guint8 *str;
  gsize len;

  if (s->flags & FLAG_RESERVE) {
    if (!bootfix_read_le16 (s->buf, s->size, s->pos, &res_header) ||
        !bootfix_read_u8 (s->buf, s->size, s->pos + 2, &s->res_folder) ||
        !bootfix_read_u8 (s->buf, s->size, s->pos + 3, &s->res_data) ||
        !bootfix_span_ok (s->size, s->pos + 4, res_header))
      return damaged_error (s, error, _("its reserved area runs past its end"));
    s->pos += 4 + (gsize) res_header;
  }
  for (guint i = 0; i < 4; i++) {
    guint16 flag = i < 2 ? FLAG_PREV : FLAG_NEXT;
    if ((s->flags & flag) && !take_string (s, &str, &len))
      return damaged_error (s, error, _("a previous or next cabinet name has no end"));
  }
  return TRUE;
}

static gboolean
scan_header (Scan *s, GError **error)
{
  guint32 cab_size = 0;

  if (s->size < HEADER_SIZE || memcmp (s->buf, SIGNATURE, 4) != 0)
    return bootfix_guest_error (error, _("%s is not a cabinet (no “MSCF” signature "
                                         "in a header of %u bytes); take %s from "
                                         "the Windows installation media instead"),
                                s->cab, HEADER_SIZE, s->want);
  (void) (bootfix_read_le32 (s->buf, s->size, OFF_CABINET_SIZE, &cab_size) &&
          bootfix_read_le32 (s->buf, s->size, OFF_FILES_OFFSET, &s->files_offset) &&
          bootfix_read_le16 (s->buf, s->size, OFF_N_FOLDERS, &s->n_folders) &&
          bootfix_read_le16 (s->buf, s->size, OFF_N_FILES, &s->n_files) &&
          bootfix_read_le16 (s->buf, s->size, OFF_FLAGS, &s->flags));
  if (cab_size > s->size)
    return damaged_error (s, error, _("it is truncated to %zu of its %u bytes"),
                          (size_t) s->size, cab_size);
  if (cab_size < HEADER_SIZE)
    return damaged_error (s, error, _("its header gives it %u bytes"), cab_size);
  /* Nothing past the cabinet's own size belongs to it. */
  s->size = cab_size;
  s->pos = HEADER_SIZE;
  return scan_header_extras (s, error);
}

static gboolean
scan_folders (Scan *s, GError **error)
{
  gsize entry = FOLDER_SIZE + (gsize) s->res_folder;

  if (!bootfix_span_ok (s->size, s->pos, s->n_folders * entry))
    return damaged_error (s, error, _("its %u folder entries run past its end"),
                          s->n_folders);
  for (guint i = 0; i < s->n_folders; i++) {
    Folder *f = &s->folders[i];
    gsize at = s->pos + i * entry;
    (void) (bootfix_read_le32 (s->buf, s->size, at, &f->data_offset) &&
            bootfix_read_le16 (s->buf, s->size, at + 4, &f->n_blocks) &&
            bootfix_read_le16 (s->buf, s->size, at + 6, &f->comp));
  }
  s->pos += s->n_folders * entry;
  return TRUE;
}

/* Folder i's CFDATA headers: sizes that fit libgcab's buffers, stored
 * blocks whole, MSZIP blocks of at least their "CK" signature.  *budget
 * is what all folders' blocks may still cover: blocks never share bytes,
 * so this keeps the walk linear in the cabinet's size. */
static gboolean
scan_blocks (Scan *s, guint i, gsize *budget, GError **error)
{
  Folder *f = &s->folders[i];
  guint comp = f->comp & COMP_MASK;
  gsize at = f->data_offset;

  for (guint b = 0; b < f->n_blocks; b++) {
    guint16 n_in = 0, n_out = 0;
    gsize len;

    if (!bootfix_read_le16 (s->buf, s->size, at + 4, &n_in) ||
        !bootfix_read_le16 (s->buf, s->size, at + 6, &n_out))
      return damaged_error (s, error, _("data block %u of folder %u lies past its "
                                        "end"), b, i);
    len = DATA_SIZE + (gsize) s->res_data + n_in;
    if (!bootfix_span_ok (s->size, at, len) || len > *budget)
      return damaged_error (s, error, _("data block %u of folder %u lies past its "
                                        "end or overlaps another"), b, i);
    if (n_out == 0 || n_out > MAX_BLOCK || n_in > MAX_BLOCK_INPUT ||
        (comp == COMP_NONE && n_in != n_out) ||
        (comp == COMP_MSZIP &&
         (n_in < 2 || memcmp (s->buf + at + len - n_in, "CK", 2) != 0)))
      return damaged_error (s, error, _("data block %u of folder %u claims %u "
                                        "bytes from %u"), b, i, n_out, n_in);
    *budget -= len;
    at += len;
    f->usize += n_out;
  }
  return TRUE;
}

/* 2: name is want, 1: its last component is, 0: neither (ASCII case
 * folded; the stored name's other bytes compare as they are). */
static int
match_name (const guint8 *name, gsize len, const char *want, gsize want_len)
{
  gsize start = len;

  if (len == want_len && g_ascii_strncasecmp ((const char *) name, want, len) == 0)
    return 2;
  while (start > 0 && name[start - 1] != '\\' && name[start - 1] != '/')
    start--;
  if (start > 0 && len - start == want_len &&
      g_ascii_strncasecmp ((const char *) name + start, want, want_len) == 0)
    return 1;
  return 0;
}

/* File entry i at s->pos: check it, and keep it in *best when it is the
 * best match for want so far. */
static gboolean
scan_file (Scan *s, guint i, const char *want, Member *best, GError **error)
{
  guint32 usize = 0, uoffset = 0;
  guint16 folder = 0;
  const guint8 *name = NULL;
  gsize len = 0;
  int match;

  if (!bootfix_span_ok (s->size, s->pos, FILE_SIZE) ||
      !bootfix_read_le32 (s->buf, s->size, s->pos, &usize) ||
      !bootfix_read_le32 (s->buf, s->size, s->pos + 4, &uoffset) ||
      !bootfix_read_le16 (s->buf, s->size, s->pos + 8, &folder))
    return damaged_error (s, error, _("its %u file entries run past its end"),
                          s->n_files);
  s->pos += FILE_SIZE;
  if (!take_string (s, &name, &len) || len == 0)
    return damaged_error (s, error, _("file entry %u has no name or one without "
                                      "an end"), i);
  if (folder >= FOLDER_CONTINUED)
    return bootfix_guest_error (error, _("cabinet %s continues into another cabinet "
                                         "(file entry %u), which is not supported; "
                                         "take %s from the Windows installation "
                                         "media instead"), s->cab, i, want);
  if (folder >= s->n_folders)
    return damaged_error (s, error, _("file entry %u is in folder %u of %u"), i,
                          folder, s->n_folders);
  match = match_name (name, len, want, strlen (want));
  if (match > 0 && usize > BOOTFIX_CABINET_MAX_FILE_SIZE)
    return bootfix_guest_error (error, _("%s in cabinet %s claims %u bytes, more than "
                                         "the %u-byte limit: the cabinet is damaged; "
                                         "take %s from the Windows installation "
                                         "media instead"),
                                want, s->cab, usize, BOOTFIX_CABINET_MAX_FILE_SIZE,
                                want);
  if ((guint64) uoffset + usize > s->folders[folder].usize)
    return damaged_error (s, error, _("file entry %u claims bytes beyond the %"
                                      PRIu64 " its folder holds"), i,
                          (uint64_t) s->folders[folder].usize);
  if (match > best->match) {
    member_clear (best);
    *best = (Member) { match, folder, s->folders[folder].comp, uoffset, usize,
                       g_strndup ((const char *) name, len) };
  }
  return TRUE;
}

/* Can libgcab decompress the member's folder? */
static gboolean
check_compression (const Scan *s, const Member *m, const char *want, GError **error)
{
  guint comp = m->comp & COMP_MASK;
  guint window = LZX_WINDOW (m->comp);

  if (comp == COMP_QUANTUM) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                 _("%s in cabinet %s is Quantum-compressed, which libgcab cannot "
                   "decompress; take it from the Windows installation media "
                   "instead"), want, s->cab);
    return FALSE;
  }
  if (comp > COMP_LZX)
    return damaged_error (s, error, _("folder %u has unknown compression type %u"),
                          m->folder, comp);
  if (comp == COMP_LZX && (window < LZX_WINDOW_MIN || window > LZX_WINDOW_MAX))
    return damaged_error (s, error, _("folder %u has an LZX window of 2^%u bytes, "
                                      "not 2^%u to 2^%u"), m->folder, window,
                          LZX_WINDOW_MIN, LZX_WINDOW_MAX);
  return TRUE;
}

/* The best match for want in the cabinet (m->match 0: none), once the
 * whole cabinet's structure has been checked. */
static gboolean
find_member (GBytes *cab, const char *cab_name, const char *want, Member *m,
             GError **error)
{
  Scan s = { .cab = cab_name, .want = want };
  g_autofree Folder *folders = NULL;
  gsize budget;

  s.buf = g_bytes_get_data (cab, &s.size);
  if (s.size == 0)
    return bootfix_guest_error (error, _("cabinet %s is empty; take %s from the "
                                         "Windows installation media instead"),
                                cab_name, want);
  if (s.size > BOOTFIX_CABINET_MAX_SIZE)
    return bootfix_guest_error (error, _("cabinet %s is %zu bytes, "
                                         "more than the %u-byte limit; take %s from "
                                         "the Windows installation media instead"),
                                cab_name, (size_t) s.size, BOOTFIX_CABINET_MAX_SIZE, want);
  if (!scan_header (&s, error))
    return FALSE;
  s.folders = folders = g_new0 (Folder, s.n_folders + 1);
  if (!scan_folders (&s, error))
    return FALSE;
  budget = s.size;
  for (guint i = 0; i < s.n_folders; i++)
    if (!scan_blocks (&s, i, &budget, error))
      return FALSE;
  /* libgcab reads the file entries right after the folder entries. */
  if (s.pos != s.files_offset)
    return damaged_error (&s, error, _("its file entries are said to start at byte "
                                       "%u, not at byte %zu"),
                          s.files_offset, (size_t) s.pos);
  for (guint i = 0; i < s.n_files; i++)
    if (!scan_file (&s, i, want, m, error))
      return FALSE;
  return m->match == 0 || check_compression (&s, m, want, error);
}

/* ---- libgcab ------------------------------------------------------- */

static gboolean
only_member (GCabFile *file, gpointer member)
{
  return file == member;
}

/* Decompress m with libgcab, here. */
static gboolean
gcab_extract (GBytes *cab, const char *cab_name, const char *want, const Member *m,
              GBytes **out, GError **error)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_bytes (cab);
  g_autoptr (GCabCabinet) cabinet = gcab_cabinet_new ();
  g_autoptr (GError) local = NULL;
  GCabFile *file = NULL;
  GBytes *bytes = NULL;

  if (gcab_cabinet_load (cabinet, in, NULL, &local)) {
    GPtrArray *folders = gcab_cabinet_get_folders (cabinet);
    if (m->folder < folders->len)
      file = gcab_folder_get_file_by_name (g_ptr_array_index (folders, m->folder),
                                           m->name);
    if (file != NULL &&
        gcab_cabinet_extract (cabinet, NULL, only_member, NULL, file, NULL, &local))
      bytes = gcab_file_get_bytes (file);
  }
  if (local != NULL) {
    g_autofree char *why = g_utf8_make_valid (local->message, -1);
    return bootfix_guest_error (error, _("cabinet %s is damaged: cannot extract %s: "
                                         "%s; take it from the Windows installation "
                                         "media instead"),
                                cab_name, want, why);
  }
  if (bytes == NULL || g_bytes_get_size (bytes) != m->usize)
    return bootfix_guest_error (error, _("cabinet %s is damaged: libgcab gave %zu "
                                         "bytes of %s, not %u; take "
                                         "it from the Windows installation media "
                                         "instead"), cab_name,
                                (size_t) (bytes ? g_bytes_get_size (bytes) : 0), want,
                                m->usize);
  *out = g_bytes_ref (bytes);
  return TRUE;
}

/* ---- The child ----------------------------------------------------- */

typedef struct {
  GBytes *cab;
  const char *cab_name;
  const char *want;
  const Member *m;
} Job;

/* In the child (bootfix_child_run): extract and answer on fd.  Free
 * what was allocated by hand: memory checkers look at the child too. */
static int
child_extract (int fd, gpointer data)
{
  const Job *job = data;
  GBytes *bytes = NULL;
  GError *error = NULL;
  guint8 header[REPLY_HEADER] = { REPLY_OK };
  const guint8 *payload;
  gsize len;
  int status;

  if (gcab_extract (job->cab, job->cab_name, job->want, job->m, &bytes, &error)) {
    payload = g_bytes_get_data (bytes, &len);
  } else {
    header[0] = REPLY_ERROR;
    payload = (const guint8 *) error->message;
    len = MIN (strlen (error->message), MAX_MESSAGE);
  }
  bootfix_write_le32 (header, sizeof header, 1, (guint32) len);
  status = bootfix_child_write (fd, header, sizeof header) &&
           bootfix_child_write (fd, payload, len) ? 0 : 1;
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_error (&error);
  return status;
}

/* ---- The parent ---------------------------------------------------- */

static gboolean
no_answer (const char *cab_name, const char *want, GError **error)
{
  return bootfix_guest_error (error, _("libgcab failed without an answer "
                                       "extracting %s from cabinet %s; take it "
                                       "from the Windows installation media "
                                       "instead"), want, cab_name);
}

/* Word how the child failed (bootfix_child_run's error) for the user. */
static gboolean
child_failed (const GError *why, const char *cab_name, const char *want,
              GError **error)
{
  if (g_error_matches (why, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_FAILED)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot extract %s from cabinet %s: %s"), want, cab_name,
                 why->message);
    return FALSE;
  }
  if (g_error_matches (why, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TIMED_OUT))
    return bootfix_guest_error (error, _("libgcab took more than %d seconds over %s "
                                         "in cabinet %s, which must be damaged or "
                                         "hostile; take it from the Windows "
                                         "installation media instead"),
                                BOOTFIX_CABINET_TIMEOUT_SECONDS, want, cab_name);
  if (g_error_matches (why, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_SIGNALED))
    return bootfix_guest_error (error, _("libgcab crashed (%s) extracting %s from "
                                         "cabinet %s, which must be damaged or "
                                         "hostile; take it from the Windows "
                                         "installation media instead"),
                                why->message, want, cab_name);
  return no_answer (cab_name, want, error);
}

/* The child's answer (header, then the file or a message) as the result. */
static gboolean
take_reply (GBytes *reply, const char *cab_name, const char *want, const Member *m,
            GBytes **out, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (reply, &size);
  guint32 len = 0;

  if (!bootfix_read_le32 (data, size, 1, &len) || len != size - REPLY_HEADER ||
      (data[0] == REPLY_OK && len != m->usize))
    return no_answer (cab_name, want, error);
  if (data[0] != REPLY_OK) {
    g_autofree char *message =
      g_utf8_make_valid ((const char *) data + REPLY_HEADER, len);
    return bootfix_guest_error (error, "%s", message);
  }
  *out = g_bytes_new_from_bytes (reply, REPLY_HEADER, len);
  return TRUE;
}

/* Decompress m with libgcab in a child process. */
static gboolean
extract_isolated (GBytes *cab, const char *cab_name, const char *want,
                  const Member *m, GBytes **out, GError **error)
{
  Job job = { cab, cab_name, want, m };
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) why = NULL;

  /* Register the types here, where no other thread can hold a lock the
   * child would then wait for forever. */
  g_type_ensure (GCAB_TYPE_CABINET);
  g_type_ensure (GCAB_TYPE_FOLDER);
  g_type_ensure (GCAB_TYPE_FILE);
  g_type_ensure (G_TYPE_MEMORY_INPUT_STREAM);
  g_type_ensure (G_TYPE_DATA_INPUT_STREAM);
  g_type_ensure (G_TYPE_MEMORY_OUTPUT_STREAM);
  if (!bootfix_child_run (child_extract, &job,
                          BOOTFIX_CABINET_TIMEOUT_SECONDS * 1000,
                          REPLY_HEADER + MAX (m->usize, MAX_MESSAGE), &reply, &why))
    return child_failed (why, cab_name, want, error);
  return take_reply (reply, cab_name, want, m, out, error);
}

/* ---- Public -------------------------------------------------------- */

static gboolean
extract (GBytes *cab, const char *display_name, const char *name, gboolean isolated,
         GBytes **out, GError **error)
{
  g_auto (Member) m = { 0 };

  g_return_val_if_fail (cab != NULL && display_name != NULL, FALSE);
  g_return_val_if_fail (name != NULL && *name != '\0' && out != NULL, FALSE);
  *out = NULL;
  if (!find_member (cab, display_name, name, &m, error))
    return FALSE;
  if (m.match == 0)
    return TRUE;
  if (isolated)
    return extract_isolated (cab, display_name, name, &m, out, error);
  return gcab_extract (cab, display_name, name, &m, out, error);
}

gboolean
bootfix_cabinet_extract (GBytes *cab, const char *display_name, const char *name,
                         GBytes **out, GError **error)
{
  return extract (cab, display_name, name, TRUE, out, error);
}

gboolean
bootfix_cabinet_extract_in_process (GBytes *cab, const char *display_name,
                                    const char *name, GBytes **out, GError **error)
{
  return extract (cab, display_name, name, FALSE, out, error);
}

/* -1: not a driver-cache cabinet; 0: driver.cab; N + 1: spN.cab. */
static gint64
cabinet_rank (const char *name)
{
  gsize len = strlen (name);
  const gsize digits_max = 9;

  if (g_ascii_strcasecmp (name, "driver.cab") == 0)
    return 0;
  if (len < 7 || len > 6 + digits_max || g_ascii_strncasecmp (name, "sp", 2) != 0 ||
      g_ascii_strcasecmp (name + len - 4, ".cab") != 0)
    return -1;
  for (gsize i = 2; i < len - 4; i++)
    if (!g_ascii_isdigit (name[i]))
      return -1;
  return (gint64) g_ascii_strtoull (name + 2, NULL, 10) + 1;
}

static gint
by_rank (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  gint64 rx = cabinet_rank (x), ry = cabinet_rank (y);

  if (rx != ry)
    return rx > ry ? -1 : 1;
  return strcmp (x, y);
}

char **
bootfix_cabinet_order (const char *const *names)
{
  GPtrArray *chosen = g_ptr_array_new ();

  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    if (cabinet_rank (names[i]) >= 0)
      g_ptr_array_add (chosen, g_strdup (names[i]));
  g_ptr_array_sort (chosen, by_rank);
  g_ptr_array_add (chosen, NULL);
  return (char **) g_ptr_array_free (chosen, FALSE);
}
