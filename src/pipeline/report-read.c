/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A guest's --json object read back into a report.  A batch's worker
 * processes hand each finished guest's report to the parent this way;
 * a worker has read a hostile guest, so every member is checked as if
 * the guest had written it. */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "plan.h"
#include "report.h"

/* `where` is the path of the object holding member ("", "os.",
 * "actions[2]."), so the message points at the bad spot. */
static gboolean
bad_member (GError **error, const char *where, const char *member,
            const char *expected)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("the report of a guest is damaged: \"%s%s\" is missing or "
                 "is not %s"), where, member, expected);
  return FALSE;
}

static JsonNode *
member_of_type (JsonObject *o, const char *member, JsonNodeType type)
{
  JsonNode *n = json_object_get_member (o, member);
  return n != NULL && JSON_NODE_TYPE (n) == type ? n : NULL;
}

static gboolean
value_has_type (JsonNode *n, GType type)
{
  return n != NULL && json_node_get_value_type (n) == type;
}

/* A string, or NULL for null. */
static gboolean
read_string (JsonObject *o, const char *where, const char *member,
             char **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  if (n != NULL && JSON_NODE_HOLDS_NULL (n)) {
    *out = NULL;
    return TRUE;
  }
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) ||
      !value_has_type (n, G_TYPE_STRING))
    return bad_member (error, where, member, _("a string or null"));
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static gboolean
read_int (JsonObject *o, const char *where, const char *member, int *out,
          GError **error)
{
  JsonNode *n = member_of_type (o, member, JSON_NODE_VALUE);
  if (!value_has_type (n, G_TYPE_INT64) || json_node_get_int (n) < G_MININT ||
      json_node_get_int (n) > G_MAXINT)
    return bad_member (error, where, member, _("an integer"));
  *out = (int) json_node_get_int (n);
  return TRUE;
}

/* json-glib writes 0.0 as "0.0", but a number without a fraction reads
 * as an integer: take either, as long as it is a duration. */
static gboolean
read_seconds (JsonObject *o, double *out, GError **error)
{
  JsonNode *n = member_of_type (o, "seconds", JSON_NODE_VALUE);
  if (!value_has_type (n, G_TYPE_DOUBLE) && !value_has_type (n, G_TYPE_INT64))
    return bad_member (error, "", "seconds", _("a number of seconds"));
  double s = json_node_get_double (n);
  if (!isfinite (s) || s < 0)
    return bad_member (error, "", "seconds", _("a number of seconds"));
  *out = s;
  return TRUE;
}

/* An array of strings, appended to into. */
static gboolean
read_strings (JsonObject *o, const char *member, GPtrArray *into,
              GError **error)
{
  JsonNode *n = member_of_type (o, member, JSON_NODE_ARRAY);
  if (n == NULL)
    return bad_member (error, "", member, _("an array of strings"));
  JsonArray *a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (!JSON_NODE_HOLDS_VALUE (e) || !value_has_type (e, G_TYPE_STRING))
      return bad_member (error, "", member, _("an array of strings"));
    g_ptr_array_add (into, g_strdup (json_node_get_string (e)));
  }
  return TRUE;
}

static JsonObject *
read_object (JsonObject *o, const char *where, const char *member,
             GError **error)
{
  JsonNode *n = member_of_type (o, member, JSON_NODE_OBJECT);
  if (n == NULL)
    bad_member (error, where, member, _("an object"));
  return n ? json_node_get_object (n) : NULL;
}

static gboolean
read_status (JsonObject *o, BootfixStatus *out, GError **error)
{
  g_autofree char *name = NULL;
  if (!read_string (o, "", "status", &name, error))
    return FALSE;
  for (BootfixStatus s = BOOTFIX_STATUS_FIXED; s <= BOOTFIX_STATUS_ERROR; s++)
    if (g_strcmp0 (name, bootfix_status_to_string (s)) == 0) {
      *out = s;
      return TRUE;
    }
  return bad_member (error, "", "status", _("a known status"));
}

static gboolean
read_os_and_target (JsonObject *guest, BootfixGuestReport *r, GError **error)
{
  JsonObject *os = read_object (guest, "", "os", error);
  if (os == NULL || !read_string (os, "os.", "product", &r->product, error) ||
      !read_int (os, "os.", "major", &r->major, error) ||
      !read_int (os, "os.", "minor", &r->minor, error) ||
      !read_string (os, "os.", "arch", &r->arch, error) ||
      !read_string (os, "os.", "osinfo", &r->osinfo, error))
    return FALSE;
  JsonObject *t = read_object (guest, "", "target", error);
  return t != NULL &&
    read_string (t, "target.", "machine", &r->machine, error) &&
    read_string (t, "target.", "bus", &r->bus, error) &&
    read_string (t, "target.", "controller", &r->controller, error) &&
    read_string (t, "target.", "pci_id", &r->pci_id, error);
}

static gboolean
read_change (JsonObject *o, const char *where, GPtrArray *into, GError **error)
{
  g_autoptr (BootfixChange) c = g_new0 (BootfixChange, 1);
  if (!read_string (o, where, "kind", &c->kind, error) ||
      !read_string (o, where, "target", &c->target, error) ||
      !read_string (o, where, "key", &c->key, error) ||
      !read_string (o, where, "value", &c->value_name, error) ||
      !read_string (o, where, "old", &c->old_value, error) ||
      !read_string (o, where, "new", &c->new_value, error) ||
      !read_string (o, where, "reason", &c->reason, error))
    return FALSE;
  g_ptr_array_add (into, g_steal_pointer (&c));
  return TRUE;
}

static gboolean
read_hive (JsonObject *o, const char *where, GPtrArray *into, GError **error)
{
  g_autofree char *name = NULL, *path = NULL, *state = NULL, *detail = NULL;
  if (!read_string (o, where, "name", &name, error) ||
      !read_string (o, where, "path", &path, error) ||
      !read_string (o, where, "state", &state, error) ||
      !read_string (o, where, "detail", &detail, error))
    return FALSE;
  g_ptr_array_add (into, bootfix_hive_report_new (name, path, state, detail));
  return TRUE;
}

static gboolean
read_link (JsonObject *o, const char *where, GPtrArray *into, GError **error)
{
  g_autofree char *name = NULL, *state = NULL, *detail = NULL, *remedy = NULL;
  BootfixLinkState s;
  if (!read_string (o, where, "name", &name, error) ||
      !read_string (o, where, "state", &state, error) ||
      !read_string (o, where, "detail", &detail, error) ||
      !read_string (o, where, "remedy", &remedy, error))
    return FALSE;
  if (name == NULL || !bootfix_link_state_from_string (state, &s))
    return bad_member (error, where, name ? "state" : "name",
                       name ? _("a link state") : _("a string"));
  g_ptr_array_add (into, bootfix_link_new (name, s, detail, remedy));
  return TRUE;
}

typedef gboolean (*ReadElement) (JsonObject *o, const char *where,
                                 GPtrArray *into, GError **error);

/* An array of objects, each read by read_element into `into`; `where`
 * is the path of the object holding member. */
static gboolean
read_objects_in (JsonObject *guest, const char *where_in, const char *member,
                 ReadElement read_element, GPtrArray *into, GError **error)
{
  JsonNode *n = member_of_type (guest, member, JSON_NODE_ARRAY);
  if (n == NULL)
    return bad_member (error, where_in, member, _("an array of objects"));
  JsonArray *a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    g_autofree char *element = g_strdup_printf ("%s[%u]", member, i);
    g_autofree char *where = g_strconcat (where_in, element, ".", NULL);
    JsonNode *e = json_array_get_element (a, i);
    if (!JSON_NODE_HOLDS_OBJECT (e))
      return bad_member (error, where_in, element, _("an object"));
    if (!read_element (json_node_get_object (e), where, into, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_objects (JsonObject *guest, const char *member, ReadElement read_element,
              GPtrArray *into, GError **error)
{
  return read_objects_in (guest, "", member, read_element, into, error);
}

/* "check": null, or its links.  The verdict is not read: it follows
 * from the links and the status, and is checked against them. */
static gboolean
read_check (JsonObject *guest, BootfixGuestReport *r, GError **error)
{
  JsonNode *n = json_object_get_member (guest, "check");
  if (n != NULL && JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  JsonObject *check = read_object (guest, "", "check", error);
  g_autofree char *verdict = NULL;
  BootfixLinkState want, got;
  if (check == NULL || !read_string (check, "check.", "verdict", &verdict, error) ||
      !read_objects_in (check, "check.", "links", read_link, r->links, error))
    return FALSE;
  r->checked = TRUE;
  gboolean has = bootfix_report_verdict (r, &got);
  if (verdict ? !bootfix_link_state_from_string (verdict, &want) || !has ||
                want != got
              : has)
    return bad_member (error, "check.", "verdict",
                       _("the verdict of its links"));
  return TRUE;
}

BootfixGuestReport *
bootfix_report_guest_from_json (JsonNode *node, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error_literal (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                         _("the report of a guest is damaged: it is not a "
                           "JSON object"));
    return NULL;
  }
  JsonObject *o = json_node_get_object (node);
  g_autoptr (BootfixGuestReport) r = bootfix_guest_report_new (NULL);
  if (!read_string (o, "", "name", &r->name, error) ||
      !read_strings (o, "disks", r->disks, error) ||
      !read_os_and_target (o, r, error) ||
      !read_string (o, "", "accelerator", &r->accelerator, error) ||
      !read_string (o, "", "rule", &r->rule_id, error) ||
      !read_string (o, "", "journal", &r->journal, error) ||
      /* Added with --output; reports from before it lack it. */
      (json_object_has_member (o, "output") &&
       !read_string (o, "", "output", &r->output, error)) ||
      !read_status (o, &r->status, error) ||
      !read_objects (o, "actions", read_change, r->changes, error) ||
      !read_objects (o, "hives", read_hive, r->hives, error) ||
      !read_check (o, r, error) ||
      !read_strings (o, "messages", r->messages, error) ||
      !read_seconds (o, &r->seconds, error))
    return NULL;
  return g_steal_pointer (&r);
}
