/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --resume: which guests a JSONL file of earlier records says are done.
 * The file is whatever is on disk after a crash, or anything a user
 * passed: lines are capped, read one at a time, and every one that is
 * not a record is skipped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "batch-identity.h"
#include "batch-record.h"
#include "json-text.h"

/* A record is a few KiB; a guest with thousands of changes stays far
 * below this.  A longer line is skipped without being parsed. */
#define RESUME_MAX_LINE ((gsize) 16 << 20)
/* Domain files remembered: a batch has at most
 * BOOTFIX_BATCH_MAX_ENTRIES, the file may hold several batches. */
#define RESUME_MAX_DOMAINS (4 * BOOTFIX_BATCH_MAX_ENTRIES)
/* Records nest four levels (batch, identity, disks, a disk). */
#define RECORD_MAX_DEPTH 16

typedef struct {
  gboolean finished;  /* fixed or unchanged */
  BootfixBatchIdentity *identity;
} Record;

struct _BootfixResume {
  GHashTable *records;  /* domain file -> Record* */
  guint skipped;
  /* While loading: the line read so far, and whether it has already
   * passed RESUME_MAX_LINE (then it is dropped up to its end). */
  GByteArray *partial;
  gboolean overlong;
};

static void
record_free (Record *rec)
{
  bootfix_batch_identity_free (rec->identity);
  g_free (rec);
}

static BootfixResume *
resume_new (void)
{
  BootfixResume *r = g_new0 (BootfixResume, 1);
  r->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) record_free);
  r->partial = g_byte_array_new ();
  return r;
}

void
bootfix_resume_free (BootfixResume *r)
{
  if (r == NULL)
    return;
  g_hash_table_unref (r->records);
  g_byte_array_unref (r->partial);
  g_free (r);
}

static const char *
string_member (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) ||
      json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* The record on a line, and its domain file in *domain_file. */
static Record *
record_parse (const char *line, gsize len, char **domain_file)
{
  g_autoptr (JsonNode) node =
    bootfix_json_parse_hostile (line, len, RECORD_MAX_DEPTH, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  JsonObject *o = json_node_get_object (node);
  JsonNode *batch = json_object_get_member (o, "batch");
  const char *status = string_member (o, "status");
  if (status == NULL || batch == NULL || !JSON_NODE_HOLDS_OBJECT (batch))
    return NULL;
  JsonObject *b = json_node_get_object (batch);
  const char *domain = string_member (b, "domain_file");
  BootfixBatchIdentity *id =
    bootfix_batch_identity_from_json (json_object_get_member (b, "identity"));
  if (domain == NULL || id == NULL) {
    bootfix_batch_identity_free (id);
    return NULL;
  }
  Record *rec = g_new0 (Record, 1);
  rec->finished =
    strcmp (status, bootfix_status_to_string (BOOTFIX_STATUS_FIXED)) == 0 ||
    strcmp (status, bootfix_status_to_string (BOOTFIX_STATUS_UNCHANGED)) == 0;
  rec->identity = id;
  *domain_file = g_strdup (domain);
  return rec;
}

static gboolean
is_blank_line (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* One whole line: the last record of a domain file wins. */
static void
take_line (BootfixResume *r, const char *line, gsize len)
{
  if (is_blank_line (line, len))
    return;
  char *domain = NULL;
  Record *rec = record_parse (line, len, &domain);
  if (rec == NULL ||
      (g_hash_table_size (r->records) >= RESUME_MAX_DOMAINS &&
       !g_hash_table_contains (r->records, domain))) {
    r->skipped++;
    g_free (domain);
    if (rec)
      record_free (rec);
    return;
  }
  g_hash_table_replace (r->records, domain, rec);
}

/* Bytes as they come; lines may span calls. */
static void
feed (BootfixResume *r, const char *data, gsize len)
{
  while (len > 0) {
    const char *lf = memchr (data, '\n', len);
    gsize n = lf ? (gsize) (lf - data) : len;
    if (!r->overlong && r->partial->len + n > RESUME_MAX_LINE) {
      r->overlong = TRUE;
      r->skipped++;
      g_byte_array_set_size (r->partial, 0);
    }
    if (!r->overlong && lf && r->partial->len == 0)
      take_line (r, data, n);  /* the whole line is here: no copy */
    else if (!r->overlong)
      g_byte_array_append (r->partial, (const guint8 *) data, (guint) n);
    if (lf && !r->overlong && r->partial->len > 0)
      take_line (r, (const char *) r->partial->data, r->partial->len);
    if (lf) {
      g_byte_array_set_size (r->partial, 0);
      r->overlong = FALSE;
    }
    data += n + (lf ? 1 : 0);
    len -= n + (lf ? 1 : 0);
  }
}

/* The end of the text: a last line without its LF (torn by a crash,
 * unless the crash came between the record and its LF) is tried too. */
static void
finish (BootfixResume *r)
{
  if (!r->overlong && r->partial->len > 0)
    take_line (r, (const char *) r->partial->data, r->partial->len);
  g_byte_array_set_size (r->partial, 0);
  r->overlong = FALSE;
}

BootfixResume *
bootfix_resume_parse (const char *text, gsize len, guint *skipped)
{
  BootfixResume *r = resume_new ();
  feed (r, text, len);
  finish (r);
  if (skipped)
    *skipped = r->skipped;
  return r;
}

guint
bootfix_resume_skipped (const BootfixResume *r)
{
  return r->skipped;
}

static gboolean
read_into (BootfixResume *r, int fd, const char *path, GError **error)
{
  g_autofree char *chunk = g_malloc (65536);
  for (;;) {
    ssize_t n = read (fd, chunk, 65536);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("cannot read the resume file %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
    if (n == 0)
      break;
    feed (r, chunk, (gsize) n);
  }
  finish (r);
  return TRUE;
}

BootfixResume *
bootfix_resume_load (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return resume_new ();
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("cannot open the resume file %s: %s"), path,
                 g_strerror (saved));
    return NULL;
  }
  /* Read in chunks: only the current line and the table stay in
   * memory, however large the file has grown. */
  g_autoptr (BootfixResume) r = resume_new ();
  gboolean ok = read_into (r, fd, path, error);
  close (fd);
  return ok ? g_steal_pointer (&r) : NULL;
}

gboolean
bootfix_resume_is_done (const BootfixResume *r, const BootfixBatchEntry *entry,
                        const char *const *disks)
{
  if (r == NULL)
    return FALSE;
  const Record *rec = g_hash_table_lookup (r->records, entry->path);
  if (rec == NULL || !rec->finished)
    return FALSE;
  g_autoptr (BootfixBatchIdentity) now =
    bootfix_batch_identity_take (entry->path, disks);
  return bootfix_batch_identity_same (rec->identity, now);
}
