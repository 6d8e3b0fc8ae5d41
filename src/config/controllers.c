/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The controller database.  Every fact lives in data/controllers.xml;
 * this file only reads it, checks it (the schema test is only a test)
 * and answers lookups. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "controllers.h"
#include "bootfix-error.h"
#include "xml-util.h"

/* Bounds on what the data file may hold: generous for the real file,
 * small enough that a broken one cannot make loading or lookups slow. */
#define MAX_NAME_LEN 64
#define MAX_TEXT_LEN 512
#define MAX_ELEMENTS 4096

typedef struct {
  char *family;
  char *description;
  GPtrArray *globs; /* char* */
} Machine;

/* One <match> or <unsupported>: which (bus, machine, model) it covers. */
typedef struct {
  char *bus;
  char *machine;      /* NULL: any family */
  char *model;        /* NULL: any model, unless is_default */
  gboolean is_default;
  char *reason;       /* <unsupported> only */
  char *pci;          /* <match pci='...'>: the id shown first */
  const BootfixController *controller; /* <match> only */
  long line;
} Selector;

struct _BootfixControllerDb {
  char *path;
  GPtrArray *machines;    /* Machine* */
  GPtrArray *controllers; /* BootfixController*, file order */
  GPtrArray *variants;    /* BootfixController*: same id, other PCI first */
  GPtrArray *unsupported; /* Selector* */
  GPtrArray *matches;     /* Selector* */
  GHashTable *by_id;      /* id -> BootfixController* (in controllers) */
  guint n_elements;
};

typedef enum {
  VALUE_NAME,  /* ids, families, buses, models */
  VALUE_PCI,   /* "8086:7010" */
  VALUE_TEXT,  /* descriptions and reasons */
  VALUE_GLOB,  /* machine patterns */
  VALUE_YES,   /* default="yes" */
  VALUE_YESNO, /* bootable */
} ValueKind;

static void
machine_free (Machine *m)
{
  g_free (m->family);
  g_free (m->description);
  g_ptr_array_unref (m->globs);
  g_free (m);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Machine, machine_free)

static void
selector_free (Selector *s)
{
  g_free (s->bus);
  g_free (s->machine);
  g_free (s->model);
  g_free (s->reason);
  g_free (s->pci);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Selector, selector_free)

static void
controller_free (BootfixController *c)
{
  g_free (c->id);
  g_free (c->description);
  g_free (c->pci_id);
  g_ptr_array_unref (c->all_pci_ids);
  g_free (c->reason);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixController, controller_free)

void
bootfix_controller_db_free (BootfixControllerDb *db)
{
  if (db == NULL)
    return;
  g_free (db->path);
  g_ptr_array_unref (db->machines);
  g_ptr_array_unref (db->controllers);
  g_ptr_array_unref (db->variants);
  g_ptr_array_unref (db->unsupported);
  g_ptr_array_unref (db->matches);
  g_hash_table_unref (db->by_id);
  g_free (db);
}

static BootfixControllerDb *
db_new (const char *path)
{
  BootfixControllerDb *db = g_new0 (BootfixControllerDb, 1);
  db->path = g_strdup (path);
  db->machines = g_ptr_array_new_with_free_func ((GDestroyNotify) machine_free);
  db->controllers =
    g_ptr_array_new_with_free_func ((GDestroyNotify) controller_free);
  db->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) controller_free);
  db->unsupported = g_ptr_array_new_with_free_func ((GDestroyNotify) selector_free);
  db->matches = g_ptr_array_new_with_free_func ((GDestroyNotify) selector_free);
  db->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return db;
}

/* ---- Shell-style globs: '*', '?' and '[a-z0-9]' sets, case-sensitive.
 * g_pattern_match_simple has no sets, and "pc-[0-9]*" must not match
 * "pc-q35-..." through a looser pattern. */

/* Is c in the set body [p, end), made of single characters and ranges? */
static gboolean
glob_set_has (const char *p, const char *end, char c)
{
  while (p < end) {
    if (p + 2 < end && p[1] == '-') {
      if (c >= p[0] && c <= p[2])
        return TRUE;
      p += 3;
    } else {
      if (c == *p)
        return TRUE;
      p++;
    }
  }
  return FALSE;
}

/* Match one pattern token (not '*') at *pat against c; move *pat past it. */
static gboolean
glob_token_match (const char **pat, char c)
{
  const char *p = *pat;
  const char *end = (*p == '[') ? strchr (p + 1, ']') : NULL;

  if (end != NULL) {
    *pat = end + 1;
    return glob_set_has (p + 1, end, c);
  }
  *pat = p + 1;
  return *p == '?' || *p == c;
}

/* Greedy match with backtracking to the last '*': linear-ish, no
 * recursion, so a hostile machine name cannot blow the stack. */
static gboolean
glob_match (const char *pat, const char *str)
{
  const char *star_pat = NULL;
  const char *star_str = NULL;

  while (*str != '\0') {
    const char *next = pat;
    if (*pat == '*') {
      star_pat = ++pat;
      star_str = str;
    } else if (*pat != '\0' && glob_token_match (&next, *str)) {
      pat = next;
      str++;
    } else if (star_pat != NULL) {
      pat = star_pat;
      str = ++star_str;
    } else {
      return FALSE;
    }
  }
  while (*pat == '*')
    pat++;
  return *pat == '\0';
}

/* A glob the matcher understands: known characters, every '[' closed by
 * a ']' after a non-empty set, no '[' inside a set. */
static gboolean
glob_valid (const char *g)
{
  for (const char *p = g; *p != '\0'; p++) {
    if (*p == ']')
      return FALSE;
    if (*p == '[') {
      const char *end = strchr (p + 1, ']');
      if (end == NULL || end == p + 1 || memchr (p + 1, '[', end - p - 1))
        return FALSE;
      p = end;
      continue;
    }
    if (!g_ascii_isalnum (*p) && strchr ("_.:*?-", *p) == NULL)
      return FALSE;
  }
  return TRUE;
}

/* ---- Value checks ---- */

static gboolean
name_valid (const char *v)
{
  size_t len = strlen (v);
  if (len == 0 || len > MAX_NAME_LEN)
    return FALSE;
  if (!g_ascii_islower (v[0]) && !g_ascii_isdigit (v[0]))
    return FALSE;
  for (const char *p = v; *p != '\0'; p++) {
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) &&
        strchr ("_.-", *p) == NULL)
      return FALSE;
  }
  return TRUE;
}

static gboolean
pci_valid (const char *v)
{
  if (strlen (v) != 9 || v[4] != ':')
    return FALSE;
  for (int i = 0; i < 9; i++) {
    if (i != 4 && !g_ascii_isdigit (v[i]) && (v[i] < 'a' || v[i] > 'f'))
      return FALSE;
  }
  return TRUE;
}

static gboolean
text_valid (const char *v)
{
  size_t len = strlen (v);
  if (len == 0 || len > MAX_TEXT_LEN)
    return FALSE;
  for (const char *p = v; *p != '\0'; p++) {
    if (g_ascii_iscntrl (*p))
      return FALSE;
  }
  return TRUE;
}

static gboolean
value_valid (ValueKind kind, const char *v)
{
  switch (kind) {
  case VALUE_NAME:
    return name_valid (v);
  case VALUE_PCI:
    return pci_valid (v);
  case VALUE_TEXT:
    return text_valid (v);
  case VALUE_GLOB:
    return strlen (v) <= MAX_NAME_LEN && v[0] != '\0' && glob_valid (v);
  case VALUE_YES:
    return g_str_equal (v, "yes");
  case VALUE_YESNO:
    return g_str_equal (v, "yes") || g_str_equal (v, "no");
  default:
    g_assert_not_reached ();
  }
}

static const char *
value_hint (ValueKind kind)
{
  switch (kind) {
  case VALUE_NAME:
    return _("expected lower-case letters, digits, '_', '.' or '-'");
  case VALUE_PCI:
    return _("expected a PCI id like 8086:7010 (lower-case hex)");
  case VALUE_TEXT:
    return _("expected 1 to 512 characters of text");
  case VALUE_GLOB:
    return _("expected a pattern of letters, digits, '*', '?' and [sets]");
  case VALUE_YES:
    return _("expected 'yes'");
  case VALUE_YESNO:
    return _("expected 'yes' or 'no'");
  default:
    g_assert_not_reached ();
  }
}

/* ---- Loading ---- */

static gboolean G_GNUC_PRINTF (4, 5)
data_error (GError **error, const BootfixControllerDb *db, xmlNode *node,
            const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA, "%s:%d: %s",
               db->path, bootfix_xml_line (node), msg);
  return FALSE;
}

static gboolean
check_attrs (const BootfixControllerDb *db, xmlNode *node,
             const char *const *allowed, GError **error)
{
  for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
    if (a->ns != NULL || !g_strv_contains (allowed, (const char *) a->name))
      return data_error (error, db, node,
                         _("<%s> has an unknown attribute '%s'"),
                         (const char *) node->name, (const char *) a->name);
  }
  return TRUE;
}

/* Read one attribute into *out (NULL when absent and optional). */
static gboolean
get_value (const BootfixControllerDb *db, xmlNode *node, const char *name,
           ValueKind kind, gboolean required, char **out, GError **error)
{
  g_autofree char *v = bootfix_xml_get_attr (node, name);

  if (v == NULL && required)
    return data_error (error, db, node, _("<%s> needs the attribute '%s'"),
                       (const char *) node->name, name);
  if (v != NULL && !value_valid (kind, v))
    return data_error (error, db, node, _("<%s %s='%s'>: %s"),
                       (const char *) node->name, name, v, value_hint (kind));
  *out = g_steal_pointer (&v);
  return TRUE;
}

/* Children: elements go to the caller (TRUE, *is_element set); blank
 * text and comments are skipped; anything else is an error. */
static gboolean
classify_child (BootfixControllerDb *db, xmlNode *child, gboolean *is_element,
                GError **error)
{
  *is_element = FALSE;
  if (child->type == XML_COMMENT_NODE)
    return TRUE;
  if (child->type == XML_TEXT_NODE) {
    for (const xmlChar *p = child->content; p != NULL && *p != '\0'; p++) {
      if (!g_ascii_isspace (*p))
        return data_error (error, db, child->parent,
                           _("<%s> may not contain text"),
                           (const char *) child->parent->name);
    }
    return TRUE;
  }
  if (child->type != XML_ELEMENT_NODE)
    return data_error (error, db, child->parent,
                       _("<%s> has unexpected content"),
                       (const char *) child->parent->name);
  if (++db->n_elements > MAX_ELEMENTS)
    return data_error (error, db, child, _("more than %d elements"),
                       MAX_ELEMENTS);
  *is_element = TRUE;
  return TRUE;
}

static gboolean
check_empty (BootfixControllerDb *db, xmlNode *node, GError **error)
{
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    gboolean is_element;
    if (!classify_child (db, c, &is_element, error))
      return FALSE;
    if (is_element)
      return data_error (error, db, c, _("<%s> may not contain <%s>"),
                         (const char *) node->name, (const char *) c->name);
  }
  return TRUE;
}

static gboolean
unknown_element (BootfixControllerDb *db, xmlNode *node, GError **error)
{
  return data_error (error, db, node, _("unknown element <%s> in <%s>"),
                     (const char *) node->name,
                     (const char *) node->parent->name);
}

static Machine *
find_machine (const BootfixControllerDb *db, const char *family)
{
  for (guint i = 0; i < db->machines->len; i++) {
    Machine *m = g_ptr_array_index (db->machines, i);
    if (g_str_equal (m->family, family))
      return m;
  }
  return NULL;
}

static gboolean
parse_pattern (BootfixControllerDb *db, Machine *m, xmlNode *node,
               GError **error)
{
  static const char *const attrs[] = { "glob", NULL };
  char *glob = NULL;

  if (!g_str_equal ((const char *) node->name, "pattern"))
    return unknown_element (db, node, error);
  if (!check_attrs (db, node, attrs, error) || !check_empty (db, node, error) ||
      !get_value (db, node, "glob", VALUE_GLOB, TRUE, &glob, error))
    return FALSE;
  g_ptr_array_add (m->globs, glob);
  return TRUE;
}

static gboolean
parse_machine (BootfixControllerDb *db, xmlNode *node, GError **error)
{
  static const char *const attrs[] = { "family", "description", NULL };
  g_autoptr (Machine) m = g_new0 (Machine, 1);

  m->globs = g_ptr_array_new_with_free_func (g_free);
  if (!check_attrs (db, node, attrs, error) ||
      !get_value (db, node, "family", VALUE_NAME, TRUE, &m->family, error) ||
      !get_value (db, node, "description", VALUE_TEXT, FALSE, &m->description,
                  error))
    return FALSE;
  if (find_machine (db, m->family) != NULL)
    return data_error (error, db, node, _("machine family '%s' is defined twice"),
                       m->family);
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    gboolean is_element;
    if (!classify_child (db, c, &is_element, error))
      return FALSE;
    if (is_element && !parse_pattern (db, m, c, error))
      return FALSE;
  }
  if (m->globs->len == 0)
    return data_error (error, db, node,
                       _("machine family '%s' has no <pattern>"), m->family);
  g_ptr_array_add (db->machines, g_steal_pointer (&m));
  return TRUE;
}

/* <match> and <unsupported> share their selector attributes. */
static Selector *
parse_selector (BootfixControllerDb *db, xmlNode *node, gboolean is_match,
                GError **error)
{
  static const char *const match_attrs[] = {
    "bus", "machine", "model", "default", "pci", NULL };
  static const char *const unsupported_attrs[] = {
    "bus", "machine", "model", "default", "reason", NULL };
  g_autoptr (Selector) s = g_new0 (Selector, 1);
  g_autofree char *dflt = NULL;

  s->line = bootfix_xml_line (node);
  if (!check_attrs (db, node, is_match ? match_attrs : unsupported_attrs,
                    error) ||
      !check_empty (db, node, error) ||
      !get_value (db, node, "bus", VALUE_NAME, TRUE, &s->bus, error) ||
      !get_value (db, node, "machine", VALUE_NAME, FALSE, &s->machine, error) ||
      !get_value (db, node, "model", VALUE_NAME, FALSE, &s->model, error) ||
      !get_value (db, node, "default", VALUE_YES, FALSE, &dflt, error) ||
      !get_value (db, node, "pci", VALUE_PCI, FALSE, &s->pci, error) ||
      !get_value (db, node, "reason", VALUE_TEXT, !is_match, &s->reason, error))
    return NULL;
  s->is_default = (dflt != NULL);
  if (s->is_default && s->model != NULL) {
    data_error (error, db, node,
                _("<%s> cannot have both model and default='yes'"),
                (const char *) node->name);
    return NULL;
  }
  return g_steal_pointer (&s);
}

static gboolean
parse_pci (BootfixControllerDb *db, BootfixController *c, xmlNode *node,
           GError **error)
{
  static const char *const attrs[] = { "id", NULL };
  g_autofree char *id = NULL;

  if (!check_attrs (db, node, attrs, error) || !check_empty (db, node, error) ||
      !get_value (db, node, "id", VALUE_PCI, TRUE, &id, error))
    return FALSE;
  if (g_ptr_array_find_with_equal_func (c->all_pci_ids, id, g_str_equal, NULL))
    return data_error (error, db, node,
                       _("controller '%s' lists PCI id %s twice"), c->id, id);
  g_ptr_array_add (c->all_pci_ids, g_steal_pointer (&id));
  return TRUE;
}

/* The same controller with `first` as the id the guest shows first. */
static BootfixController *
controller_variant (const BootfixController *base, const char *first)
{
  BootfixController *v = g_new0 (BootfixController, 1);

  v->id = g_strdup (base->id);
  v->description = g_strdup (base->description);
  v->bootable = base->bootable;
  v->reason = g_strdup (base->reason);
  v->pci_id = g_strdup (first);
  v->all_pci_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (v->all_pci_ids, g_strdup (first));
  for (guint i = 0; i < base->all_pci_ids->len; i++) {
    const char *id = g_ptr_array_index (base->all_pci_ids, i);
    if (!g_str_equal (id, first))
      g_ptr_array_add (v->all_pci_ids, g_strdup (id));
  }
  return v;
}

/* Point each <match> at its controller, or at a variant when the match
 * names a PCI id other than the default one. */
static gboolean
bind_matches (BootfixControllerDb *db, BootfixController *c, GPtrArray *matches,
              xmlNode *node, GError **error)
{
  for (guint i = 0; i < matches->len; i++) {
    Selector *s = g_ptr_array_index (matches, i);
    s->controller = c;
    if (s->pci == NULL || g_strcmp0 (s->pci, c->pci_id) == 0)
      continue;
    if (!g_ptr_array_find_with_equal_func (c->all_pci_ids, s->pci, g_str_equal,
                                           NULL)) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                   _("%s:%ld: <match pci='%s'> is not one of the <pci> ids of "
                     "controller '%s'"), db->path, s->line, s->pci, c->id);
      return FALSE;
    }
    BootfixController *v = controller_variant (c, s->pci);
    g_ptr_array_add (db->variants, v);
    s->controller = v;
  }
  return TRUE;
}

static gboolean
parse_controller_children (BootfixControllerDb *db, BootfixController *c,
                           xmlNode *node, GPtrArray *matches, GError **error)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    gboolean is_element;
    const char *name = (const char *) child->name;
    if (!classify_child (db, child, &is_element, error))
      return FALSE;
    if (!is_element)
      continue;
    if (g_str_equal (name, "pci")) {
      if (!parse_pci (db, c, child, error))
        return FALSE;
    } else if (g_str_equal (name, "match")) {
      Selector *s = parse_selector (db, child, TRUE, error);
      if (s == NULL)
        return FALSE;
      g_ptr_array_add (matches, s);
    } else {
      return unknown_element (db, child, error);
    }
  }
  return TRUE;
}

static gboolean
parse_controller_attrs (BootfixControllerDb *db, BootfixController *c,
                        xmlNode *node, GError **error)
{
  static const char *const attrs[] = {
    "id", "description", "bootable", "reason", NULL };
  g_autofree char *bootable = NULL;

  if (!check_attrs (db, node, attrs, error) ||
      !get_value (db, node, "id", VALUE_NAME, TRUE, &c->id, error) ||
      !get_value (db, node, "description", VALUE_TEXT, TRUE, &c->description,
                  error) ||
      !get_value (db, node, "bootable", VALUE_YESNO, FALSE, &bootable, error) ||
      !get_value (db, node, "reason", VALUE_TEXT, FALSE, &c->reason, error))
    return FALSE;
  c->bootable = g_strcmp0 (bootable, "no") != 0;
  if (g_hash_table_contains (db->by_id, c->id))
    return data_error (error, db, node, _("controller id '%s' is defined twice"),
                       c->id);
  if (!c->bootable && c->reason == NULL)
    return data_error (error, db, node,
                       _("controller '%s' has bootable='no' but no reason"),
                       c->id);
  if (c->bootable && c->reason != NULL)
    return data_error (error, db, node,
                       _("controller '%s': a reason is only for bootable='no'"),
                       c->id);
  return TRUE;
}

static gboolean
parse_controller (BootfixControllerDb *db, xmlNode *node, GError **error)
{
  g_autoptr (BootfixController) c = g_new0 (BootfixController, 1);
  g_autoptr (GPtrArray) matches =
    g_ptr_array_new_with_free_func ((GDestroyNotify) selector_free);

  c->all_pci_ids = g_ptr_array_new_with_free_func (g_free);
  if (!parse_controller_attrs (db, c, node, error) ||
      !parse_controller_children (db, c, node, matches, error))
    return FALSE;
  if (c->bootable && c->all_pci_ids->len == 0)
    return data_error (error, db, node, _("controller '%s' has no <pci id>"),
                       c->id);
  if (matches->len == 0)
    return data_error (error, db, node, _("controller '%s' has no <match>"),
                       c->id);
  if (c->all_pci_ids->len > 0)
    c->pci_id = g_strdup (g_ptr_array_index (c->all_pci_ids, 0));
  if (!bind_matches (db, c, matches, node, error))
    return FALSE;
  while (matches->len > 0)
    g_ptr_array_add (db->matches, g_ptr_array_steal_index (matches, 0));
  g_hash_table_insert (db->by_id, c->id, c);
  g_ptr_array_add (db->controllers, g_steal_pointer (&c));
  return TRUE;
}

static gboolean
parse_top_element (BootfixControllerDb *db, xmlNode *node, GError **error)
{
  const char *name = (const char *) node->name;

  if (g_str_equal (name, "machine"))
    return parse_machine (db, node, error);
  if (g_str_equal (name, "controller"))
    return parse_controller (db, node, error);
  if (g_str_equal (name, "unsupported")) {
    Selector *s = parse_selector (db, node, FALSE, error);
    if (s == NULL)
      return FALSE;
    g_ptr_array_add (db->unsupported, s);
    return TRUE;
  }
  return unknown_element (db, node, error);
}

static gboolean
parse_root (BootfixControllerDb *db, xmlNode *root, GError **error)
{
  static const char *const no_attrs[] = { NULL };

  if (!bootfix_xml_is_element (root, "controllers"))
    return data_error (error, db, root,
                       _("the root element is <%s>, expected <controllers>"),
                       (const char *) root->name);
  if (!check_attrs (db, root, no_attrs, error))
    return FALSE;
  for (xmlNode *c = root->children; c != NULL; c = c->next) {
    gboolean is_element;
    if (!classify_child (db, c, &is_element, error))
      return FALSE;
    if (is_element && !parse_top_element (db, c, error))
      return FALSE;
  }
  return TRUE;
}

/* Checks that need the whole file: machine families exist, and no two
 * selectors cover the same combination (the second would never win). */
static gboolean
check_selectors (BootfixControllerDb *db, GPtrArray *selectors,
                 GHashTable *seen, GError **error)
{
  for (guint i = 0; i < selectors->len; i++) {
    Selector *s = g_ptr_array_index (selectors, i);
    if (s->machine != NULL && find_machine (db, s->machine) == NULL) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                   _("%s:%ld: unknown machine family '%s'"), db->path,
                   s->line, s->machine);
      return FALSE;
    }
    g_autofree char *key = g_strdup_printf (
      "%s|%s|%s|%d", s->bus, s->machine ? s->machine : "*",
      s->model ? s->model : "*", s->is_default);
    gpointer first = g_hash_table_lookup (seen, key);
    if (first != NULL) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                   _("%s:%ld: the same bus, machine and model are already "
                     "matched at line %ld"), db->path, s->line,
                   (long) GPOINTER_TO_SIZE (first));
      return FALSE;
    }
    g_hash_table_insert (seen, g_steal_pointer (&key),
                         GSIZE_TO_POINTER ((gsize) s->line));
  }
  return TRUE;
}

BootfixControllerDb *
bootfix_controller_db_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autoptr (xmlDoc) doc = bootfix_xml_parse_file (path, error);
  if (doc == NULL)
    return NULL;
  g_autoptr (BootfixControllerDb) db = db_new (path);
  g_autoptr (GHashTable) seen =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!parse_root (db, xmlDocGetRootElement (doc), error) ||
      !check_selectors (db, db->unsupported, seen, error) ||
      !check_selectors (db, db->matches, seen, error))
    return NULL;
  return g_steal_pointer (&db);
}

/* ---- Lookups ---- */

static char *
join_globs (const BootfixControllerDb *db)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < db->machines->len; i++) {
    Machine *m = g_ptr_array_index (db->machines, i);
    for (guint j = 0; j < m->globs->len; j++)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "",
                              (const char *) g_ptr_array_index (m->globs, j));
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const char *
bootfix_controller_db_machine_family (const BootfixControllerDb *db,
                                      const char *machine, GError **error)
{
  g_return_val_if_fail (db != NULL && machine != NULL, NULL);

  for (guint i = 0; i < db->machines->len; i++) {
    Machine *m = g_ptr_array_index (db->machines, i);
    for (guint j = 0; j < m->globs->len; j++) {
      if (glob_match (g_ptr_array_index (m->globs, j), machine))
        return m->family;
    }
  }
  g_autofree char *known = join_globs (db);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
               _("unknown machine type '%s' (known machine types: %s)"),
               machine, known);
  return NULL;
}

static gboolean
selector_matches (const Selector *s, const char *family, const char *bus,
                  const char *model)
{
  if (!g_str_equal (s->bus, bus))
    return FALSE;
  if (s->machine != NULL && !g_str_equal (s->machine, family))
    return FALSE;
  if (s->is_default)
    return model == NULL;
  return s->model == NULL || g_strcmp0 (s->model, model) == 0;
}

static const Selector *
find_selector (GPtrArray *selectors, const char *family, const char *bus,
               const char *model)
{
  for (guint i = 0; i < selectors->len; i++) {
    const Selector *s = g_ptr_array_index (selectors, i);
    if (selector_matches (s, family, bus, model))
      return s;
  }
  return NULL;
}

/* Append each distinct value of a selector field (bus or model) to s. */
static void
append_known (GString *s, GPtrArray *selectors, const char *bus)
{
  for (guint i = 0; i < selectors->len; i++) {
    const Selector *sel = g_ptr_array_index (selectors, i);
    const char *v = bus ? sel->model : sel->bus;
    if (v == NULL || (bus != NULL && !g_str_equal (sel->bus, bus)))
      continue;
    g_autofree char *quoted = g_strdup_printf ("'%s'", v);
    if (strstr (s->str, quoted) != NULL)
      continue;
    g_string_append_printf (s, "%s%s", s->len ? ", " : "", quoted);
  }
}

static gboolean
bus_known (const BootfixControllerDb *db, const char *bus)
{
  GPtrArray *lists[] = { db->matches, db->unsupported };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++) {
    for (guint i = 0; i < lists[l]->len; i++) {
      const Selector *s = g_ptr_array_index (lists[l], i);
      if (g_str_equal (s->bus, bus))
        return TRUE;
    }
  }
  return FALSE;
}

static void
set_no_match_error (const BootfixControllerDb *db, const char *family,
                    const char *bus, const char *model, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);

  if (!bus_known (db, bus)) {
    append_known (known, db->matches, NULL);
    append_known (known, db->unsupported, NULL);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                 _("unknown disk bus '%s' (known buses: %s)"), bus,
                 known->len ? known->str : _("(none)"));
    return;
  }
  append_known (known, db->matches, bus);
  if (model != NULL)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                 _("no known controller for disk bus '%s' with model '%s' on "
                   "the %s machine (known models: %s)"),
                 bus, model, family, known->len ? known->str : _("(none)"));
  else
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                 _("no known controller for disk bus '%s' without a model on "
                   "the %s machine (known models: %s)"),
                 bus, family, known->len ? known->str : _("(none)"));
}

const BootfixController *
bootfix_controller_db_resolve (const BootfixControllerDb *db,
                               const char *machine_family, const char *bus,
                               const char *model, GError **error)
{
  g_return_val_if_fail (db != NULL && machine_family != NULL && bus != NULL,
                        NULL);

  const Selector *s = find_selector (db->unsupported, machine_family, bus,
                                     model);
  if (s != NULL) {
    if (model != NULL)
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                   _("disk bus '%s' with controller model '%s' on the %s "
                     "machine is not supported: %s"),
                   bus, model, machine_family, s->reason);
    else
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED,
                   _("disk bus '%s' on the %s machine is not supported: %s"),
                   bus, machine_family, s->reason);
    return NULL;
  }
  s = find_selector (db->matches, machine_family, bus, model);
  if (s != NULL)
    return s->controller;
  set_no_match_error (db, machine_family, bus, model, error);
  return NULL;
}

const BootfixController *
bootfix_controller_db_lookup (const BootfixControllerDb *db, const char *id)
{
  g_return_val_if_fail (db != NULL && id != NULL, NULL);
  return g_hash_table_lookup (db->by_id, id);
}

GPtrArray *
bootfix_controller_db_list (const BootfixControllerDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);

  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < db->controllers->len; i++) {
    const BootfixController *c = g_ptr_array_index (db->controllers, i);
    g_ptr_array_add (ids, g_strdup (c->id));
  }
  return ids;
}
