/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The identity of a guest's files for --resume: taken by stat, written
 * into a record, read back from one and compared. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "batch-identity.h"

typedef struct {
  char *path;
  gboolean known;  /* stat worked, the numbers hold */
  gint64 size, inode, mtime_ns;
} FileIdentity;

struct _BootfixBatchIdentity {
  FileIdentity domain;
  GArray *disks;   /* FileIdentity */
};

static void
file_identity_clear (gpointer p)
{
  FileIdentity *f = p;
  g_clear_pointer (&f->path, g_free);
}

static BootfixBatchIdentity *
identity_new (void)
{
  BootfixBatchIdentity *id = g_new0 (BootfixBatchIdentity, 1);
  id->disks = g_array_new (FALSE, TRUE, sizeof (FileIdentity));
  g_array_set_clear_func (id->disks, file_identity_clear);
  return id;
}

void
bootfix_batch_identity_free (BootfixBatchIdentity *id)
{
  if (id == NULL)
    return;
  file_identity_clear (&id->domain);
  g_array_unref (id->disks);
  g_free (id);
}

/* The inode is kept as the same 64 bits in a signed JSON integer. */
static void
file_identity_take (FileIdentity *f, const char *path)
{
  struct stat st;
  f->path = g_strdup (path);
  f->known = stat (path, &st) == 0;
  if (!f->known)
    return;
  f->size = (gint64) st.st_size;
  f->inode = (gint64) st.st_ino;
  f->mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) +
                st.st_mtim.tv_nsec;
}

BootfixBatchIdentity *
bootfix_batch_identity_take (const char *domain_file, const char *const *disks)
{
  BootfixBatchIdentity *id = identity_new ();
  file_identity_take (&id->domain, domain_file);
  for (guint i = 0; disks != NULL && disks[i] != NULL; i++) {
    FileIdentity f = { 0 };
    file_identity_take (&f, disks[i]);
    g_array_append_val (id->disks, f);
  }
  return id;
}

static void
add_number (JsonBuilder *b, const char *member, gboolean known, gint64 value)
{
  json_builder_set_member_name (b, member);
  if (known)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_file (JsonBuilder *b, const FileIdentity *f)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, f->path);
  add_number (b, "size", f->known, f->size);
  add_number (b, "inode", f->known, f->inode);
  add_number (b, "mtime_ns", f->known, f->mtime_ns);
  json_builder_end_object (b);
}

JsonNode *
bootfix_batch_identity_to_json (const BootfixBatchIdentity *id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "domain_file");
  add_file (b, &id->domain);
  json_builder_set_member_name (b, "disks");
  json_builder_begin_array (b);
  for (guint i = 0; i < id->disks->len; i++)
    add_file (b, &g_array_index (id->disks, FileIdentity, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* 0: null, 1: an integer (in *out), -1: anything else. */
static int
read_number (JsonObject *o, const char *member, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, member);
  if (n != NULL && JSON_NODE_HOLDS_NULL (n))
    return 0;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) ||
      json_node_get_value_type (n) != G_TYPE_INT64)
    return -1;
  *out = json_node_get_int (n);
  return 1;
}

static gboolean
file_identity_read (JsonNode *node, FileIdentity *f)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  JsonObject *o = json_node_get_object (node);
  JsonNode *path = json_object_get_member (o, "path");
  if (path == NULL || !JSON_NODE_HOLDS_VALUE (path) ||
      json_node_get_value_type (path) != G_TYPE_STRING)
    return FALSE;
  int size = read_number (o, "size", &f->size);
  int inode = read_number (o, "inode", &f->inode);
  int mtime = read_number (o, "mtime_ns", &f->mtime_ns);
  if (size < 0 || inode < 0 || mtime < 0)
    return FALSE;
  /* Partly known is no identity at all. */
  f->known = size == 1 && inode == 1 && mtime == 1;
  f->path = g_strdup (json_node_get_string (path));
  return TRUE;
}

BootfixBatchIdentity *
bootfix_batch_identity_from_json (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  JsonObject *o = json_node_get_object (node);
  g_autoptr (BootfixBatchIdentity) id = identity_new ();
  JsonNode *disks = json_object_get_member (o, "disks");
  JsonNode *domain = json_object_get_member (o, "domain_file");
  if (!file_identity_read (domain, &id->domain) ||
      disks == NULL || !JSON_NODE_HOLDS_ARRAY (disks))
    return NULL;
  JsonArray *a = json_node_get_array (disks);
  if (json_array_get_length (a) > BOOTFIX_BATCH_IDENTITY_MAX_DISKS)
    return NULL;
  for (guint i = 0; i < json_array_get_length (a); i++) {
    FileIdentity f = { 0 };
    if (!file_identity_read (json_array_get_element (a, i), &f))
      return NULL;
    g_array_append_val (id->disks, f);
  }
  return g_steal_pointer (&id);
}

static gboolean
file_identity_same (const FileIdentity *a, const FileIdentity *b)
{
  return a->known && b->known && strcmp (a->path, b->path) == 0 &&
    a->size == b->size && a->inode == b->inode && a->mtime_ns == b->mtime_ns;
}

gboolean
bootfix_batch_identity_same (const BootfixBatchIdentity *a,
                             const BootfixBatchIdentity *b)
{
  if (!file_identity_same (&a->domain, &b->domain) ||
      a->disks->len != b->disks->len)
    return FALSE;
  for (guint i = 0; i < a->disks->len; i++)
    if (!file_identity_same (&g_array_index (a->disks, FileIdentity, i),
                             &g_array_index (b->disks, FileIdentity, i)))
      return FALSE;
  return TRUE;
}
