/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: the links the executor adds to what the firmware walk and
 * the modules found.  docs/boot-chain-check.md, "The verdict". */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "check.h"
#include "module-loader.h"

gboolean
bootfix_check_modules (BootfixHostContext *host, const BootfixPlan *scratch,
                       GPtrArray *claimed, GPtrArray *links,
                       const char *guest_name, GError **error)
{
  for (guint i = 0; i < claimed->len; i++) {
    const BootfixModule *mod = g_ptr_array_index (claimed, i);
    if (bootfix_host_call (host, mod, BOOTFIX_CALLBACK_CHECK, error) < 0) {
      g_prefix_error (error, _("guest %s: checking the boot chain: "),
                      guest_name);
      return FALSE;
    }
    if (scratch->actions->len > 0 || scratch->refused) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                   _("guest %s: module %s planned changes while checking the "
                     "boot chain"), guest_name, mod->m.name);
      return FALSE;
    }
  }
  GPtrArray *found = bootfix_host_context_links (host);
  while (found->len > 0)
    g_ptr_array_add (links, g_ptr_array_steal_index (found, 0));
  return TRUE;
}

void
bootfix_check_refuse_firmware (BootfixPlan *plan, const char *firmware,
                               const BootfixLink *broken)
{
  g_autofree char *why = g_strdup_printf (
    _("its %s firmware cannot start the boot disk: %s"),
    g_strcmp0 (firmware, "efi") == 0 ? "UEFI" : "BIOS", broken->detail);
  g_autofree char *advice = g_strdup_printf (
    _("%s; or, to fix the registry and the boot configuration all the same, "
      "add --allow-firmware-mismatch"), broken->remedy);
  bootfix_plan_refuse (plan, why, advice);
}

static gboolean
has_state (GPtrArray *links, BootfixLinkState state)
{
  for (guint i = 0; i < links->len; i++)
    if (((const BootfixLink *) g_ptr_array_index (links, i))->state == state)
      return TRUE;
  return FALSE;
}

/* Hibernated: Windows would resume on hardware it does not know.  A
 * dirty NTFS boots (Windows runs chkdsk) but cannot be fixed here, so
 * it breaks the chain only where a fix is needed. */
static void
add_volume_link (BootfixGuestReport *report, const BootfixGuestInfo *info)
{
  if (info == NULL || info->root == NULL)
    return;
  if (info->unwritable == NULL) {
    g_autofree char *detail = g_strdup_printf (_("Windows on %s was shut down "
                                                 "cleanly"), info->root);
    g_ptr_array_add (report->links, bootfix_link_new ("windows-volume",
                     BOOTFIX_LINK_STATE_OK, detail, NULL));
    return;
  }
  gboolean stops = info->hibernated ||
                   has_state (report->links, BOOTFIX_LINK_STATE_FIXABLE);
  g_autofree char *detail = stops ? g_strdup (info->unwritable)
    : g_strdup_printf (_("%s; Windows runs chkdsk when it starts"),
                       info->unwritable);
  g_ptr_array_add (report->links, bootfix_link_new ("windows-volume",
                   stops ? BOOTFIX_LINK_STATE_BROKEN : BOOTFIX_LINK_STATE_OK,
                   detail, stops ? info->unwritable_advice : NULL));
}

void
bootfix_check_finish (BootfixGuestReport *report, const BootfixGuestInfo *info,
                      const char *why, const char *advice)
{
  report->checked = TRUE;
  add_volume_link (report, info);
  if (why == NULL || has_state (report->links, BOOTFIX_LINK_STATE_BROKEN))
    return;
  g_ptr_array_add (report->links, bootfix_link_new ("fix-refused",
                   BOOTFIX_LINK_STATE_BROKEN, why, advice));
}
