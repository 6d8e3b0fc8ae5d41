/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --print-target: the resolved target of each domain, as text and JSON. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "json-text.h"
#include "target.h"

BootfixTarget *
bootfix_target_new (const char *source, BootfixDomain *dom, GError *error)
{
  BootfixTarget *t = g_new0 (BootfixTarget, 1);
  t->source = g_strdup (source);
  t->dom = dom;
  t->error = error;
  return t;
}

void
bootfix_target_free (BootfixTarget *t)
{
  if (t == NULL)
    return;
  g_free (t->source);
  g_clear_pointer (&t->dom, bootfix_domain_free);
  g_clear_error (&t->error);
  g_free (t);
}

static const BootfixDisk *
boot_disk (const BootfixDomain *d)
{
  return g_ptr_array_index (d->disks, d->boot_disk);
}

/* "BIOS", "UEFI", or what -a without --firmware leaves open. */
static const char *
firmware_words (const char *firmware)
{
  if (g_strcmp0 (firmware, "efi") == 0)
    return _("UEFI firmware");
  if (g_strcmp0 (firmware, "bios") == 0)
    return _("BIOS firmware");
  return _("firmware not given (--firmware)");
}

void
bootfix_target_print (const BootfixTarget *t, FILE *out, FILE *err)
{
  if (t->dom == NULL) {
    fprintf (err, _("virt-bootfix: %s\n"), t->error->message);
    return;
  }
  if (out == NULL)
    return;
  const BootfixDomain *d = t->dom;
  const BootfixDisk *disk = boot_disk (d);
  fprintf (out, "%s (%s)\n", d->name, t->source);
  fprintf (out, _("  machine:    %s (%s), %s\n"), d->machine, d->machine_family,
           firmware_words (d->firmware));
  fprintf (out, _("  boot disk:  %s, %s, on the %s bus\n"), disk->target_dev,
           disk->source ? disk->source : _("(no local source)"), d->bus);
  if (d->controller_model)
    fprintf (out, _("  controller: %s [%s], model %s\n"), d->controller->id,
             d->controller->pci_id, d->controller_model);
  else
    fprintf (out, _("  controller: %s [%s], libvirt's default model\n"),
             d->controller->id, d->controller->pci_id);
  for (guint i = 0; i < d->warnings->len; i++)
    fprintf (out, _("  warning: %s\n"), (const char *) g_ptr_array_index (d->warnings, i));
}

static void
add_resolved (JsonBuilder *b, const BootfixDomain *d)
{
  const BootfixDisk *disk = boot_disk (d);
  bootfix_json_add_string (b, "name", d->name);
  bootfix_json_add_string (b, "machine", d->machine);
  bootfix_json_add_string (b, "machine_family", d->machine_family);
  bootfix_json_add_string (b, "firmware", d->firmware);
  json_builder_set_member_name (b, "boot_disk");
  json_builder_begin_object (b);
  bootfix_json_add_string (b, "target", disk->target_dev);
  bootfix_json_add_string (b, "source", disk->source);
  bootfix_json_add_string (b, "bus", disk->bus);
  json_builder_end_object (b);
  bootfix_json_add_string (b, "bus", d->bus);
  bootfix_json_add_string (b, "controller_model", d->controller_model);
  bootfix_json_add_string (b, "controller", d->controller->id);
  bootfix_json_add_string (b, "pci_id", d->controller->pci_id);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (d->warnings, i));
  json_builder_end_array (b);
  bootfix_json_add_string (b, "error", NULL);
}

/* The same members, null, so every entry has one shape. */
static void
add_unresolved (JsonBuilder *b, const GError *error)
{
  static const char *const members[] = {
    "name", "machine", "machine_family", "firmware", "boot_disk", "bus",
    "controller_model", "controller", "pci_id", "warnings",
  };
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    bootfix_json_add_string (b, members[i], NULL);
  bootfix_json_add_string (b, "error", error->message);
}

char *
bootfix_targets_to_json (GPtrArray *targets)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "targets");
  json_builder_begin_array (b);
  for (guint i = 0; i < targets->len; i++) {
    const BootfixTarget *t = g_ptr_array_index (targets, i);
    json_builder_begin_object (b);
    bootfix_json_add_string (b, "source", t->source);
    if (t->dom)
      add_resolved (b, t->dom);
    else
      add_unresolved (b, t->error);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return bootfix_json_builder_to_text (b);
}

int
bootfix_targets_exit_code (GPtrArray *targets)
{
  for (guint i = 0; i < targets->len; i++)
    if (((const BootfixTarget *) g_ptr_array_index (targets, i))->dom == NULL)
      return 1;
  return 0;
}
