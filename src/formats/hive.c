/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side registry editing with libhivex. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <hivex.h>

#include "bootfix-error.h"
#include "child.h"
#include "bootfix-module.h"
#include "hive.h"
#include "utf16.h"
#include "mounted-devices.h"

struct _BootfixHive {
  hive_h *h;
  char *label;
  GPtrArray *control_sets; /* char*, current first; NULL until needed */
};

/* How many bytes of a binary value the report shows. */
#define MAX_SHOWN_BYTES 32

static void
set_hivex_error (GError **error, const BootfixHive *hive, const char *what,
                 const char *path)
{
  int saved = errno;
  const char *why = saved ? g_strerror (saved) : _("damaged hive");
  if (path)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s: %s %s: %s"), hive->label, what, path, why);
  else
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s: %s: %s"), hive->label, what, why);
}

BootfixHive *
bootfix_hive_open (const char *local_path, const char *label,
                   gboolean writable, GError **error)
{
  errno = 0;
  hive_h *h = hivex_open (local_path, writable ? HIVEX_OPEN_WRITE : 0);
  if (h == NULL) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s cannot be opened: %s (the file is "
                   "damaged or is not a registry hive)"),
                 label, g_strerror (saved ? saved : EINVAL));
    return NULL;
  }
  BootfixHive *hive = g_new0 (BootfixHive, 1);
  hive->h = h;
  hive->label = g_strdup (label);
  return hive;
}

void
bootfix_hive_free (BootfixHive *hive)
{
  if (hive == NULL)
    return;
  if (hive->h)
    hivex_close (hive->h);
  g_clear_pointer (&hive->control_sets, g_ptr_array_unref);
  g_free (hive->label);
  g_free (hive);
}

/* Split a backslash path into components; empty components (doubled or
 * leading backslashes) are dropped. */
static GPtrArray *
split_path (const char *path, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (path, "\\", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  for (char **p = parts; *p; p++) {
    if (**p == '\0')
      continue;
    if (out->len >= BOOTFIX_MAX_KEY_DEPTH) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("registry path too deep: %s"), path);
      return NULL;
    }
    g_ptr_array_add (out, g_strdup (*p));
  }
  return g_steal_pointer (&out);
}

/* Find a child key.  0 with no error when absent. */
static hive_node_h
get_child (BootfixHive *hive, hive_node_h node, const char *name,
           GError **error)
{
  errno = 0;
  hive_node_h child = hivex_node_get_child (hive->h, node, name);
  if (child == 0 && errno != 0) {
    set_hivex_error (error, hive, _("cannot read key"), name);
    return 0;
  }
  return child;
}

/* Walk to a key.  Returns the node, or 0: absent (*error unset) or a
 * damaged hive (*error set).  With create, missing keys are added. */
static hive_node_h
walk (BootfixHive *hive, const char *path, gboolean create, GError **error)
{
  g_autoptr (GPtrArray) parts = split_path (path, error);
  if (parts == NULL)
    return 0;
  hive_node_h node = hivex_root (hive->h);
  if (node == 0) {
    set_hivex_error (error, hive, _("has no root key"), NULL);
    return 0;
  }
  for (guint i = 0; i < parts->len; i++) {
    const char *name = g_ptr_array_index (parts, i);
    g_autoptr (GError) local = NULL;
    hive_node_h child = get_child (hive, node, name, &local);
    if (local != NULL) {
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }
    if (child == 0 && create) {
      child = hivex_node_add_child (hive->h, node, name);
      if (child == 0) {
        set_hivex_error (error, hive, _("cannot create key"), path);
        return 0;
      }
    }
    if (child == 0)
      return 0;
    node = child;
  }
  return node;
}

/* ---- value encoding: ABI form (UTF-8 text) <-> registry bytes ---- */

static gboolean
is_string_type (guint32 type)
{
  return type == BOOTFIX_REG_SZ || type == BOOTFIX_REG_EXPAND_SZ;
}

/* Append UTF-8 text as UTF-16LE code units. */
static gboolean
append_utf16 (GByteArray *out, const char *utf8, gsize len, GError **error)
{
  glong n = 0;
  g_autofree gunichar2 *u16 = g_utf8_to_utf16 (utf8, (glong) len, NULL, &n, error);
  if (u16 == NULL)
    return FALSE;
  for (glong i = 0; i < n; i++) {
    /* Explicitly little-endian, whatever the host. */
    guint8 le[2] = { u16[i] & 0xff, u16[i] >> 8 };
    g_byte_array_append (out, le, 2);
  }
  return TRUE;
}

/* ABI form -> registry bytes.  REG_SZ gains its terminator; REG_MULTI_SZ
 * keeps every NUL it has, one UTF-16 NUL for each. */
static GBytes *
encode_value (guint32 type, GBytes *abi, GError **error)
{
  if (!is_string_type (type) && type != BOOTFIX_REG_MULTI_SZ)
    return g_bytes_ref (abi);
  gsize len = 0;
  const char *utf8 = g_bytes_get_data (abi, &len);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  static const guint8 nul[2] = { 0, 0 };
  gsize start = 0;
  for (gsize i = 0; i <= len; i++) {
    if (i < len && utf8[i] != '\0')
      continue;
    if (!append_utf16 (out, utf8 + start, i - start, error))
      return NULL;
    if (i < len || is_string_type (type))
      g_byte_array_append (out, nul, 2);
    start = i + 1;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* REG_MULTI_SZ bytes -> UTF-8 with every NUL kept (see the ABI header),
 * or NULL when they are not whole UTF-16 code units of valid text. */
static GBytes *
decode_multi_sz (const guint8 *raw, gsize len)
{
  if (len % 2 != 0)
    return NULL;
  g_autoptr (GString) out = g_string_sized_new (len / 2);
  gsize start = 0;
  for (gsize i = 0; i <= len; i += 2) {
    if (i < len && (raw[i] | raw[i + 1]) != 0)
      continue;
    if (i > start) {
      g_autofree char *e = bootfix_utf16le_to_utf8 (raw + start, i - start);
      if (e == NULL)
        return NULL;
      g_string_append (out, e);
    }
    if (i < len)
      g_string_append_c (out, '\0');
    start = i + 2;
  }
  gsize out_len = out->len;
  return g_bytes_new_take (g_string_free (g_steal_pointer (&out), FALSE), out_len);
}

/* Registry bytes -> ABI form.  Text that does not decode crosses as
 * REG_BINARY with its raw bytes, and *type says so. */
static GBytes *
decode_value (guint32 *type, const guint8 *raw, gsize len)
{
  if (is_string_type (*type)) {
    char *s = bootfix_utf16le_to_utf8 (raw, len);
    if (s != NULL)
      return g_bytes_new_take (s, strlen (s));
    *type = BOOTFIX_REG_BINARY;
  } else if (*type == BOOTFIX_REG_MULTI_SZ) {
    GBytes *list = decode_multi_sz (raw, len);
    if (list != NULL)
      return list;
    *type = BOOTFIX_REG_BINARY;
  }
  return g_bytes_new (raw, len);
}

/* REG_MULTI_SZ in ABI form as "a; b" (empty entries left out), or NULL
 * when it is not UTF-8. */
static char *
multi_sz_to_string (const char *p, gsize len)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gsize start = 0;
  for (gsize i = 0; i <= len; i++) {
    if (i < len && p[i] != '\0')
      continue;
    if (i > start) {
      if (!g_utf8_validate (p + start, (gssize) (i - start), NULL))
        return NULL;
      g_string_append_printf (out, "%s%.*s", out->len ? "; " : "",
                              (int) (i - start), p + start);
    }
    start = i + 1;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
bootfix_value_to_string (guint32 type, GBytes *abi)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (abi, &len);
  if (type == BOOTFIX_REG_DWORD && len == 4)
    return g_strdup_printf ("%" "u",
                            (guint32) (p[0] | p[1] << 8 | p[2] << 16 |
                                       (guint32) p[3] << 24));
  if (is_string_type (type) && g_utf8_validate ((const char *) p, len, NULL))
    return g_strndup ((const char *) p, len);
  if (type == BOOTFIX_REG_MULTI_SZ) {
    g_autofree char *list = multi_sz_to_string ((const char *) p, len);
    if (list != NULL)
      return g_steal_pointer (&list);
  }
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < len && i < MAX_SHOWN_BYTES; i++)
    g_string_append_printf (s, "%s%02x", i ? " " : "", p[i]);
  if (len > MAX_SHOWN_BYTES)
    g_string_append (s, " …");
  return g_string_free (s, FALSE);
}

/* MountedDevices values are volume identities: show them as such
 * ("disk 0x7A1F0001 @ 1048576"). */
static char *
value_for_report (const char *path, guint32 type, GBytes *abi)
{
  if (type == BOOTFIX_REG_BINARY && g_str_has_suffix (path, "MountedDevices")) {
    gsize len = 0;
    const guint8 *p = g_bytes_get_data (abi, &len);
    return bootfix_mounted_device_format (p, len);
  }
  return bootfix_value_to_string (type, abi);
}

/* ---- control sets ---- */

static gboolean
is_control_set_name (const char *name)
{
  return strlen (name) == 13 && g_ascii_strncasecmp (name, "ControlSet", 10) == 0 &&
         g_ascii_isdigit (name[10]) && g_ascii_isdigit (name[11]) &&
         g_ascii_isdigit (name[12]);
}

static char *
current_control_set (BootfixHive *hive, GError **error)
{
  guint32 type = 0;
  g_autoptr (GBytes) data = NULL;
  int r = bootfix_hive_get_value (hive, "Select", "Current", &type, &data, error);
  if (r < 0)
    return NULL;
  gsize len = 0;
  const guint8 *p = r ? g_bytes_get_data (data, &len) : NULL;
  if (r == 0 || type != BOOTFIX_REG_DWORD || len != 4 || p[0] == 0 ||
      p[1] || p[2] || p[3]) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s has no valid Select\\Current value, so "
                   "the current control set is unknown"), hive->label);
    return NULL;
  }
  return g_strdup_printf ("ControlSet%03u", p[0]);
}

/* Every ControlSetNNN under the root, current first, then in hive order. */
static gboolean
load_control_sets (BootfixHive *hive, GError **error)
{
  if (hive->control_sets)
    return TRUE;
  g_autofree char *current = current_control_set (hive, error);
  if (current == NULL)
    return FALSE;
  errno = 0;
  g_autofree hive_node_h *children = hivex_node_children (hive->h, hivex_root (hive->h));
  if (children == NULL) {
    set_hivex_error (error, hive, _("cannot list the root key"), NULL);
    return FALSE;
  }
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sets, NULL); /* slot for the current one */
  for (size_t i = 0; children[i] != 0; i++) {
    g_autofree char *name = hivex_node_name (hive->h, children[i]);
    if (name == NULL || !is_control_set_name (name))
      continue;
    gboolean is_current = g_ascii_strcasecmp (name, current) == 0;
    if (is_current && sets->pdata[0] != NULL)
      continue; /* a damaged hive with the same key twice: keep the first */
    if (is_current)
      sets->pdata[0] = g_steal_pointer (&name);
    else
      g_ptr_array_add (sets, g_steal_pointer (&name));
  }
  if (sets->pdata[0] == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s: Select\\Current names %s, which does "
                   "not exist"), hive->label, current);
    return FALSE;
  }
  hive->control_sets = g_steal_pointer (&sets);
  return TRUE;
}

GPtrArray *
bootfix_hive_expand_path (BootfixHive *hive, const char *path,
                          gboolean current_only, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gsize prefix = strlen (BOOTFIX_CONTROL_SET);
  if (g_ascii_strncasecmp (path, BOOTFIX_CONTROL_SET, prefix) != 0 ||
      (path[prefix] != '\\' && path[prefix] != '\0')) {
    g_ptr_array_add (out, g_strdup (path));
    return out;
  }
  if (!load_control_sets (hive, error)) {
    g_ptr_array_unref (out);
    return NULL;
  }
  guint n = current_only ? 1 : hive->control_sets->len;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, g_strconcat (g_ptr_array_index (hive->control_sets, i),
                                       path + prefix, NULL));
  return out;
}

/* ---- reading ---- */

static int
read_value (BootfixHive *hive, hive_node_h node, const char *name,
            guint32 *type, GBytes **data, GError **error)
{
  errno = 0;
  hive_value_h v = hivex_node_get_value (hive->h, node, name);
  if (v == 0)
    return errno ? (set_hivex_error (error, hive, _("cannot read value"), name), -1) : 0;
  hive_type t = 0;
  size_t len = 0;
  if (hivex_value_type (hive->h, v, &t, &len) == -1) {
    set_hivex_error (error, hive, _("cannot read value"), name);
    return -1;
  }
  if (len > BOOTFIX_MAX_VALUE_LEN) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("registry hive %s: value %s is %zu bytes, more than the "
                   "%d we accept"), hive->label, name, len, BOOTFIX_MAX_VALUE_LEN);
    return -1;
  }
  g_autofree char *raw = hivex_value_value (hive->h, v, &t, &len);
  if (raw == NULL) {
    set_hivex_error (error, hive, _("cannot read value"), name);
    return -1;
  }
  guint32 abi_type = t;
  *data = decode_value (&abi_type, (const guint8 *) raw, len);
  *type = abi_type;
  return 1;
}

/* The key at path: 1 and *node, 0 when it does not exist, -1. */
static int
find_key (BootfixHive *hive, const char *path, hive_node_h *node, GError **error)
{
  g_autoptr (GError) local = NULL;
  *node = walk (hive, path, FALSE, &local);
  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return -1;
  }
  return *node != 0;
}

int
bootfix_hive_get_value (BootfixHive *hive, const char *path, const char *name,
                        guint32 *type, GBytes **data, GError **error)
{
  hive_node_h node = 0;
  int r = find_key (hive, path, &node, error);
  return r <= 0 ? r : read_value (hive, node, name, type, data, error);
}

/* The names of a key's values or subkeys, which hivex lists as handles
 * and names one by one.  Names that are not UTF-8 are left out: a
 * module could not name them back. */
typedef struct {
  size_t *(*list) (hive_h *h, hive_node_h node);
  char *(*name) (hive_h *h, size_t item);
  int max;
  gboolean keys;  /* subkeys, not values: for messages */
} NameLister;

static char *
value_name (hive_h *h, size_t item)
{
  return hivex_value_key (h, (hive_value_h) item);
}

static char *
subkey_name (hive_h *h, size_t item)
{
  return hivex_node_name (h, (hive_node_h) item);
}

static int
list_names (BootfixHive *hive, const char *path, const NameLister *l,
            GStrv *names, GError **error)
{
  hive_node_h node = 0;
  int r = find_key (hive, path, &node, error);
  if (r <= 0)
    return r;
  errno = 0;
  g_autofree size_t *items = l->list (hive->h, node);
  if (items == NULL) {
    set_hivex_error (error, hive, l->keys ? _("cannot read subkeys of")
                                          : _("cannot read values of"), path);
    return -1;
  }
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  for (gsize i = 0; items[i]; i++) {
    if (i >= (gsize) l->max) {
      if (l->keys)
        g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                     _("registry hive %s: %s has more than %d subkeys"),
                     hive->label, path, l->max);
      else
        g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                     _("registry hive %s: %s has more than %d values"),
                     hive->label, path, l->max);
      return -1;
    }
    g_autofree char *name = l->name (hive->h, items[i]);
    if (name == NULL) {
      set_hivex_error (error, hive, l->keys ? _("cannot read a subkey name of")
                                            : _("cannot read a value name of"),
                       path);
      return -1;
    }
    if (g_utf8_validate (name, -1, NULL))
      g_strv_builder_add (b, name);
  }
  *names = g_strv_builder_end (b);
  return 1;
}

int
bootfix_hive_list_values (BootfixHive *hive, const char *path, GStrv *names,
                          GError **error)
{
  static const NameLister values = {
    hivex_node_values, value_name,
    BOOTFIX_MAX_LISTED_VALUES, FALSE,
  };
  return list_names (hive, path, &values, names, error);
}

int
bootfix_hive_list_subkeys (BootfixHive *hive, const char *path, GStrv *names,
                           GError **error)
{
  static const NameLister subkeys = {
    hivex_node_children, subkey_name,
    BOOTFIX_MAX_LISTED_KEYS, TRUE,
  };
  return list_names (hive, path, &subkeys, names, error);
}

/* ---- writing ---- */

static char *
full_key (const char *hive_name, const char *path)
{
  return g_strdup_printf ("HKLM\\%s\\%s", hive_name, path);
}

/* Look up a key; create it when writing.  *created tells whether it was
 * missing.  0 with *error set on failure; 0 without error = absent (not
 * writing). */
static hive_node_h
find_or_create_key (BootfixHive *hive, const char *path, gboolean write,
                    gboolean *created, GError **error)
{
  g_autoptr (GError) local = NULL;
  hive_node_h node = walk (hive, path, FALSE, &local);
  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return 0;
  }
  *created = node == 0;
  if (node == 0 && write)
    node = walk (hive, path, TRUE, error);
  return node;
}

/* How many leading components of path exist (the rest must be
 * created), or -1 on a damaged hive. */
static int
existing_depth (BootfixHive *hive, GPtrArray *parts, GError **error)
{
  g_autoptr (GString) prefix = g_string_new (NULL);
  for (guint i = 0; i < parts->len; i++) {
    g_string_append_printf (prefix, "%s%s", i ? "\\" : "",
                            (char *) g_ptr_array_index (parts, i));
    hive_node_h node = 0;
    int r = find_key (hive, prefix->str, &node, error);
    if (r <= 0)
      return r < 0 ? -1 : (int) i;
  }
  return (int) parts->len;
}

/* Every key the action creates is a change, parents included, so the
 * report holds everything that differs afterwards. */
static gboolean
apply_ensure_key (BootfixHive *hive, const char *path, const char *key,
                  const BootfixAction *a, gboolean write, GPtrArray *changes,
                  GError **error)
{
  g_autoptr (GPtrArray) parts = split_path (path, error);
  if (parts == NULL)
    return FALSE;
  int have = existing_depth (hive, parts, error);
  if (have < 0)
    return FALSE;
  /* key is "HKLM\\HIVE\\" + path: keep its prefix for the parents. */
  gsize base = strlen (key) - strlen (path);
  g_autoptr (GString) missing = g_string_new_len (key, (gssize) base);
  for (guint i = 0; i < parts->len; i++) {
    g_string_append_printf (missing, "%s%s", i ? "\\" : "",
                            (char *) g_ptr_array_index (parts, i));
    /* "(new key)" is a value of the JSON report: untranslated. */
    if ((int) i >= have)
      g_ptr_array_add (changes, bootfix_change_new ("registry", missing->str, NULL,
                                                    NULL, "(new key)", a->reason));
  }
  gboolean created = FALSE;
  g_autoptr (GError) local = NULL;
  (void) find_or_create_key (hive, path, write, &created, &local);
  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  return TRUE;
}

static gboolean
apply_set_value (BootfixHive *hive, const char *path, const char *key,
                 const BootfixAction *a, gboolean write, GPtrArray *changes,
                 GError **error)
{
  if (!apply_ensure_key (hive, path, key, a, write, changes, error))
    return FALSE;
  g_autoptr (GBytes) old = NULL;
  guint32 old_type = 0;
  int r = bootfix_hive_get_value (hive, path, a->name, &old_type, &old, error);
  if (r < 0)
    return FALSE;
  if (r == 1 && old_type == a->type && g_bytes_equal (old, a->data))
    return TRUE;
  g_autofree char *old_s = r ? value_for_report (path, old_type, old) : NULL;
  g_autofree char *new_s = value_for_report (path, a->type, a->data);
  g_ptr_array_add (changes, bootfix_change_new ("registry", key, a->name, old_s,
                                                new_s, a->reason));
  if (!write)
    return TRUE;
  g_autoptr (GBytes) raw = encode_value (a->type, a->data, error);
  if (raw == NULL)
    return FALSE;
  gsize len = 0;
  hive_set_value v = {
    .key = a->name, .t = a->type,
    .value = (char *) g_bytes_get_data (raw, &len),
  };
  v.len = len;
  gboolean created = FALSE;
  hive_node_h node = find_or_create_key (hive, path, TRUE, &created, error);
  if (node == 0)
    return FALSE;
  if (hivex_node_set_value (hive->h, node, &v, 0) == -1) {
    set_hivex_error (error, hive, _("cannot set value"), key);
    return FALSE;
  }
  return TRUE;
}

/* hivex has no "delete one value": write back all the others. */
static gboolean
remove_value (BootfixHive *hive, hive_node_h node, const char *name,
              const char *key, GError **error)
{
  errno = 0;
  g_autofree hive_value_h *values = hivex_node_values (hive->h, node);
  if (values == NULL) {
    set_hivex_error (error, hive, _("cannot list values of"), key);
    return FALSE;
  }
  g_autoptr (GArray) keep = g_array_new (FALSE, TRUE, sizeof (hive_set_value));
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (free);
  for (size_t i = 0; values[i] != 0; i++) {
    hive_set_value v = { 0 };
    hive_type t = 0;
    v.key = hivex_value_key (hive->h, values[i]);
    v.value = v.key ? hivex_value_value (hive->h, values[i], &t, &v.len) : NULL;
    if (v.key == NULL || v.value == NULL) {
      free (v.key);
      set_hivex_error (error, hive, _("cannot read values of"), key);
      return FALSE;
    }
    v.t = t;
    g_ptr_array_add (owned, v.key);
    g_ptr_array_add (owned, v.value);
    if (g_ascii_strcasecmp (v.key, name) != 0)
      g_array_append_val (keep, v);
  }
  if (hivex_node_set_values (hive->h, node, keep->len,
                             (hive_set_value *) keep->data, 0) == -1) {
    set_hivex_error (error, hive, _("cannot delete value in"), key);
    return FALSE;
  }
  return TRUE;
}

static gboolean
apply_delete_value (BootfixHive *hive, const char *path, const char *key,
                    const BootfixAction *a, gboolean write, GPtrArray *changes,
                    GError **error)
{
  g_autoptr (GBytes) old = NULL;
  guint32 old_type = 0;
  int r = bootfix_hive_get_value (hive, path, a->name, &old_type, &old, error);
  if (r <= 0)
    return r == 0;
  g_autofree char *old_s = bootfix_value_to_string (old_type, old);
  g_ptr_array_add (changes, bootfix_change_new ("registry", key, a->name, old_s,
                                                NULL, a->reason));
  if (!write)
    return TRUE;
  hive_node_h node = walk (hive, path, FALSE, error);
  return node != 0 && remove_value (hive, node, a->name, key, error);
}

static gboolean
apply_delete_key (BootfixHive *hive, const char *path, const char *key,
                  const BootfixAction *a, gboolean write, GPtrArray *changes,
                  GError **error)
{
  g_autoptr (GError) local = NULL;
  hive_node_h node = walk (hive, path, FALSE, &local);
  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  if (node == 0)
    return TRUE;
  if (node == hivex_root (hive->h)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("refusing to delete the root key of %s"), hive->label);
    return FALSE;
  }
  g_ptr_array_add (changes, bootfix_change_new ("registry", key, NULL,
                                                "(key)", NULL, a->reason));
  if (write && hivex_node_delete_child (hive->h, node) == -1) {
    set_hivex_error (error, hive, _("cannot delete key"), key);
    return FALSE;
  }
  return TRUE;
}

gboolean
bootfix_hive_apply (BootfixHive *hive, const BootfixAction *a,
                    const char *hive_name, gboolean write, GPtrArray *changes,
                    GError **error)
{
  g_autoptr (GPtrArray) paths = bootfix_hive_expand_path (hive, a->path, FALSE,
                                                          error);
  if (paths == NULL)
    return FALSE;
  for (guint i = 0; i < paths->len; i++) {
    const char *path = g_ptr_array_index (paths, i);
    g_autofree char *key = full_key (hive_name, path);
    gboolean ok = FALSE;
    switch (a->kind) {
    case BOOTFIX_ACTION_ENSURE_KEY:
      ok = apply_ensure_key (hive, path, key, a, write, changes, error);
      break;
    case BOOTFIX_ACTION_SET_VALUE:
      ok = apply_set_value (hive, path, key, a, write, changes, error);
      break;
    case BOOTFIX_ACTION_DELETE_VALUE:
      ok = apply_delete_value (hive, path, key, a, write, changes, error);
      break;
    case BOOTFIX_ACTION_DELETE_KEY:
      ok = apply_delete_key (hive, path, key, a, write, changes, error);
      break;
    case BOOTFIX_ACTION_PATCH_FILE:
    case BOOTFIX_ACTION_PATCH_DEVICE:
    case BOOTFIX_ACTION_REPLACE_FILE:
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   "not a registry action");
      break;
    }
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

gboolean
bootfix_hive_commit (BootfixHive *hive, const char *out_path, GError **error)
{
  if (hivex_commit (hive->h, out_path, 0) == -1) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot write the new %s to %s: %s"), hive->label, out_path,
                 g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

typedef struct {
  const char *local_path;
  GPtrArray *actions;
  const char *hive_name;
  const char *out;
} Preflight;

/* In the child (bootfix_child_run): no GError, just an exit status. */
static int
preflight_child (int fd, gpointer data)
{
  const Preflight *p = data;
  (void) fd;
  BootfixHive *hive = bootfix_hive_open (p->local_path, "preflight", TRUE, NULL);
  if (hive == NULL)
    return 1;
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  for (guint i = 0; i < p->actions->len; i++)
    (void) bootfix_hive_apply (hive, g_ptr_array_index (p->actions, i), p->hive_name,
                               TRUE, changes, NULL);
  (void) hivex_commit (hive->h, p->out, 0);
  /* Freed only so that memory checkers stay quiet in the child. */
  g_ptr_array_unref (changes);
  bootfix_hive_free (hive);
  return 0;
}

gboolean
bootfix_hive_preflight (const char *local_path, const char *label,
                        GPtrArray *actions, const char *hive_name,
                        GError **error)
{
  g_autofree char *out = g_strconcat (local_path, ".preflight", NULL);
  Preflight p = { local_path, actions, hive_name, out };
  g_autoptr (GError) local = NULL;
  gboolean ok = bootfix_child_run (preflight_child, &p,
                                   BOOTFIX_HIVE_PREFLIGHT_TIMEOUT_SECONDS * 1000, 0,
                                   NULL, &local);
  (void) unlink (out);
  if (ok)
    return TRUE;
  /* The child runs with default signal handlers, so a crash is a
   * signal; an exit status (even a tool's, such as valgrind's error
   * code) is not. */
  if (g_error_matches (local, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_SIGNALED))
    return bootfix_guest_error (error, _("registry hive %s is damaged in a way "
                                         "libhivex cannot edit safely (it crashed "
                                         "on a copy); restore the hive from a "
                                         "backup"), label);
  if (g_error_matches (local, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TIMED_OUT))
    return bootfix_guest_error (error, _("registry hive %s is damaged in a way "
                                         "libhivex cannot edit safely (it ran for "
                                         "more than %d seconds on a copy); restore "
                                         "the hive from a backup"), label,
                                BOOTFIX_HIVE_PREFLIGHT_TIMEOUT_SECONDS);
  if (g_error_matches (local, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_FAILED)) {
    g_set_error_literal (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED, local->message);
    return FALSE;
  }
  return TRUE;
}
