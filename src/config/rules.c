/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule files (the *.xml files in data/rules): loader, validator, matcher.
 *
 * The format is documented in data/schema/bootfix-rules.rng.  The
 * schema is only checked by a test; the checks that protect us at run
 * time are the ones here, so every element, attribute and value is
 * validated again, and every error names FILE:LINE. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rules.h"
#include "xml-util.h"
#include "bootfix-error.h"
#include "dirs.h"

/* Limits on what a data file may make us allocate. */
#define MAX_RULE_FILES 256        /* *.xml files in one folder */
#define MAX_RULES 1024            /* rules + cleanups in one set, all files */
#define MAX_ITEMS_PER_RULE 128    /* body items of one rule */
#define MAX_CONTROLLERS_PER_RULE 32
#define MAX_ATTR_LEN 256          /* bytes in one attribute value */
#define MAX_NT_PART 99            /* each half of "major.minor" */

struct _BootfixRuleSet {
  GPtrArray *rules;    /* storage BootfixRule*, owned, in load order */
  GPtrArray *cleanups; /* cleanup BootfixRule*, owned, in load order */
  GHashTable *by_id;   /* rule id -> BootfixRule*, borrowed; both kinds */
};

/* --- ownership ---------------------------------------------------- */

static void
rule_item_free (BootfixRuleItem *item)
{
  g_free (item->kind);
  g_clear_pointer (&item->attrs, g_hash_table_unref);
  g_free (item);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixRuleItem, rule_item_free)

void
bootfix_rule_free (BootfixRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->id);
  g_free (rule->description);
  g_free (rule->file);
  g_free (rule->arch);
  g_free (rule->osinfo);
  g_free (rule->variant);
  g_free (rule->driver_source);
  g_clear_pointer (&rule->items, g_ptr_array_unref);
  g_clear_pointer (&rule->controllers, g_ptr_array_unref);
  g_free (rule);
}

static BootfixRuleSet *
rule_set_new (void)
{
  BootfixRuleSet *rs = g_new0 (BootfixRuleSet, 1);
  rs->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_rule_free);
  rs->cleanups =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_rule_free);
  rs->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return rs;
}

void
bootfix_rule_set_free (BootfixRuleSet *rs)
{
  if (rs == NULL)
    return;
  g_hash_table_unref (rs->by_id);
  g_ptr_array_unref (rs->rules);
  g_ptr_array_unref (rs->cleanups);
  g_free (rs);
}

/* --- errors ------------------------------------------------------- */

static void set_data_error (GError **error, const char *file, int line,
                            const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* Every complaint about a data file reads "FILE:LINE: what is wrong". */
static void
set_data_error (GError **error, const char *file, int line,
                const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
               "%s:%d: %s", file, line, msg);
}

/* --- value checks ------------------------------------------------- */
/* Each returns NULL when the value is fine, else a reason to show. */

typedef const char *(*ValueCheck) (const char *value);

static gboolean
all_chars_in (const char *s, const char *extra)
{
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
      return FALSE;
  return TRUE;
}

/* Parse a decimal number of at most max_digits digits, no sign, no
 * spaces, no leading zeros (so "6.01" is not silently "6.1"). */
static gboolean
parse_decimal (const char *s, gsize len, gsize max_digits, guint *out)
{
  guint v = 0;
  if (len == 0 || len > max_digits || (len > 1 && s[0] == '0'))
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
    v = v * 10 + (guint) (s[i] - '0');
  }
  *out = v;
  return TRUE;
}

/* "6.1" -> 601.  FALSE for anything but two small dotted numbers. */
static gboolean
parse_nt_version (const char *s, int *out)
{
  const char *dot = strchr (s, '.');
  guint major, minor;
  if (dot == NULL
      || !parse_decimal (s, (gsize) (dot - s), 2, &major)
      || !parse_decimal (dot + 1, strlen (dot + 1), 2, &minor)
      || major > MAX_NT_PART || minor > MAX_NT_PART)
    return FALSE;
  *out = (int) (major * 100 + minor);
  return TRUE;
}

static const char *
check_version (const char *v)
{
  int unused;
  return parse_nt_version (v, &unused)
    ? NULL : _("must be an NT version such as \"6.1\"");
}

static const char *
check_rule_id (const char *v)
{
  return g_ascii_isalnum (v[0]) && all_chars_in (v, "._-")
    ? NULL : _("must be letters, digits, '.', '_' or '-'");
}

/* Short lower-case ids: osinfo "win2k8r2", controller "piix3-ide". */
static const char *
check_lower_id (const char *v)
{
  for (const char *p = v; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-'
        && *p != '.')
      return _("must be lower-case letters, digits, '.' or '-'");
  return g_ascii_isalnum (v[0]) ? NULL : _("must start with a letter or digit");
}

static const char *
check_arch (const char *v)
{
  return g_str_equal (v, "i386") || g_str_equal (v, "x86_64")
    ? NULL : _("must be \"i386\" or \"x86_64\"");
}

static const char *
check_variant (const char *v)
{
  return g_str_equal (v, "client") || g_str_equal (v, "server")
    ? NULL : _("must be \"client\" or \"server\"");
}

static const char *
check_value_type (const char *v)
{
  static const char *const types[] = { "sz", "expand-sz", "multi-sz", "dword",
                                       "binary", NULL };
  return g_strv_contains (types, v) ? NULL
    : _("must be sz, expand-sz, multi-sz, dword or binary");
}

/* A driver package the user supplies (--virtio-win). */
static const char *
check_driver_source (const char *v)
{
  return strcmp (v, "virtio-win") == 0 ? NULL : _("must be \"virtio-win\"");
}

/* Registry service key names and driver file names. */
static const char *
check_name (const char *v)
{
  return v[0] != '.' && all_chars_in (v, "._-")
    ? NULL : _("must be letters, digits, '.', '_' or '-'");
}

static const char *
check_start (const char *v)
{
  guint n;
  return parse_decimal (v, strlen (v), 1, &n) && n <= 4
    ? NULL : _("must be a number from 0 to 4");
}

static const char *
check_error_control (const char *v)
{
  guint n;
  return parse_decimal (v, strlen (v), 1, &n) && n <= 3
    ? NULL : _("must be a number from 0 to 3");
}

/* The service types an INF AddService directive documents. */
static const char *
check_service_type (const char *v)
{
  guint n;
  return parse_decimal (v, strlen (v), 2, &n)
         && (n == 1 || n == 2 || n == 16 || n == 32)
    ? NULL : _("must be 1, 2, 16 or 32");
}

/* A registry key name: printable ASCII, no spaces, no backslash. */
static const char *
check_device_id (const char *v)
{
  for (const char *p = v; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~' || *p == '\\')
      return _("must be printable ASCII without spaces or '\\'");
  return NULL;
}

/* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} */
static const char *
check_guid (const char *v)
{
  static const char shape[] = "{........-....-....-....-............}";
  if (strlen (v) != sizeof shape - 1)
    return _("must be a GUID such as {4D36E96A-E325-11CE-BFC1-08002BE10318}");
  for (gsize i = 0; shape[i] != '\0'; i++) {
    gboolean ok = shape[i] == '.' ? g_ascii_isxdigit (v[i]) : v[i] == shape[i];
    if (!ok)
      return _("must be a GUID such as {4D36E96A-E325-11CE-BFC1-08002BE10318}");
  }
  return NULL;
}

/* The two filter lists of a device setup class key. */
static const char *
check_filter_value (const char *v)
{
  return g_str_equal (v, "UpperFilters") || g_str_equal (v, "LowerFilters")
    ? NULL : _("must be \"UpperFilters\" or \"LowerFilters\"");
}

/* --- element and attribute specs ---------------------------------- */

typedef struct {
  const char *name;
  gboolean required;
  ValueCheck check;  /* NULL: any printable text */
} AttrSpec;

typedef struct {
  const char *name;
  const AttrSpec *attrs;  /* ends with a NULL name */
} ElementSpec;

static const AttrSpec rules_attrs[] = { { NULL } };
static const AttrSpec rule_attrs[] = {
  { "id", TRUE, check_rule_id },
  { "description", TRUE, NULL },
  { NULL } };
static const AttrSpec match_attrs[] = {
  { "nt-min", FALSE, check_version },
  { "nt-max", FALSE, check_version },
  { "arch", FALSE, check_arch },
  { "osinfo", FALSE, check_lower_id },
  { "variant", FALSE, check_variant },
  { "driver-source", FALSE, check_driver_source },
  { NULL } };
static const AttrSpec controller_attrs[] = {
  { "id", TRUE, check_lower_id }, { NULL } };

static const ElementSpec rules_spec = { "rules", rules_attrs };
static const ElementSpec rule_spec = { "rule", rule_attrs };
static const ElementSpec cleanup_spec = { "cleanup", rule_attrs };
static const ElementSpec match_spec = { "match", match_attrs };
static const ElementSpec controller_spec = { "controller", controller_attrs };

/* The rule body: element name = item kind. */
static const AttrSpec service_attrs[] = {
  { "name", TRUE, check_name },
  { "start", TRUE, check_start },
  { "type", FALSE, check_service_type },
  { "error-control", FALSE, check_error_control },
  { "group", FALSE, NULL },
  { "image-path", FALSE, NULL },
  { NULL } };
static const AttrSpec cdd_attrs[] = {
  { "id", TRUE, check_device_id },
  { "service", TRUE, check_name },
  { "class-guid", TRUE, check_guid },
  { "controller", FALSE, check_lower_id },
  { NULL } };
static const AttrSpec start_override_attrs[] = {
  { "service", TRUE, check_name }, { NULL } };
static const AttrSpec driver_file_attrs[] = {
  { "name", TRUE, check_name }, { "cabinets", FALSE, NULL }, { NULL } };
static const AttrSpec refuse_attrs[] = {
  { "reason", TRUE, NULL }, { "advice", FALSE, NULL }, { NULL } };

static const AttrSpec virtio_driver_attrs[] = {
  { "name", TRUE, check_name }, { "i386", TRUE, check_name },
  { "x86_64", TRUE, check_name }, { NULL } };
static const AttrSpec registry_value_attrs[] = {
  { "key", TRUE, NULL }, { "name", FALSE, NULL }, { "type", TRUE, check_value_type },
  { "value", TRUE, NULL }, { NULL } };
static const AttrSpec virtio_dir_attrs[] = {
  { "osinfo", TRUE, check_lower_id }, { "dir", TRUE, check_name }, { NULL } };

static const ElementSpec item_specs[] = {
  { "service", service_attrs },
  { "virtio-driver", virtio_driver_attrs },
  { "virtio-dir", virtio_dir_attrs },
  { "registry-value", registry_value_attrs },
  { "cdd", cdd_attrs },
  { "remove-start-override", start_override_attrs },
  { "driver-file", driver_file_attrs },
  { "refuse", refuse_attrs },
  { NULL, NULL } };

/* The cleanup body.  A cleanup item never creates anything: it changes
 * what exists (see bootfix-rules.rng). */
static const AttrSpec disable_service_attrs[] = {
  { "name", TRUE, check_name },
  { "reason", TRUE, NULL },
  { NULL } };
static const AttrSpec remove_filter_attrs[] = {
  { "class-guid", TRUE, check_guid },
  { "value", TRUE, check_filter_value },
  { "name", TRUE, check_name },
  { "reason", TRUE, NULL },
  { NULL } };

static const ElementSpec cleanup_item_specs[] = {
  { "disable-service", disable_service_attrs },
  { "remove-filter", remove_filter_attrs },
  { NULL, NULL } };

static const ElementSpec *
find_item_spec (const ElementSpec *table, const char *name)
{
  for (const ElementSpec *e = table; e->name != NULL; e++)
    if (g_str_equal (e->name, name))
      return e;
  return NULL;
}

static const AttrSpec *
find_attr_spec (const ElementSpec *spec, const char *name)
{
  for (const AttrSpec *a = spec->attrs; a->name != NULL; a++)
    if (g_str_equal (a->name, name))
      return a;
  return NULL;
}

/* --- generic element reading -------------------------------------- */

/* Child elements of node, in order.  Comments and white space are
 * skipped; text or anything else is an error (no mixed content). */
static GPtrArray *
child_elements (xmlNode *node, const char *file, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      g_ptr_array_add (out, c);
    } else if (c->type == XML_TEXT_NODE && xmlIsBlankNode (c)) {
      continue;
    } else if (c->type != XML_COMMENT_NODE) {
      /* libxml2 gives text the line where it ends: name the parent. */
      set_data_error (error, file, bootfix_xml_line (node),
                      _("unexpected content inside <%s>"), node->name);
      return NULL;
    }
  }
  return g_steal_pointer (&out);
}

static gboolean
check_value (const AttrSpec *a, const char *value, xmlNode *node,
             const char *file, GError **error)
{
  const char *why = NULL;
  gsize len = strlen (value);
  if (len == 0)
    why = _("must not be empty");
  else if (len > MAX_ATTR_LEN)
    why = _("is too long");
  for (const char *p = value; why == NULL && *p != '\0'; p++)
    if ((guchar) *p < ' ' || *p == 0x7f)
      why = _("contains a control character");
  if (why == NULL && a->check != NULL)
    why = a->check (value);
  if (why != NULL)
    set_data_error (error, file, bootfix_xml_line (node),
                    _("<%s> attribute '%s': %s"), node->name, a->name, why);
  return why == NULL;
}

/* Validate node's name and attributes against spec and return the
 * attributes as a table (name -> value). */
static GHashTable *
read_element (xmlNode *node, const ElementSpec *spec, const char *file,
              GError **error)
{
  g_autoptr (GHashTable) attrs =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (node->ns != NULL) {
    set_data_error (error, file, bootfix_xml_line (node),
                    _("element <%s> must not be in a namespace"), node->name);
    return NULL;
  }
  for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
    if (a->ns != NULL || find_attr_spec (spec, (const char *) a->name) == NULL) {
      set_data_error (error, file, bootfix_xml_line (node),
                      _("unknown attribute '%s' on <%s>"), a->name, spec->name);
      return NULL;
    }
  }
  for (const AttrSpec *a = spec->attrs; a->name != NULL; a++) {
    g_autofree char *value = bootfix_xml_get_attr (node, a->name);
    if (value == NULL && a->required) {
      set_data_error (error, file, bootfix_xml_line (node),
                      _("<%s> needs attribute '%s'"), spec->name, a->name);
      return NULL;
    }
    if (value == NULL)
      continue;
    if (!check_value (a, value, node, file, error))
      return NULL;
    g_hash_table_insert (attrs, g_strdup (a->name), g_steal_pointer (&value));
  }
  return g_steal_pointer (&attrs);
}

/* read_element for elements that take no children (items, controller). */
static GHashTable *
read_leaf_element (xmlNode *node, const ElementSpec *spec, const char *file,
                   GError **error)
{
  g_autoptr (GHashTable) attrs = read_element (node, spec, file, error);
  if (attrs == NULL)
    return NULL;
  g_autoptr (GPtrArray) kids = child_elements (node, file, error);
  if (kids == NULL)
    return NULL;
  if (kids->len > 0) {
    set_data_error (error, file, bootfix_xml_line (kids->pdata[0]),
                    _("<%s> takes no child elements"), spec->name);
    return NULL;
  }
  return g_steal_pointer (&attrs);
}

/* Steal one value out of an attribute table (NULL when absent). */
static char *
take_attr (GHashTable *attrs, const char *name)
{
  gpointer key = NULL, value = NULL;
  if (!g_hash_table_steal_extended (attrs, name, &key, &value))
    return NULL;
  g_free (key);
  return value;
}

/* --- rule parsing ------------------------------------------------- */

static gboolean
parse_controllers (xmlNode *match, BootfixRule *rule, const char *file,
                   GError **error)
{
  g_autoptr (GPtrArray) kids = child_elements (match, file, error);
  if (kids == NULL)
    return FALSE;
  for (guint i = 0; i < kids->len; i++) {
    xmlNode *c = kids->pdata[i];
    if (!bootfix_xml_is_element (c, "controller")) {
      set_data_error (error, file, bootfix_xml_line (c),
                      _("unknown element <%s> inside <match>"), c->name);
      return FALSE;
    }
    if (rule->controllers->len >= MAX_CONTROLLERS_PER_RULE) {
      set_data_error (error, file, bootfix_xml_line (c),
                      _("more than %d controllers in one rule"),
                      MAX_CONTROLLERS_PER_RULE);
      return FALSE;
    }
    g_autoptr (GHashTable) attrs = read_leaf_element (c, &controller_spec,
                                                      file, error);
    if (attrs == NULL)
      return FALSE;
    g_ptr_array_add (rule->controllers, take_attr (attrs, "id"));
  }
  return TRUE;
}

static gboolean
parse_match (xmlNode *match, BootfixRule *rule, const char *file,
             GError **error)
{
  g_autoptr (GHashTable) attrs = read_element (match, &match_spec, file, error);
  if (attrs == NULL)
    return FALSE;
  const char *min = g_hash_table_lookup (attrs, "nt-min");
  const char *max = g_hash_table_lookup (attrs, "nt-max");
  rule->nt_min = 0;
  rule->nt_max = G_MAXINT;
  /* Both already passed check_version, so these cannot fail. */
  if (min != NULL)
    (void) parse_nt_version (min, &rule->nt_min);
  if (max != NULL)
    (void) parse_nt_version (max, &rule->nt_max);
  if (rule->nt_min > rule->nt_max) {
    set_data_error (error, file, bootfix_xml_line (match),
                    _("nt-min %s is above nt-max %s"), min, max);
    return FALSE;
  }
  rule->arch = take_attr (attrs, "arch");
  rule->osinfo = take_attr (attrs, "osinfo");
  rule->variant = take_attr (attrs, "variant");
  rule->driver_source = take_attr (attrs, "driver-source");
  return parse_controllers (match, rule, file, error);
}

/* A body item of a rule (cleanup FALSE) or a cleanup. */
static BootfixRuleItem *
parse_item (xmlNode *node, gboolean cleanup, const char *file,
            GError **error)
{
  const char *name = (const char *) node->name;
  const ElementSpec *spec =
    find_item_spec (cleanup ? cleanup_item_specs : item_specs, name);
  const ElementSpec *other =
    find_item_spec (cleanup ? item_specs : cleanup_item_specs, name);
  if (node->ns == NULL && spec == NULL && other != NULL) {
    set_data_error (error, file, bootfix_xml_line (node),
                    cleanup ? _("<%s> belongs in a <rule>, not in a <cleanup>")
                            : _("<%s> belongs in a <cleanup>, not in a <rule>"),
                    name);
    return NULL;
  }
  if (spec == NULL || node->ns != NULL) {
    set_data_error (error, file, bootfix_xml_line (node),
                    cleanup ? _("unknown element <%s> in a cleanup")
                            : _("unknown element <%s> in a rule"), name);
    return NULL;
  }
  g_autoptr (GHashTable) attrs = read_leaf_element (node, spec, file, error);
  if (attrs == NULL)
    return NULL;
  BootfixRuleItem *item = g_new0 (BootfixRuleItem, 1);
  item->kind = g_strdup (spec->name);
  item->attrs = g_steal_pointer (&attrs);
  item->line = bootfix_xml_line (node);
  return item;
}

/* A refusal stands alone: a rule either says what to change or says
 * why nothing can be changed, never both. */
static gboolean
check_rule_body (xmlNode *node, BootfixRule *rule, const char *file,
                 GError **error)
{
  if (rule->items->len == 0) {
    set_data_error (error, file, bootfix_xml_line (node),
                    _("rule '%s' has no items"), rule->id);
    return FALSE;
  }
  for (guint i = 0; i < rule->items->len; i++) {
    BootfixRuleItem *item = rule->items->pdata[i];
    if (g_str_equal (item->kind, "refuse") && rule->items->len > 1) {
      set_data_error (error, file, item->line,
                      _("<refuse> must be the only item of rule '%s'"),
                      rule->id);
      return FALSE;
    }
  }
  return TRUE;
}

/* <match> first, then the body items. */
static gboolean
parse_rule_children (xmlNode *node, BootfixRule *rule, const char *file,
                     GError **error)
{
  g_autoptr (GPtrArray) kids = child_elements (node, file, error);
  if (kids == NULL)
    return FALSE;
  if (kids->len == 0 || !bootfix_xml_is_element (kids->pdata[0], "match")) {
    set_data_error (error, file, bootfix_xml_line (node),
                    _("rule '%s' must start with <match>"), rule->id);
    return FALSE;
  }
  if (!parse_match (kids->pdata[0], rule, file, error))
    return FALSE;
  for (guint i = 1; i < kids->len; i++) {
    xmlNode *c = kids->pdata[i];
    if (bootfix_xml_is_element (c, "match")) {
      set_data_error (error, file, bootfix_xml_line (c),
                      _("rule '%s' has more than one <match>"), rule->id);
      return FALSE;
    }
    if (rule->items->len >= MAX_ITEMS_PER_RULE) {
      set_data_error (error, file, bootfix_xml_line (c),
                      _("rule '%s' has more than %d items"), rule->id,
                      MAX_ITEMS_PER_RULE);
      return FALSE;
    }
    BootfixRuleItem *item = parse_item (c, rule->cleanup, file, error);
    if (item == NULL)
      return FALSE;
    g_ptr_array_add (rule->items, item);
  }
  return check_rule_body (node, rule, file, error);
}

/* A <rule> or (cleanup TRUE) a <cleanup>. */
static BootfixRule *
parse_rule (xmlNode *node, gboolean cleanup, const char *file,
            GError **error)
{
  g_autoptr (GHashTable) attrs =
    read_element (node, cleanup ? &cleanup_spec : &rule_spec, file, error);
  if (attrs == NULL)
    return NULL;
  g_autoptr (BootfixRule) rule = g_new0 (BootfixRule, 1);
  rule->cleanup = cleanup;
  rule->id = take_attr (attrs, "id");
  rule->description = take_attr (attrs, "description");
  rule->file = g_path_get_basename (file);
  rule->line = bootfix_xml_line (node);
  rule->items = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_item_free);
  rule->controllers = g_ptr_array_new_with_free_func (g_free);
  if (!parse_rule_children (node, rule, file, error))
    return NULL;
  return g_steal_pointer (&rule);
}

/* --- rule sets ---------------------------------------------------- */

static gboolean
add_rule (BootfixRuleSet *rs, BootfixRule *rule, const char *file,
          GError **error)
{
  g_autoptr (BootfixRule) owned = rule;
  const BootfixRule *other = g_hash_table_lookup (rs->by_id, rule->id);
  if (other != NULL) {
    set_data_error (error, file, rule->line,
                    _("duplicate rule id '%s' (first defined at %s:%d)"),
                    rule->id, other->file, other->line);
    return FALSE;
  }
  if (rs->rules->len + rs->cleanups->len >= MAX_RULES) {
    set_data_error (error, file, rule->line,
                    _("more than %d rules"), MAX_RULES);
    return FALSE;
  }
  g_hash_table_insert (rs->by_id, rule->id, rule);
  g_ptr_array_add (rule->cleanup ? rs->cleanups : rs->rules,
                   g_steal_pointer (&owned));
  return TRUE;
}

static gboolean
load_doc (BootfixRuleSet *rs, xmlDoc *doc, const char *file, GError **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  /* A namespaced <rules> is refused by read_element below. */
  if (!g_str_equal ((const char *) root->name, "rules")) {
    set_data_error (error, file, bootfix_xml_line (root),
                    _("the root element must be <rules>, not <%s>"),
                    root->name);
    return FALSE;
  }
  g_autoptr (GHashTable) attrs = read_element (root, &rules_spec, file, error);
  if (attrs == NULL)
    return FALSE;
  g_autoptr (GPtrArray) kids = child_elements (root, file, error);
  if (kids == NULL)
    return FALSE;
  for (guint i = 0; i < kids->len; i++) {
    xmlNode *c = kids->pdata[i];
    gboolean cleanup = bootfix_xml_is_element (c, "cleanup");
    if (!cleanup && !bootfix_xml_is_element (c, "rule")) {
      set_data_error (error, file, bootfix_xml_line (c),
                      _("unknown element <%s> inside <rules>"), c->name);
      return FALSE;
    }
    BootfixRule *rule = parse_rule (c, cleanup, file, error);
    if (rule == NULL || !add_rule (rs, rule, file, error))
      return FALSE;
  }
  return TRUE;
}

BootfixRuleSet *
bootfix_rule_set_load_data (const char *data, gsize len, const char *what,
                            GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  const char *file = what != NULL ? what : "(memory)";
  g_autoptr (xmlDoc) doc = bootfix_xml_parse (data != NULL ? data : "", len,
                                              file, error);
  if (doc == NULL)
    return NULL;
  g_autoptr (BootfixRuleSet) rs = rule_set_new ();
  if (!load_doc (rs, doc, file, error))
    return NULL;
  return g_steal_pointer (&rs);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Names of the *.xml files in dir, sorted; hidden files are skipped
 * (editor leftovers). */
static GPtrArray *
list_rule_files (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  if (d == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot read the rule folder: %s"), local->message);
    return NULL;
  }
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL) {
    if (name[0] == '.' || !g_str_has_suffix (name, ".xml"))
      continue;
    if (names->len >= MAX_RULE_FILES) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                   _("%s: more than %d rule files"), dir, MAX_RULE_FILES);
      return NULL;
    }
    g_ptr_array_add (names, g_strdup (name));
  }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

BootfixRuleSet *
bootfix_rule_set_load_dir (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_autoptr (GPtrArray) names = list_rule_files (dir, error);
  if (names == NULL)
    return NULL;
  if (names->len == 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 _("%s: no *.xml rule files"), dir);
    return NULL;
  }
  g_autoptr (BootfixRuleSet) rs = rule_set_new ();
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
    g_autoptr (xmlDoc) doc = bootfix_xml_parse_file (path, error);
    if (doc == NULL || !load_doc (rs, doc, path, error))
      return NULL;
  }
  return g_steal_pointer (&rs);
}

guint
bootfix_rule_set_size (const BootfixRuleSet *rs)
{
  g_return_val_if_fail (rs != NULL, 0);
  return rs->rules->len;
}

const BootfixRule *
bootfix_rule_set_index (const BootfixRuleSet *rs, guint i)
{
  g_return_val_if_fail (rs != NULL, NULL);
  g_return_val_if_fail (i < rs->rules->len, NULL);
  return rs->rules->pdata[i];
}

guint
bootfix_rule_set_n_cleanups (const BootfixRuleSet *rs)
{
  g_return_val_if_fail (rs != NULL, 0);
  return rs->cleanups->len;
}

const BootfixRule *
bootfix_rule_set_cleanup (const BootfixRuleSet *rs, guint i)
{
  g_return_val_if_fail (rs != NULL, NULL);
  g_return_val_if_fail (i < rs->cleanups->len, NULL);
  return rs->cleanups->pdata[i];
}

const char *
bootfix_rule_item_attr (const BootfixRuleItem *item, const char *name)
{
  g_return_val_if_fail (item != NULL && name != NULL, NULL);
  return g_hash_table_lookup (item->attrs, name);
}

/* --- matching ----------------------------------------------------- */

/* A constraint on a fact we do not know is not met. */
static gboolean
field_matches (const char *want, const char *have)
{
  return want == NULL || (have != NULL && g_ascii_strcasecmp (want, have) == 0);
}

static gboolean
controller_matches (const BootfixRule *rule, const char *controller)
{
  if (rule->controllers->len == 0)
    return TRUE;
  for (guint i = 0; i < rule->controllers->len; i++)
    if (field_matches (rule->controllers->pdata[i], controller))
      return TRUE;
  return FALSE;
}

static gboolean
rule_matches (const BootfixRule *rule, const BootfixRuleQuery *q, int nt)
{
  return nt >= rule->nt_min && nt <= rule->nt_max
         && field_matches (rule->arch, q->arch)
         && field_matches (rule->osinfo, q->osinfo)
         && field_matches (rule->variant, q->variant)
         && field_matches (rule->driver_source, q->driver_source)
         && controller_matches (rule, q->controller);
}

static int
rule_specificity (const BootfixRule *rule)
{
  return (rule->controllers->len > 0) + (rule->osinfo != NULL)
         + (rule->arch != NULL) + (rule->variant != NULL)
         + (rule->driver_source != NULL);
}

/* > 0 when a is more specific than b, 0 when neither is. */
static int
compare_specificity (const BootfixRule *a, const BootfixRule *b)
{
  int sa = rule_specificity (a), sb = rule_specificity (b);
  if (sa != sb)
    return sa - sb;
  gint64 wa = (gint64) a->nt_max - a->nt_min;
  gint64 wb = (gint64) b->nt_max - b->nt_min;
  return wa < wb ? 1 : wa > wb ? -1 : 0;
}

/* The guest's version as major*100+minor.  It comes from the guest: out
 * of range matches nothing (FALSE). */
static gboolean
query_nt (const BootfixRuleQuery *q, int *nt)
{
  if (q->major < 0 || q->major > MAX_NT_PART || q->minor < 0
      || q->minor > MAX_NT_PART)
    return FALSE;
  *nt = q->major * 100 + q->minor;
  return TRUE;
}

const BootfixRule *
bootfix_rule_set_match (const BootfixRuleSet *rs, const BootfixRuleQuery *q,
                        GError **error)
{
  g_return_val_if_fail (rs != NULL && q != NULL, NULL);
  int nt;
  if (!query_nt (q, &nt))
    return NULL;
  const BootfixRule *best = NULL, *tied = NULL;
  for (guint i = 0; i < rs->rules->len; i++) {
    const BootfixRule *r = rs->rules->pdata[i];
    if (!rule_matches (r, q, nt))
      continue;
    int cmp = best == NULL ? 1 : compare_specificity (r, best);
    if (cmp > 0) {
      best = r;
      tied = NULL;
    } else if (cmp == 0 && tied == NULL) {
      tied = r;
    }
  }
  if (tied != NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 _("rules '%s' (%s:%d) and '%s' (%s:%d) match equally well; "
                   "make one of them more specific"),
                 best->id, best->file, best->line,
                 tied->id, tied->file, tied->line);
    return NULL;
  }
  return best;
}

GPtrArray *
bootfix_rule_set_match_cleanups (const BootfixRuleSet *rs,
                                 const BootfixRuleQuery *q)
{
  g_return_val_if_fail (rs != NULL && q != NULL, NULL);
  GPtrArray *out = g_ptr_array_new ();
  int nt;
  if (!query_nt (q, &nt))
    return out;
  for (guint i = 0; i < rs->cleanups->len; i++)
    if (rule_matches (rs->cleanups->pdata[i], q, nt))
      g_ptr_array_add (out, rs->cleanups->pdata[i]);
  return out;
}

/* --- the view a module is given ----------------------------------- */

static BootfixRuleItem *
item_copy_tagged (const BootfixRuleItem *item, const char *rule_id)
{
  BootfixRuleItem *copy = g_new0 (BootfixRuleItem, 1);
  copy->kind = g_strdup (item->kind);
  copy->line = item->line;
  copy->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, item->attrs);
  while (g_hash_table_iter_next (&it, &key, &value))
    g_hash_table_insert (copy->attrs, g_strdup (key), g_strdup (value));
  g_hash_table_insert (copy->attrs, g_strdup ("rule"), g_strdup (rule_id));
  return copy;
}

static void
append_items (BootfixRule *view, const BootfixRule *from)
{
  for (guint i = 0; i < from->items->len; i++)
    g_ptr_array_add (view->items, item_copy_tagged (from->items->pdata[i],
                                                    from->id));
}

/* The storage rule's fields and items, as a rule of its own. */
static BootfixRule *
rule_copy (const BootfixRule *rule)
{
  BootfixRule *view = g_new0 (BootfixRule, 1);
  view->id = g_strdup (rule->id);
  view->description = g_strdup (rule->description);
  view->file = g_strdup (rule->file);
  view->line = rule->line;
  view->cleanup = rule->cleanup;
  view->nt_min = rule->nt_min;
  view->nt_max = rule->nt_max;
  view->arch = g_strdup (rule->arch);
  view->osinfo = g_strdup (rule->osinfo);
  view->variant = g_strdup (rule->variant);
  view->driver_source = g_strdup (rule->driver_source);
  view->controllers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rule->controllers->len; i++)
    g_ptr_array_add (view->controllers, g_strdup (rule->controllers->pdata[i]));
  view->items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rule_item_free);
  append_items (view, rule);
  return view;
}

static const BootfixRuleItem *
find_item (const BootfixRule *rule, const char *kind)
{
  for (guint i = 0; i < rule->items->len; i++) {
    const BootfixRuleItem *item = rule->items->pdata[i];
    if (g_str_equal (item->kind, kind))
      return item;
  }
  return NULL;
}

/* The service item of rule that gives name a start other than 4. */
static const BootfixRuleItem *
find_enabled_service (const BootfixRule *rule, const char *name)
{
  for (guint i = 0; i < rule->items->len; i++) {
    const BootfixRuleItem *item = rule->items->pdata[i];
    if (g_str_equal (item->kind, "service")
        && g_ascii_strcasecmp (bootfix_rule_item_attr (item, "name"), name) == 0
        && g_strcmp0 (bootfix_rule_item_attr (item, "start"), "4") != 0)
      return item;
  }
  return NULL;
}

/* A cleanup must not undo the storage fix: disabling the very driver
 * the rule makes boot-start would bring back the 0x7B. */
static gboolean
check_no_conflict (const BootfixRule *rule, const BootfixRule *cleanup,
                   GError **error)
{
  for (guint i = 0; i < cleanup->items->len; i++) {
    const BootfixRuleItem *item = cleanup->items->pdata[i];
    if (!g_str_equal (item->kind, "disable-service"))
      continue;
    const char *name = bootfix_rule_item_attr (item, "name");
    const BootfixRuleItem *svc = find_enabled_service (rule, name);
    if (svc != NULL) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                   _("%s:%d: cleanup '%s' disables service '%s', which rule "
                     "'%s' (%s:%d) enables"), cleanup->file, item->line,
                   cleanup->id, name, rule->id, rule->file, svc->line);
      return FALSE;
    }
  }
  return TRUE;
}

BootfixRule *
bootfix_rule_set_resolve (const BootfixRuleSet *rs, const BootfixRuleQuery *q,
                          GError **error)
{
  g_return_val_if_fail (rs != NULL && q != NULL, NULL);
  const BootfixRule *rule = bootfix_rule_set_match (rs, q, error);
  if (rule == NULL)
    return NULL;
  g_autoptr (BootfixRule) view = rule_copy (rule);
  if (find_item (rule, "refuse") != NULL)
    return g_steal_pointer (&view);
  g_autoptr (GPtrArray) cleanups = bootfix_rule_set_match_cleanups (rs, q);
  for (guint i = 0; i < cleanups->len; i++) {
    if (!check_no_conflict (rule, cleanups->pdata[i], error))
      return NULL;
    append_items (view, cleanups->pdata[i]);
  }
  return g_steal_pointer (&view);
}

/* --- data folder -------------------------------------------------- */

const char *
bootfix_data_dir (void)
{
  return bootfix_lookup_dir ("BOOTFIX_DATADIR", BOOTFIX_DATADIR_REL);
}
