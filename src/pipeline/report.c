/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reporting: human summary, JSON, exit code. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "json-text.h"
#include "plan.h"
#include "report.h"

BootfixHiveReport *
bootfix_hive_report_new (const char *name, const char *path, const char *state,
                         const char *detail)
{
  BootfixHiveReport *h = g_new0 (BootfixHiveReport, 1);
  h->name = g_strdup (name);
  h->path = g_strdup (path);
  h->state = g_strdup (state);
  h->detail = g_strdup (detail);
  return h;
}

void
bootfix_hive_report_free (BootfixHiveReport *h)
{
  if (h == NULL)
    return;
  g_free (h->name);
  g_free (h->path);
  g_free (h->state);
  g_free (h->detail);
  g_free (h);
}

BootfixLink *
bootfix_link_new (const char *name, BootfixLinkState state, const char *detail,
                  const char *remedy)
{
  BootfixLink *l = g_new0 (BootfixLink, 1);
  l->name = g_strdup (name);
  l->state = state;
  l->detail = g_strdup (detail);
  l->remedy = g_strdup (remedy);
  return l;
}

void
bootfix_link_free (BootfixLink *link)
{
  if (link == NULL)
    return;
  g_free (link->name);
  g_free (link->detail);
  g_free (link->remedy);
  g_free (link);
}

const char *
bootfix_link_state_to_string (BootfixLinkState state)
{
  switch (state) {
  case BOOTFIX_LINK_STATE_OK: return "ok";
  case BOOTFIX_LINK_STATE_FIXABLE: return "fixable";
  case BOOTFIX_LINK_STATE_BROKEN: return "broken";
  }
  return "broken";
}

gboolean
bootfix_link_state_from_string (const char *name, BootfixLinkState *state)
{
  for (BootfixLinkState s = BOOTFIX_LINK_STATE_OK; s <= BOOTFIX_LINK_STATE_BROKEN; s++)
    if (g_strcmp0 (name, bootfix_link_state_to_string (s)) == 0) {
      *state = s;
      return TRUE;
    }
  return FALSE;
}

BootfixGuestReport *
bootfix_guest_report_new (const char *name)
{
  BootfixGuestReport *r = g_new0 (BootfixGuestReport, 1);
  r->name = g_strdup (name);
  r->disks = g_ptr_array_new_with_free_func (g_free);
  r->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  r->messages = g_ptr_array_new_with_free_func (g_free);
  r->hives =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_hive_report_free);
  r->links = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_link_free);
  r->status = BOOTFIX_STATUS_ERROR;
  return r;
}

void
bootfix_guest_report_free (BootfixGuestReport *r)
{
  if (r == NULL)
    return;
  g_free (r->name);
  g_ptr_array_unref (r->disks);
  g_free (r->product);
  g_free (r->arch);
  g_free (r->osinfo);
  g_free (r->machine);
  g_free (r->bus);
  g_free (r->controller);
  g_free (r->pci_id);
  g_free (r->accelerator);
  g_free (r->rule_id);
  g_free (r->journal);
  g_free (r->output);
  g_ptr_array_unref (r->changes);
  g_ptr_array_unref (r->messages);
  g_ptr_array_unref (r->hives);
  g_ptr_array_unref (r->links);
  g_free (r);
}

const char *
bootfix_status_to_string (BootfixStatus status)
{
  switch (status) {
  case BOOTFIX_STATUS_FIXED: return "fixed";
  case BOOTFIX_STATUS_UNCHANGED: return "unchanged";
  case BOOTFIX_STATUS_WOULD_FIX: return "would-fix";
  case BOOTFIX_STATUS_REFUSED: return "refused";
  case BOOTFIX_STATUS_ERROR: return "error";
  }
  return "error";
}

static void
add_strings (JsonBuilder *b, const char *member, GPtrArray *strings)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (strings, i));
  json_builder_end_array (b);
}

static void
add_change (JsonBuilder *b, const BootfixChange *c)
{
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "kind", c->kind);
  bootfix_json_add_string (b, "target", c->target);
  bootfix_json_add_string (b, "key", c->key);
  bootfix_json_add_string (b, "value", c->value_name);
  bootfix_json_add_string (b, "old", c->old_value);
  bootfix_json_add_string (b, "new", c->new_value);
  bootfix_json_add_string (b, "reason", c->reason);
  json_builder_end_object (b);
}

static void
add_hives (JsonBuilder *b, GPtrArray *hives)
{
  json_builder_set_member_name (b, "hives");
  json_builder_begin_array (b);
  for (guint i = 0; i < hives->len; i++) {
    const BootfixHiveReport *h = g_ptr_array_index (hives, i);
    json_builder_begin_object (b);
    bootfix_json_add_string (b, "name", h->name);
    bootfix_json_add_string (b, "path", h->path);
    bootfix_json_add_string (b, "state", h->state);
    bootfix_json_add_string (b, "detail", h->detail);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

/* "check": null, or {"verdict": ..., "links": [{name, state, detail,
 * remedy}, ...]}. */
static void
add_check (JsonBuilder *b, const BootfixGuestReport *r)
{
  json_builder_set_member_name (b, "check");
  if (!r->checked) {
    json_builder_add_null_value (b);
    return;
  }
  BootfixLinkState verdict;
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "verdict", bootfix_report_verdict (r, &verdict)
                            ? bootfix_link_state_to_string (verdict) : NULL);
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->links->len; i++) {
    const BootfixLink *l = g_ptr_array_index (r->links, i);
    json_builder_begin_object (b);
    bootfix_json_add_string (b, "name", l->name);
    bootfix_json_add_string (b, "state", bootfix_link_state_to_string (l->state));
    bootfix_json_add_string (b, "detail", l->detail);
    bootfix_json_add_string (b, "remedy", l->remedy);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

JsonNode *
bootfix_report_guest_to_json (const BootfixGuestReport *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "name", r->name);
  add_strings (b, "disks", r->disks);
  json_builder_set_member_name (b, "os");
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "product", r->product);
  json_builder_set_member_name (b, "major");
  json_builder_add_int_value (b, r->major);
  json_builder_set_member_name (b, "minor");
  json_builder_add_int_value (b, r->minor);
  bootfix_json_add_string (b, "arch", r->arch);
  bootfix_json_add_string (b, "osinfo", r->osinfo);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "target");
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "machine", r->machine);
  bootfix_json_add_string (b, "bus", r->bus);
  bootfix_json_add_string (b, "controller", r->controller);
  bootfix_json_add_string (b, "pci_id", r->pci_id);
  json_builder_end_object (b);
  bootfix_json_add_string (b, "accelerator", r->accelerator);
  bootfix_json_add_string (b, "rule", r->rule_id);
  bootfix_json_add_string (b, "journal", r->journal);
  bootfix_json_add_string (b, "output", r->output);
  bootfix_json_add_string (b, "status", bootfix_status_to_string (r->status));
  json_builder_set_member_name (b, "actions");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->changes->len; i++)
    add_change (b, g_ptr_array_index (r->changes, i));
  json_builder_end_array (b);
  add_hives (b, r->hives);
  add_check (b, r);
  add_strings (b, "messages", r->messages);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, r->seconds);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
bootfix_report_to_json (GPtrArray *reports)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, BOOTFIX_REPORT_FORMAT);
  json_builder_set_member_name (b, "guests");
  json_builder_begin_array (b);
  for (guint i = 0; i < reports->len; i++)
    json_builder_add_value (b, bootfix_report_guest_to_json (
                                 g_ptr_array_index (reports, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return bootfix_json_builder_to_text (b);
}

gboolean
bootfix_report_write_json (GPtrArray *reports, const char *path, GError **error)
{
  g_autofree char *json = bootfix_report_to_json (reports);
  g_autofree char *text = g_strconcat (json, "\n", NULL);
  return g_file_set_contents (path, text, -1, error);
}

static const char *
status_sentence (BootfixStatus status)
{
  switch (status) {
  case BOOTFIX_STATUS_FIXED: return _("fixed: the guest is ready to boot");
  case BOOTFIX_STATUS_UNCHANGED: return _("unchanged: nothing needed fixing");
  case BOOTFIX_STATUS_WOULD_FIX: return _("would fix (dry run, nothing written)");
  case BOOTFIX_STATUS_REFUSED: return _("refused: nothing was changed");
  case BOOTFIX_STATUS_ERROR: return _("error: the guest was not fixed");
  }
  return "";
}

/* Text from the guest (product names, registry values) may hold escape
 * sequences meant for the user's terminal: show control characters as
 * \xNN instead. */
static char *
printable (const char *s)
{
  if (s == NULL)
    return NULL;
  GString *out = g_string_new (NULL);
  bootfix_append_guest_text_as (out, s, BOOTFIX_GUEST_TEXT_HEX);
  return g_string_free (out, FALSE);
}

static void
print_change (const BootfixChange *raw, gboolean would, FILE *fp)
{
  g_autofree char *target = printable (raw->target);
  g_autofree char *old_value = printable (raw->old_value);
  g_autofree char *new_value = printable (raw->new_value);
  const BootfixChange shown = {
    .kind = raw->kind, .key = raw->key, .value_name = raw->value_name,
    .target = target, .old_value = old_value, .new_value = new_value,
  };
  const BootfixChange *c = &shown;
  if (g_strcmp0 (c->kind, "registry") != 0)
    /* bcd, bootsector, file: a byte edit shown by what it means. */
    fprintf (fp, "  %s %s: %s -> %s\n", would ? _("would change") : _("changed"),
             c->target, c->old_value ? c->old_value : _("(absent)"),
             c->new_value);
  else if (c->value_name == NULL && c->new_value != NULL)
    fprintf (fp, "  %s %s\n", would ? _("would create key") : _("created key"),
             c->target);
  else if (c->value_name == NULL)
    fprintf (fp, "  %s %s\n", would ? _("would delete key") : _("deleted key"),
             c->target);
  else if (c->new_value == NULL)
    fprintf (fp, "  %s %s (%s)\n",
             would ? _("would delete") : _("deleted"), c->target, c->old_value);
  else
    fprintf (fp, "  %s %s: %s -> %s\n", would ? _("would set") : _("set"),
             c->target, c->old_value ? c->old_value : _("(absent)"),
             c->new_value);
}

static const char *
verdict_sentence (const BootfixGuestReport *r)
{
  BootfixLinkState verdict;
  if (!bootfix_report_verdict (r, &verdict))
    return _("could not be checked");
  switch (verdict) {
  case BOOTFIX_LINK_STATE_OK: return _("boots as it is");
  case BOOTFIX_LINK_STATE_FIXABLE: return _("will boot once virt-bootfix has fixed it");
  case BOOTFIX_LINK_STATE_BROKEN: return _("will not boot; see what to do below");
  }
  return "";
}

/* "  ok       boot-manager: \bootmgr on /dev/sda1" and what to do. */
static void
print_link (const BootfixLink *l, FILE *fp)
{
  g_autofree char *detail = printable (l->detail);
  g_autofree char *remedy = printable (l->remedy);
  fprintf (fp, "  %-8s %s: %s\n", bootfix_link_state_to_string (l->state),
           l->name, detail ? detail : "");
  if (remedy == NULL)
    return;
  if (l->state == BOOTFIX_LINK_STATE_FIXABLE)
    fprintf (fp, _("           the fix: %s\n"), remedy);
  else
    fprintf (fp, _("           what to do: %s\n"), remedy);
}

static void
print_check (const BootfixGuestReport *r, FILE *fp)
{
  for (guint i = 0; i < r->links->len; i++)
    print_link (g_ptr_array_index (r->links, i), fp);
  if (r->changes->len > 0)
    fprintf (fp, g_dngettext (GETTEXT_PACKAGE,
                              "  a fix would make %u change (--dry-run lists it)\n",
                              "  a fix would make %u changes (--dry-run lists them)\n",
                              r->changes->len), r->changes->len);
}

void
bootfix_report_print (const BootfixGuestReport *r, FILE *fp)
{
  g_autofree char *product = printable (r->product);
  fprintf (fp, "%s: %s\n", r->name,
           r->checked ? verdict_sentence (r) : status_sentence (r->status));
  if (r->product)
    fprintf (fp, _("  %s (%d.%d %s) on %s, %s bus, %s [%s]\n"), product,
             r->major, r->minor, r->arch ? r->arch : "?",
             r->machine ? r->machine : "?", r->bus ? r->bus : "?",
             r->controller ? r->controller : "?", r->pci_id ? r->pci_id : "?");
  gboolean would = r->status == BOOTFIX_STATUS_WOULD_FIX;
  if (r->checked)
    print_check (r, fp);
  for (guint i = 0; !r->checked && i < r->changes->len; i++)
    print_change (g_ptr_array_index (r->changes, i), would, fp);
  for (guint i = 0; i < r->hives->len; i++) {
    const BootfixHiveReport *h = g_ptr_array_index (r->hives, i);
    g_autofree char *detail = printable (h->detail);
    fprintf (fp, "  %s\n", detail);
  }
  for (guint i = 0; i < r->messages->len; i++) {
    g_autofree char *msg = printable (g_ptr_array_index (r->messages, i));
    fprintf (fp, "  %s\n", msg);
  }
  if (r->journal)
    fprintf (fp, _("  undo with: virt-bootfix --undo %s\n"), r->journal);
  if (r->output)
    fprintf (fp, _("  the guest to boot: %s (its disks were only read)\n"),
             r->output);
}

int
bootfix_report_exit_code (GPtrArray *reports)
{
  gboolean refused = FALSE;
  for (guint i = 0; i < reports->len; i++) {
    const BootfixGuestReport *r = g_ptr_array_index (reports, i);
    if (r->status == BOOTFIX_STATUS_ERROR)
      return 1;
    refused |= r->status == BOOTFIX_STATUS_REFUSED;
  }
  return refused ? 3 : 0;
}

gboolean
bootfix_report_verdict (const BootfixGuestReport *r, BootfixLinkState *verdict)
{
  BootfixLinkState worst = BOOTFIX_LINK_STATE_OK;
  if (!r->checked)
    return FALSE;
  for (guint i = 0; i < r->links->len; i++)
    worst = MAX (worst, ((const BootfixLink *) g_ptr_array_index (r->links, i))->state);
  /* A check that failed half-way knows only that nothing after the
   * failure was seen, unless what it saw already stops the boot. */
  if (r->status == BOOTFIX_STATUS_ERROR && worst != BOOTFIX_LINK_STATE_BROKEN)
    return FALSE;
  *verdict = worst;
  return TRUE;
}

int
bootfix_report_check_exit_code (GPtrArray *reports)
{
  BootfixLinkState worst = BOOTFIX_LINK_STATE_OK;
  for (guint i = 0; i < reports->len; i++) {
    BootfixLinkState v;
    if (!bootfix_report_verdict (g_ptr_array_index (reports, i), &v))
      return 1;
    worst = MAX (worst, v);
  }
  return worst == BOOTFIX_LINK_STATE_BROKEN ? 3
         : worst == BOOTFIX_LINK_STATE_FIXABLE ? 4 : 0;
}
