/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --jsonl: the record of each finished guest, appended as one line and
 * fsync'd before the next guest's, so a crash loses at most the line
 * being written. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "batch-identity.h"
#include "batch-record.h"

JsonNode *
bootfix_batch_record_new (const BootfixGuestReport *report,
                          const BootfixBatchEntry *entry,
                          const char *const *disks)
{
  JsonNode *record = bootfix_report_guest_to_json (report);
  g_autoptr (BootfixBatchIdentity) id =
    bootfix_batch_identity_take (entry->path, disks);
  JsonObject *batch = json_object_new ();
  /* A JSONL line stands alone: it carries the format the --json
   * document has at its top. */
  json_object_set_int_member (batch, "format", BOOTFIX_REPORT_FORMAT);
  json_object_set_string_member (batch, "domain_file", entry->path);
  json_object_set_string_member (batch, "entry", entry->entry);
  json_object_set_member (batch, "identity",
                          bootfix_batch_identity_to_json (id));
  json_object_set_object_member (json_node_get_object (record), "batch", batch);
  return record;
}

struct _BootfixJsonl {
  int fd;
  char *path;
  /* The file may end in a torn line (a crash, a failed write): start
   * the next record on a line of its own, or both would be lost. */
  gboolean needs_newline;
};

/* Does the file end in a line not finished? */
static gboolean
ends_torn (int fd)
{
  struct stat st;
  char last = '\n';
  return fstat (fd, &st) == 0 && st.st_size > 0 &&
    pread (fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

/* A new file's name must survive a crash too. */
static void
sync_folder (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void) fsync (fd);
    close (fd);
  }
}

BootfixJsonl *
bootfix_jsonl_open (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE,
                 _("cannot open the JSONL file %s: %s"), path,
                 g_strerror (saved));
    return NULL;
  }
  sync_folder (path);
  BootfixJsonl *w = g_new0 (BootfixJsonl, 1);
  w->fd = fd;
  w->path = g_strdup (path);
  w->needs_newline = ends_torn (fd);
  return w;
}

/* All of buf, however many write(2) calls it takes. */
static gboolean
write_all (int fd, const char *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return FALSE;
    }
    buf += n;
    len -= (gsize) n;
  }
  return TRUE;
}

gboolean
bootfix_jsonl_append (BootfixJsonl *w, JsonNode *record, GError **error)
{
  /* Compact output escapes every control character in strings, so the
   * record is one line; check it all the same. */
  g_autofree char *json = json_to_string (record, FALSE);
  g_return_val_if_fail (strchr (json, '\n') == NULL, FALSE);
  g_autofree char *line = g_strconcat (w->needs_newline ? "\n" : "", json,
                                       "\n", NULL);
  gboolean ok = write_all (w->fd, line, strlen (line));
  if (ok) {
    int r;
    while ((r = fsync (w->fd)) < 0 && errno == EINTR)
      ;
    ok = r == 0;
  }
  if (!ok) {
    int saved = errno;
    w->needs_newline = TRUE;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot write a record to the JSONL file %s: %s"),
                 w->path, g_strerror (saved));
    return FALSE;
  }
  w->needs_newline = FALSE;
  return TRUE;
}

void
bootfix_jsonl_close (BootfixJsonl *w)
{
  if (w == NULL)
    return;
  close (w->fd);
  g_free (w->path);
  g_free (w);
}
