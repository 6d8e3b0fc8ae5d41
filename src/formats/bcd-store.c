/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BCD store over libhivex.  hivex checks the regf structure; this
 * file bounds what it asks of it (objects, elements, value sizes, name
 * lengths) and checks every value it decodes, since all of it comes
 * from the guest. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <hivex.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "bcd-store.h"
#include "utf16.h"

/* An element key's name: the id as 8 hex digits. */
#define ELEMENT_NAME_LEN 8

struct _BootfixBcdStore {
  hive_h *h;
  char *path; /* for messages */
  char *key_name;
  GPtrArray *objects;
};

static const struct {
  const char *guid;
  const char *alias;
} well_known[] = {
  { BOOTFIX_BCD_GUID_BOOTMGR, "{bootmgr}" },
  { BOOTFIX_BCD_GUID_FWBOOTMGR, "{fwbootmgr}" },
  { BOOTFIX_BCD_GUID_MEMDIAG, "{memdiag}" },
  { BOOTFIX_BCD_GUID_NTLDR, "{ntldr}" },
  { BOOTFIX_BCD_GUID_CURRENT, "{current}" },
  { BOOTFIX_BCD_GUID_DEFAULT, "{default}" },
  { BOOTFIX_BCD_GUID_RAMDISKOPTIONS, "{ramdiskoptions}" },
  { BOOTFIX_BCD_GUID_GLOBALSETTINGS, "{globalsettings}" },
  { BOOTFIX_BCD_GUID_BOOTLOADERSETTINGS, "{bootloadersettings}" },
  { BOOTFIX_BCD_GUID_RESUMELOADERSETTINGS, "{resumeloadersettings}" },
  { BOOTFIX_BCD_GUID_DBGSETTINGS, "{dbgsettings}" },
  { BOOTFIX_BCD_GUID_EMSSETTINGS, "{emssettings}" },
  { BOOTFIX_BCD_GUID_BADMEMORY, "{badmemory}" },
  { BOOTFIX_BCD_GUID_HYPERVISORSETTINGS, "{hypervisorsettings}" },
};

static void
element_free (BootfixBcdElement *el)
{
  g_clear_pointer (&el->value, g_bytes_unref);
  g_free (el);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBcdElement, element_free)

static void
object_free (BootfixBcdObject *obj)
{
  g_free (obj->guid);
  g_clear_pointer (&obj->elements, g_ptr_array_unref);
  g_free (obj);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBcdObject, object_free)

void
bootfix_bcd_store_free (BootfixBcdStore *store)
{
  if (store == NULL)
    return;
  if (store->h != NULL)
    (void) hivex_close (store->h);
  g_clear_pointer (&store->objects, g_ptr_array_unref);
  g_free (store->key_name);
  g_free (store->path);
  g_free (store);
}

static gboolean store_fail (const BootfixBcdStore *s, GError **error, int code,
                            const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Every message names the store file. */
static gboolean
store_fail (const BootfixBcdStore *s, GError **error, int code, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, code, _("BCD store %s: %s"), s->path, msg);
  return FALSE;
}

/* hivex sets errno on damage; a bare 0 result means "absent". */
static const char *
hivex_why (void)
{
  return errno != 0 ? g_strerror (errno) : _("damaged hive");
}

/* ---- Decoding tables ---- */

BootfixBcdFormat
bootfix_bcd_element_format (guint32 id)
{
  guint32 f = (id >> 24) & 0xf;
  return f >= BOOTFIX_BCD_FORMAT_DEVICE && f <= BOOTFIX_BCD_FORMAT_INTEGER_LIST
           ? (BootfixBcdFormat) f
           : BOOTFIX_BCD_FORMAT_UNKNOWN;
}

const char *
bootfix_bcd_format_name (BootfixBcdFormat format)
{
  static const char *const names[] = { "unknown", "device",  "string",  "object",
                                       "object list", "integer", "boolean",
                                       "integer list" };
  return (guint) format < G_N_ELEMENTS (names) ? names[format] : names[0];
}

BootfixBcdObjectKind
bootfix_bcd_object_kind (guint32 type)
{
  static const BootfixBcdObjectKind apps[] = {
    BOOTFIX_BCD_OBJECT_APPLICATION, BOOTFIX_BCD_OBJECT_FWBOOTMGR,
    BOOTFIX_BCD_OBJECT_BOOTMGR,     BOOTFIX_BCD_OBJECT_OSLOADER,
    BOOTFIX_BCD_OBJECT_RESUME,      BOOTFIX_BCD_OBJECT_MEMDIAG,
    BOOTFIX_BCD_OBJECT_NTLDR,       BOOTFIX_BCD_OBJECT_SETUPLDR,
    BOOTFIX_BCD_OBJECT_BOOTSECTOR,  BOOTFIX_BCD_OBJECT_STARTUP,
  };
  guint32 app = type & 0xfffff;

  switch (type >> 28) {
  case 1:
    return app < G_N_ELEMENTS (apps) ? apps[app] : BOOTFIX_BCD_OBJECT_APPLICATION;
  case 2:
    switch ((type >> 20) & 0xf) {
    case 1:
      return BOOTFIX_BCD_OBJECT_INHERIT_LIBRARY;
    case 2:
      return BOOTFIX_BCD_OBJECT_INHERIT_APP;
    case 3:
      return BOOTFIX_BCD_OBJECT_INHERIT_DEVICE;
    default:
      return BOOTFIX_BCD_OBJECT_UNKNOWN;
    }
  case 3:
    return BOOTFIX_BCD_OBJECT_DEVICE;
  default:
    return BOOTFIX_BCD_OBJECT_UNKNOWN;
  }
}

const char *
bootfix_bcd_object_kind_name (BootfixBcdObjectKind kind)
{
  static const char *const names[] = {
    "unknown",  "fwbootmgr",  "bootmgr", "osloader",    "resume",
    "memdiag",  "ntldr",      "setupldr", "bootsector", "startup",
    "application", "inherit library", "inherit application", "inherit device",
    "device options",
  };
  return (guint) kind < G_N_ELEMENTS (names) ? names[kind] : names[0];
}

const char *
bootfix_bcd_alias_for_guid (const char *guid)
{
  for (gsize i = 0; guid != NULL && i < G_N_ELEMENTS (well_known); i++) {
    if (g_ascii_strcasecmp (guid, well_known[i].guid) == 0)
      return well_known[i].alias;
  }
  return NULL;
}

const char *
bootfix_bcd_guid_for_alias (const char *alias)
{
  for (gsize i = 0; alias != NULL && i < G_N_ELEMENTS (well_known); i++) {
    if (g_ascii_strcasecmp (alias, well_known[i].alias) == 0)
      return well_known[i].guid;
  }
  return NULL;
}

/* ---- Reading the hive, bounded ---- */

static gboolean
get_child (const BootfixBcdStore *s, hive_node_h node, const char *name,
           hive_node_h *out, GError **error)
{
  errno = 0;
  *out = hivex_node_get_child (s->h, node, name);
  if (*out == 0 && errno != 0)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot read key %s: %s"), name,
                       hivex_why ());
  return TRUE;
}

/* A 0-terminated array of at most max children. */
static hive_node_h *
get_children (const BootfixBcdStore *s, hive_node_h node, const char *what, gsize max,
              GError **error)
{
  g_autofree hive_node_h *children = NULL;

  errno = 0;
  children = hivex_node_children (s->h, node);
  if (children == NULL) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot list the subkeys of %s: %s"),
                what, hivex_why ());
    return NULL;
  }
  for (gsize n = 0; children[n] != 0; n++) {
    if (n >= max) {
      store_fail (s, error, BOOTFIX_ERROR_GUEST, _("%s has more than %zu subkeys"), what,
                  max);
      return NULL;
    }
  }
  return g_steal_pointer (&children);
}

/* A key name, bounded and valid UTF-8, for models and messages. */
static char *
get_name (const BootfixBcdStore *s, hive_node_h node, const char *parent, GError **error)
{
  g_autofree char *name = NULL;

  errno = 0;
  name = hivex_node_name (s->h, node);
  if (name == NULL) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot read a key name under %s: %s"),
                parent, hivex_why ());
    return NULL;
  }
  if (strlen (name) > BOOTFIX_BCD_MAX_NAME_LEN || !g_utf8_validate (name, -1, NULL)) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST,
                _("a key under %s has a name longer than %d bytes or not UTF-8"), parent,
                BOOTFIX_BCD_MAX_NAME_LEN);
    return NULL;
  }
  return g_steal_pointer (&name);
}

/* The value name under key; *out NULL when absent. */
static gboolean
get_value (const BootfixBcdStore *s, hive_node_h key, const char *name,
           const char *what, guint32 *type, GBytes **out, GError **error)
{
  hive_value_h v;
  hive_type t;
  size_t len = 0;
  g_autofree char *data = NULL;

  *out = NULL;
  errno = 0;
  v = hivex_node_get_value (s->h, key, name);
  if (v == 0)
    return errno == 0 ||
           store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot read %s: %s"), what,
                       hivex_why ());
  if (hivex_value_type (s->h, v, &t, &len) == -1)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot read %s: %s"), what,
                       hivex_why ());
  if (len > BOOTFIX_BCD_MAX_VALUE_LEN)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                       _("%s is %zu bytes, more than the %d we accept"), what, len,
                       BOOTFIX_BCD_MAX_VALUE_LEN);
  data = hivex_value_value (s->h, v, &t, &len);
  if (data == NULL || len > BOOTFIX_BCD_MAX_VALUE_LEN)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST, _("cannot read %s: %s"), what,
                       hivex_why ());
  *type = (guint32) t;
  *out = g_bytes_new (data, len);
  return TRUE;
}

/* ---- Loading ---- */

static gboolean
parse_element_name (const char *name, guint32 *id)
{
  guint64 v = 0;

  if (strlen (name) != ELEMENT_NAME_LEN)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++) {
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  }
  v = g_ascii_strtoull (name, NULL, 16);
  *id = (guint32) v;
  return TRUE;
}

static BootfixBcdElement *
load_element (const BootfixBcdStore *s, const BootfixBcdObject *obj, hive_node_h node,
              GError **error)
{
  g_autoptr (BootfixBcdElement) el = g_new0 (BootfixBcdElement, 1);
  g_autofree char *name = get_name (s, node, obj->guid, error);
  g_autofree char *what = NULL;

  if (name == NULL)
    return NULL;
  if (!parse_element_name (name, &el->id)) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST,
                _("object %s: element key \"%s\" is not 8 hex digits"), obj->guid, name);
    return NULL;
  }
  what = g_strdup_printf (_("object %s element %s"), obj->guid, name);
  if (!get_value (s, node, "Element", what, &el->reg_type, &el->value, error))
    return NULL;
  if (el->value == NULL) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST, _("%s has no Element value"), what);
    return NULL;
  }
  el->format = bootfix_bcd_element_format (el->id);
  el->node = node;
  return g_steal_pointer (&el);
}

static gboolean
load_elements (const BootfixBcdStore *s, BootfixBcdObject *obj, GError **error)
{
  hive_node_h elements;
  g_autofree hive_node_h *children = NULL;

  if (!get_child (s, obj->node, "Elements", &elements, error))
    return FALSE;
  if (elements == 0)
    return TRUE; /* an object may have no elements at all */
  g_autofree char *what = g_strdup_printf (_("object %s\\Elements"), obj->guid);
  children = get_children (s, elements, what, BOOTFIX_BCD_MAX_ELEMENTS, error);
  if (children == NULL)
    return FALSE;
  for (gsize i = 0; children[i] != 0; i++) {
    BootfixBcdElement *el = load_element (s, obj, children[i], error);
    if (el == NULL)
      return FALSE;
    g_ptr_array_add (obj->elements, el);
    /* Two keys for one id ("1100000a", "1100000A"): which one wins is
     * undefined, so refuse the store. */
    if (bootfix_bcd_object_find_element (obj, el->id) != el)
      return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                         _("object %s has element %08x twice"), obj->guid, el->id);
  }
  return TRUE;
}

static gboolean
load_type (const BootfixBcdStore *s, BootfixBcdObject *obj, GError **error)
{
  hive_node_h desc;
  guint32 reg_type = 0;
  g_autoptr (GBytes) value = NULL;
  g_autofree char *what = g_strdup_printf (_("object %s Description\\Type"), obj->guid);

  if (!get_child (s, obj->node, "Description", &desc, error))
    return FALSE;
  if (desc == 0)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                       _("object %s has no Description key"), obj->guid);
  if (!get_value (s, desc, "Type", what, &reg_type, &value, error))
    return FALSE;
  if (value == NULL || reg_type != BOOTFIX_REG_DWORD ||
      !bootfix_read_le32 (g_bytes_get_data (value, NULL), g_bytes_get_size (value), 0,
                          &obj->type) ||
      g_bytes_get_size (value) != 4)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                       _("%s is missing or not a 4-byte REG_DWORD"), what);
  obj->kind = bootfix_bcd_object_kind (obj->type);
  return TRUE;
}

static BootfixBcdObject *
load_object (BootfixBcdStore *s, hive_node_h node, GError **error)
{
  g_autoptr (BootfixBcdObject) obj = g_new0 (BootfixBcdObject, 1);

  obj->guid = get_name (s, node, "Objects", error);
  if (obj->guid == NULL)
    return NULL;
  if (bootfix_bcd_store_find_object (s, obj->guid) != NULL) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST, _("object %s is there twice"), obj->guid);
    return NULL;
  }
  obj->alias = bootfix_bcd_alias_for_guid (obj->guid);
  obj->node = node;
  obj->elements = g_ptr_array_new_with_free_func ((GDestroyNotify) element_free);
  if (!load_type (s, obj, error) || !load_elements (s, obj, error))
    return NULL;
  return g_steal_pointer (&obj);
}

static gboolean
load_objects (BootfixBcdStore *s, hive_node_h root, GError **error)
{
  hive_node_h objects;
  g_autofree hive_node_h *children = NULL;

  if (!get_child (s, root, "Objects", &objects, error))
    return FALSE;
  if (objects == 0)
    return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                       _("there is no Objects key: this is not a BCD store"));
  children = get_children (s, objects, "Objects", BOOTFIX_BCD_MAX_OBJECTS, error);
  if (children == NULL)
    return FALSE;
  for (gsize i = 0; children[i] != 0; i++) {
    BootfixBcdObject *obj = load_object (s, children[i], error);
    if (obj == NULL)
      return FALSE;
    g_ptr_array_add (s->objects, obj);
  }
  return TRUE;
}

/* Description\KeyName: optional, but a string when present. */
static gboolean
load_key_name (BootfixBcdStore *s, hive_node_h root, GError **error)
{
  hive_node_h desc;
  hive_value_h v;

  if (!get_child (s, root, "Description", &desc, error))
    return FALSE;
  if (desc == 0)
    return TRUE;
  errno = 0;
  v = hivex_node_get_value (s->h, desc, "KeyName");
  if (v == 0)
    return errno == 0 || store_fail (s, error, BOOTFIX_ERROR_GUEST,
                                     _("cannot read Description\\KeyName: %s"),
                                     hivex_why ());
  g_autofree char *name = hivex_value_string (s->h, v);
  if (name == NULL || strlen (name) > BOOTFIX_BCD_MAX_NAME_LEN ||
      !g_utf8_validate (name, -1, NULL))
    return store_fail (s, error, BOOTFIX_ERROR_GUEST,
                       _("Description\\KeyName is not a string of at most %d bytes"),
                       BOOTFIX_BCD_MAX_NAME_LEN);
  s->key_name = g_steal_pointer (&name);
  return TRUE;
}

BootfixBcdStore *
bootfix_bcd_store_open (const char *path, GError **error)
{
  g_autoptr (BootfixBcdStore) s = g_new0 (BootfixBcdStore, 1);
  hive_node_h root;

  s->path = g_strdup (path);
  s->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) object_free);
  errno = 0;
  s->h = hivex_open (path, 0);
  if (s->h == NULL) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST,
                _("cannot open: %s (the file is damaged or not a registry hive)"),
                g_strerror (errno != 0 ? errno : EINVAL));
    return NULL;
  }
  errno = 0;
  root = hivex_root (s->h);
  if (root == 0) {
    store_fail (s, error, BOOTFIX_ERROR_GUEST, _("no root key: %s"), hivex_why ());
    return NULL;
  }
  if (!load_key_name (s, root, error) || !load_objects (s, root, error))
    return NULL;
  return g_steal_pointer (&s);
}

/* ---- In-place patching ---- */

/* A regf cell starts with its 4-byte size; the data follows. */
#define CELL_HEADER 4

gboolean
bootfix_bcd_store_element_file_offset (BootfixBcdStore *store,
                                       const BootfixBcdElement *el,
                                       const guint8 *file, gsize file_len,
                                       guint64 *offset, GError **error)
{
  gsize vlen = 0;
  const guint8 *want = g_bytes_get_data (el->value, &vlen);
  errno = 0;
  hive_value_h v = hivex_node_get_value (store->h, el->node, "Element");
  size_t cell_len = 0;
  hive_value_h cell = v ? hivex_value_data_cell_offset (store->h, v, &cell_len) : 0;
  if (cell == 0 || cell > file_len || file_len - cell < CELL_HEADER ||
      file_len - cell - CELL_HEADER < vlen ||
      memcmp (file + cell + CELL_HEADER, want, vlen) != 0) {
    store_fail (store, error, BOOTFIX_ERROR_GUEST,
                _("element %08x: its value is not stored in one piece that "
                  "can be patched in place"), el->id);
    return FALSE;
  }
  *offset = (guint64) cell + CELL_HEADER;
  return TRUE;
}

/* ---- Queries ---- */

const char *
bootfix_bcd_store_get_key_name (const BootfixBcdStore *store)
{
  return store->key_name;
}

GPtrArray *
bootfix_bcd_store_get_objects (const BootfixBcdStore *store)
{
  return store->objects;
}

const BootfixBcdObject *
bootfix_bcd_store_find_object (const BootfixBcdStore *store, const char *guid_or_alias)
{
  const char *guid = bootfix_bcd_guid_for_alias (guid_or_alias);

  if (guid == NULL)
    guid = guid_or_alias;
  for (guint i = 0; guid != NULL && i < store->objects->len; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (store->objects, i);
    if (g_ascii_strcasecmp (obj->guid, guid) == 0)
      return obj;
  }
  return NULL;
}

const BootfixBcdElement *
bootfix_bcd_object_find_element (const BootfixBcdObject *obj, guint32 id)
{
  for (guint i = 0; i < obj->elements->len; i++) {
    const BootfixBcdElement *el = g_ptr_array_index (obj->elements, i);
    if (el->id == id)
      return el;
  }
  return NULL;
}

/* ---- Typed views ---- */

static gboolean
element_fail (const BootfixBcdElement *el, GError **error, const char *why)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
               _("BCD element %08x (%s, registry type %u, %zu bytes): %s"), el->id,
               bootfix_bcd_format_name (el->format), el->reg_type,
               g_bytes_get_size (el->value), why);
  return FALSE;
}

char *
bootfix_bcd_element_get_string (const BootfixBcdElement *el, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (el->value, &len);
  char *text;

  if (el->reg_type != BOOTFIX_REG_SZ || len % 2 != 0) {
    element_fail (el, error, _("not a UTF-16 REG_SZ"));
    return NULL;
  }
  text = bootfix_utf16le_to_utf8 (data, len);
  if (text == NULL)
    element_fail (el, error, _("not valid UTF-16"));
  return text;
}

BootfixBcdDevice *
bootfix_bcd_element_get_device (const BootfixBcdElement *el, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (el->value, &len);
  BootfixBcdDevice *dev;

  if (el->reg_type != BOOTFIX_REG_BINARY) {
    element_fail (el, error, _("a device is a REG_BINARY"));
    return NULL;
  }
  dev = bootfix_bcd_device_parse (data, len, error);
  if (dev == NULL)
    g_prefix_error (error, _("BCD element %08x: "), el->id);
  return dev;
}
