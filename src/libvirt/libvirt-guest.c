/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guests named in libvirt: state, saved state and inactive definition. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "bootfix-error.h"
#include "libvirt-guest.h"

struct _BootfixLibvirt {
  virConnectPtr conn;
  char *uri;
};

/* libvirt prints every error on stderr unless told otherwise; ours say
 * the same with the guest and the fix, once. */
static void
ignore_libvirt_error (void *data, virErrorPtr error)
{
  (void) data;
  (void) error;
}

static const char *
last_libvirt_error (void)
{
  const char *msg = virGetLastErrorMessage ();
  return msg ? msg : _("unknown libvirt error");
}

gboolean
bootfix_libvirt_arg_is_file (const char *arg, gboolean uri_given)
{
  g_return_val_if_fail (arg != NULL, FALSE);
  if (uri_given)
    return FALSE;
  return strchr (arg, '/') != NULL ||
         g_file_test (arg, G_FILE_TEST_IS_REGULAR);
}

BootfixLibvirt *
bootfix_libvirt_open (const char *uri, GError **error)
{
  virSetErrorFunc (NULL, ignore_libvirt_error);
  /* Reading a definition and a state needs no more than read-only, which
   * a user who is not root gets without polkit on qemu:///system. */
  virConnectPtr conn = virConnectOpenReadOnly (uri);
  if (conn == NULL) {
    if (uri != NULL)
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("cannot connect to libvirt at %s: %s; check the URI and "
                     "that its daemon runs (virsh -c %s list --all), or give "
                     "a domain XML file with --domain-xml"),
                   uri, last_libvirt_error (), uri);
    else
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("cannot connect to libvirt's default URI "
                     "(LIBVIRT_DEFAULT_URI, else uri_default in libvirt.conf): "
                     "%s; start the libvirt daemon, name its URI with -c (for "
                     "example -c qemu:///system), or give a domain XML file "
                     "with --domain-xml"), last_libvirt_error ());
    return NULL;
  }
  BootfixLibvirt *lv = g_new0 (BootfixLibvirt, 1);
  lv->conn = conn;
  char *got = virConnectGetURI (conn);
  lv->uri = g_strdup (got ? got : (uri ? uri : "?"));
  free (got);
  return lv;
}

void
bootfix_libvirt_free (BootfixLibvirt *lv)
{
  if (lv == NULL)
    return;
  virConnectClose (lv->conn);
  g_free (lv->uri);
  g_free (lv);
}

const char *
bootfix_libvirt_uri (const BootfixLibvirt *lv)
{
  return lv->uri;
}

/* ---- the state ---- */

/* What each active state is called, what ends it, and the virsh
 * command that does (or starts) that. */
static const struct {
  int state;
  const char *what;
  const char *advice;
  const char *command;
} active_states[] = {
  { VIR_DOMAIN_RUNNING, N_("is running"), N_("shut it down"), "shutdown" },
  { VIR_DOMAIN_BLOCKED, N_("is running"), N_("shut it down"), "shutdown" },
  { VIR_DOMAIN_SHUTDOWN, N_("is shutting down"),
    N_("wait until it is shut off"), "domstate" },
  { VIR_DOMAIN_PAUSED, N_("is paused"),
    N_("resume it, then shut it down"), "resume" },
  { VIR_DOMAIN_PMSUSPENDED, N_("is suspended by its power management"),
    N_("wake it up, then shut it down"), "dompmwakeup" },
  { VIR_DOMAIN_CRASHED, N_("has crashed and its process is kept"),
    N_("stop it"), "destroy" },
};

static gboolean
refuse_active (const char *guest, const char *uri, int state, GError **error)
{
  const char *what = N_("is active (in a state libvirt cannot name)");
  const char *advice = N_("shut it down");
  const char *command = "shutdown";
  for (gsize i = 0; i < G_N_ELEMENTS (active_states); i++) {
    if (active_states[i].state == state) {
      what = active_states[i].what;
      advice = active_states[i].advice;
      command = active_states[i].command;
    }
  }
  g_autofree char *quri = g_shell_quote (uri);
  g_autofree char *qguest = g_shell_quote (guest);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
               _("guest %s %s according to libvirt at %s, and the disks of "
                 "a running guest must not change under it: %s (virsh -c %s "
                 "%s %s), then run virt-bootfix again"),
               guest, _(what), uri, _(advice), quri, command, qguest);
  return FALSE;
}

gboolean
bootfix_libvirt_check_state (const char *guest, const char *uri, int state,
                             gboolean managed_save, GError **error)
{
  if (state != VIR_DOMAIN_SHUTOFF)
    return refuse_active (guest, uri, state, error);
  if (managed_save) {
    g_autofree char *quri = g_shell_quote (uri);
    g_autofree char *qguest = g_shell_quote (guest);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s has a saved memory state in libvirt at %s "
                   "(virsh managedsave): its next start would resume a memory "
                   "that no longer matches the fixed disks. Start it and shut "
                   "it down, or drop the saved state (virsh -c %s "
                   "managedsave-remove %s), then run virt-bootfix again"),
                 guest, uri, quri, qguest);
    return FALSE;
  }
  return TRUE;
}

/* ---- the guest ---- */

/* By name, then by UUID, as the other virt tools take -d. */
static virDomainPtr
lookup (BootfixLibvirt *lv, const char *name, GError **error)
{
  virDomainPtr dom = virDomainLookupByName (lv->conn, name);
  if (dom == NULL && virGetLastErrorCode () == VIR_ERR_NO_DOMAIN &&
      (strlen (name) == 32 || strlen (name) == 36))
    dom = virDomainLookupByUUIDString (lv->conn, name);
  if (dom != NULL)
    return dom;
  g_autofree char *quri = g_shell_quote (lv->uri);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("libvirt at %s has no guest %s (%s); virsh -c %s list --all "
                 "shows the guests it has"), lv->uri, name,
               last_libvirt_error (), quri);
  return NULL;
}

static gboolean
check_domain (BootfixLibvirt *lv, virDomainPtr dom, const char *name,
              GError **error)
{
  int state = VIR_DOMAIN_NOSTATE, reason = 0;
  if (virDomainGetState (dom, &state, &reason, 0) < 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot read the state of guest %s from libvirt at %s: %s"),
                 name, lv->uri, last_libvirt_error ());
    return FALSE;
  }
  int saved = virDomainHasManagedSaveImage (dom, 0);
  if (saved < 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot ask libvirt at %s whether guest %s has a saved "
                   "state: %s"), lv->uri, name, last_libvirt_error ());
    return FALSE;
  }
  return bootfix_libvirt_check_state (name, lv->uri, state, saved == 1, error);
}

/* libvirt keeps disk paths absolute; a relative one would be relative
 * to the daemon's folder, not ours, so it is not guessed at. */
static gboolean
check_paths_absolute (const BootfixDomain *d, const char *uri, GError **error)
{
  for (guint i = 0; i < d->disks->len; i++) {
    const BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    if (disk->source != NULL && !g_path_is_absolute (disk->source)) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN,
                   _("libvirt at %s: guest '%s': disk %s has the relative "
                     "path %s; give it an absolute one (virsh edit)"),
                   uri, d->name, disk->target_dev, disk->source);
      return FALSE;
    }
  }
  return TRUE;
}

/* A disk of type 'volume' gets the path libvirt gives its volume, when
 * the volume is a file or a block device; other kinds (network, RBD...)
 * stay without a source and are refused when the guest is opened. */
static gboolean
resolve_volume (BootfixLibvirt *lv, const char *guest, BootfixDisk *disk,
                GError **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (lv->conn, disk->pool);
  virStorageVolPtr vol = pool ? virStorageVolLookupByName (pool, disk->volume)
                              : NULL;
  virStorageVolInfo info = { 0 };
  gboolean ok = vol != NULL && virStorageVolGetInfo (vol, &info) == 0;
  if (!ok) {
    g_autofree char *quri = g_shell_quote (lv->uri);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("libvirt at %s: guest '%s': disk %s: cannot find volume %s "
                   "of storage pool %s (%s); virsh -c %s vol-list %s lists "
                   "the pool"), lv->uri, guest, disk->target_dev, disk->volume,
                 disk->pool, last_libvirt_error (), quri, disk->pool);
  } else if (info.type == VIR_STORAGE_VOL_FILE ||
             info.type == VIR_STORAGE_VOL_BLOCK) {
    char *path = virStorageVolGetPath (vol);
    disk->source = g_strdup (path);
    free (path);
    if (disk->source == NULL) {
      ok = FALSE;
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("libvirt at %s: guest '%s': disk %s: no path for volume "
                     "%s of storage pool %s: %s"), lv->uri, guest,
                   disk->target_dev, disk->volume, disk->pool,
                   last_libvirt_error ());
    }
  }
  if (vol)
    virStorageVolFree (vol);
  if (pool)
    virStoragePoolFree (pool);
  return ok;
}

static gboolean
resolve_volumes (BootfixLibvirt *lv, BootfixDomain *d, GError **error)
{
  for (guint i = 0; i < d->disks->len; i++) {
    BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    if (disk->volume != NULL && disk->source == NULL &&
        !resolve_volume (lv, d->name, disk, error))
      return FALSE;
  }
  return TRUE;
}

BootfixDomain *
bootfix_libvirt_read_domain (BootfixLibvirt *lv, const char *name,
                             const BootfixControllerDb *db, GError **error)
{
  g_return_val_if_fail (lv != NULL && name != NULL && db != NULL, NULL);

  virDomainPtr dom = lookup (lv, name, error);
  if (dom == NULL)
    return NULL;
  char *xml = NULL;
  if (check_domain (lv, dom, name, error)) {
    /* The inactive definition: what the guest boots on next time. */
    xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
    if (xml == NULL)
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("cannot read the definition of guest %s from libvirt at "
                     "%s: %s"), name, lv->uri, last_libvirt_error ());
  }
  virDomainFree (dom);
  if (xml == NULL)
    return NULL;

  g_autofree char *what = g_strdup_printf (_("libvirt at %s"), lv->uri);
  g_autoptr (BootfixDomain) d =
    bootfix_domain_parse (xml, strlen (xml), what, NULL, db, error);
  free (xml);
  if (d == NULL || !check_paths_absolute (d, lv->uri, error) ||
      !resolve_volumes (lv, d, error))
    return NULL;
  return g_steal_pointer (&d);
}
