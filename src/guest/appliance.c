/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libguestfs appliance that one guest or a group of guests share. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "appliance-private.h"
#include "bootfix-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (guestfs_h, guestfs_close)

/* One disk of the appliance and whose it is, for messages. */
typedef struct {
  char *file;
  char *format;
  gboolean readonly;
  char *guest;
  char *source;   /* the guest's own disk behind an overlay */
} Drive;

static void
drive_free (gpointer p)
{
  Drive *d = p;
  g_free (d->file);
  g_free (d->format);
  g_free (d->guest);
  g_free (d->source);
  g_free (d);
}

BootfixAppliance *
bootfix_appliance_new (const char *name, gboolean verbose, gboolean trace)
{
  BootfixAppliance *app = g_new0 (BootfixAppliance, 1);
  app->refs = 1;
  app->name = g_strdup (name);
  app->verbose = verbose;
  app->trace = trace;
  app->drives = g_ptr_array_new_with_free_func (drive_free);
  app->fs_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return app;
}

BootfixAppliance *
bootfix_appliance_ref (BootfixAppliance *app)
{
  g_atomic_int_inc (&app->refs);
  return app;
}

void
bootfix_appliance_unref (BootfixAppliance *app)
{
  if (app == NULL || !g_atomic_int_dec_and_test (&app->refs))
    return;
  if (app->g)
    guestfs_close (app->g);
  g_free (app->name);
  g_ptr_array_unref (app->drives);
  g_free (app->accelerator);
  g_free (app->mounted);
  g_hash_table_unref (app->fs_types);
  g_strfreev (app->devices);
  g_strfreev (app->partitions);
  g_free (app);
}

guint
bootfix_appliance_add_guest (BootfixAppliance *app, const BootfixDomain *dom,
                             GPtrArray *overlays, gboolean readonly)
{
  g_return_val_if_fail (app->g == NULL, 0);
  guint first = app->drives->len;
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *src = g_ptr_array_index (dom->disks, i);
    Drive *d = g_new0 (Drive, 1);
    d->guest = g_strdup (dom->name);
    d->source = g_strdup (src->source);
    d->readonly = readonly;
    if (overlays) {
      d->file = g_strdup (g_ptr_array_index (overlays, i));
      d->format = g_strdup ("qcow2");
    } else {
      d->file = g_strdup (src->source);
      d->format = g_strdup (src->format ? src->format : "raw");
    }
    g_ptr_array_add (app->drives, d);
  }
  return first;
}

guint
bootfix_appliance_n_disks (const BootfixAppliance *app)
{
  return app->drives->len;
}

guint
bootfix_appliance_max_disks (void)
{
  g_autoptr (guestfs_h) g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  int n = g ? guestfs_max_disks (g) : -1;
  /* One slot stays free for the appliance's own root disk. */
  return n > 1 ? (guint) n - 1 : 25;
}

/* ---- choosing an accelerator ---- */

static gboolean
cpu_has_virt_flag (void)
{
  g_autofree char *cpuinfo = NULL;
  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (cpuinfo, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (!g_str_has_prefix (*l, "flags"))
      continue;
    g_auto (GStrv) words = g_strsplit_set (*l, " \t", -1);
    for (char **w = words; *w; w++)
      if (strcmp (*w, "vmx") == 0 || strcmp (*w, "svm") == 0)
        return TRUE;
  }
  return FALSE;
}

gboolean
bootfix_kvm_usable (char **why)
{
  const char *reason = NULL;
  if (access ("/dev/kvm", R_OK | W_OK) != 0)
    reason = "/dev/kvm is missing or not accessible";
  else if (g_file_test ("/sys/module/kvm_pvm", G_FILE_TEST_EXISTS))
    /* A software nested KVM: qemu aborts on it (MSR 0x10a) or hangs. */
    reason = "/dev/kvm is a software nested KVM (kvm_pvm)";
  else if (!cpu_has_virt_flag ())
    reason = "the CPU has no vmx/svm flag";
  if (why)
    *why = g_strdup (reason);
  return reason == NULL;
}

static gboolean
settings_force_tcg (guestfs_h *g)
{
  g_auto (GStrv) settings = guestfs_get_backend_settings (g);
  return settings && g_strv_contains ((const char *const *) settings, "force_tcg");
}

static void
add_force_tcg (guestfs_h *g)
{
  g_auto (GStrv) old = guestfs_get_backend_settings (g);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  if (old)
    g_strv_builder_addv (b, (const char **) old);
  g_strv_builder_add (b, "force_tcg");
  g_auto (GStrv) settings = g_strv_builder_end (b);
  guestfs_set_backend_settings (g, settings);
}

/* ---- launching ---- */

static void
set_error (GError **error, guestfs_h *g, BootfixError code, const char *who,
           const char *what)
{
  const char *msg = guestfs_last_error (g);
  g_set_error (error, BOOTFIX_ERROR, code, _("guest %s: %s: %s"), who, what,
               msg ? msg : _("unknown libguestfs error"));
}

static guestfs_h *
new_handle (BootfixAppliance *app, gboolean tcg, GError **error)
{
  guestfs_h *g = guestfs_create ();
  if (g == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot create a libguestfs handle"));
    return NULL;
  }
  /* We report errors ourselves, with the guest's name. */
  guestfs_set_error_handler (g, NULL, NULL);
  if (app->verbose)
    guestfs_set_verbose (g, 1);
  if (app->trace)
    guestfs_set_trace (g, 1);
  if (tcg && !settings_force_tcg (g))
    add_force_tcg (g);
  for (guint i = 0; i < app->drives->len; i++) {
    const Drive *d = g_ptr_array_index (app->drives, i);
    if (guestfs_add_drive_opts (g, d->file,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, d->format,
                                GUESTFS_ADD_DRIVE_OPTS_READONLY, d->readonly,
                                -1) == -1) {
      set_error (error, g, BOOTFIX_ERROR_GUEST, d->guest, d->source);
      guestfs_close (g);
      return NULL;
    }
  }
  return g;
}

static gboolean
try_launch (BootfixAppliance *app, gboolean tcg, GError **error)
{
  g_autoptr (guestfs_h) g = new_handle (app, tcg, error);
  if (g == NULL)
    return FALSE;
  tcg = settings_force_tcg (g);
  if (guestfs_launch (g) == -1) {
    set_error (error, g, BOOTFIX_ERROR_FAILED, app->name,
               _("cannot start the libguestfs appliance"));
    return FALSE;
  }
  app->accelerator = g_strdup (tcg ? "tcg" : "kvm");
  app->g = g_steal_pointer (&g);
  return TRUE;
}

gboolean
bootfix_appliance_launch (BootfixAppliance *app, GError **error)
{
  g_return_val_if_fail (app->g == NULL && app->drives->len > 0, FALSE);
  g_autofree char *why = NULL;
  gboolean tcg = !bootfix_kvm_usable (&why);
  if (tcg)
    g_debug ("using TCG: %s", why);
  g_autoptr (GError) local = NULL;
  gboolean ok = try_launch (app, tcg, &local);
  if (!ok && !tcg && local->code == BOOTFIX_ERROR_FAILED) {
    g_debug ("KVM launch failed (%s); retrying under TCG", local->message);
    g_clear_error (&local);
    ok = try_launch (app, TRUE, &local);
  }
  if (!ok) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  g_debug ("%s: appliance with %u disks running under %s", app->name,
           app->drives->len, app->accelerator);
  return TRUE;
}

const char *
bootfix_appliance_accelerator (const BootfixAppliance *app)
{
  return app->accelerator;
}

gboolean
bootfix_appliance_alive (const BootfixAppliance *app)
{
  return app->g != NULL && !app->dead;
}

void
bootfix_appliance_check_alive (BootfixAppliance *app)
{
  if (app->g && !app->dead && guestfs_is_ready (app->g) <= 0 &&
      guestfs_is_busy (app->g) <= 0) {
    g_debug ("%s: the appliance died", app->name);
    app->dead = TRUE;
  }
}

gboolean
bootfix_appliance_shutdown (BootfixAppliance *app, GError **error)
{
  g_return_val_if_fail (app->g != NULL, FALSE);
  g_clear_pointer (&app->mounted, g_free);
  gboolean ok = !app->dead && guestfs_umount_all (app->g) == 0 &&
                guestfs_shutdown (app->g) == 0;
  app->dead = TRUE;
  if (!ok)
    set_error (error, app->g, BOOTFIX_ERROR_FAILED, app->name,
               _("cannot flush the changes to the disk images"));
  return ok;
}

/* ---- what every guest of the appliance sees alike ---- */

static const char *const *
cached_list (BootfixAppliance *app, GStrv *slot, char **(*list) (guestfs_h *),
             const char *what, GError **error)
{
  if (*slot == NULL)
    *slot = list (app->g);
  if (*slot == NULL) {
    set_error (error, app->g, BOOTFIX_ERROR_GUEST, app->name, what);
    bootfix_appliance_check_alive (app);
  }
  return (const char *const *) *slot;
}

const char *const *
bootfix_appliance_devices (BootfixAppliance *app, GError **error)
{
  return cached_list (app, &app->devices, guestfs_list_devices,
                      _("cannot list the disks"), error);
}

const char *const *
bootfix_appliance_partitions (BootfixAppliance *app, GError **error)
{
  return cached_list (app, &app->partitions, guestfs_list_partitions,
                      _("cannot list the partitions"), error);
}

gboolean
bootfix_appliance_on_disk (const char *name, const char *disk)
{
  size_t n = strlen (disk);
  if (strncmp (name, disk, n) != 0)
    return FALSE;
  for (const char *p = name + n; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

void
bootfix_appliance_forget (BootfixAppliance *app, const char *device)
{
  g_clear_pointer (&app->mounted, g_free);
  g_autofree char *disk = g_strdup (device);
  for (size_t n = strlen (disk); n > 0 && g_ascii_isdigit (disk[n - 1]); n--)
    disk[n - 1] = '\0';
  GHashTableIter it;
  gpointer name;
  g_hash_table_iter_init (&it, app->fs_types);
  while (g_hash_table_iter_next (&it, &name, NULL))
    if (bootfix_appliance_on_disk (name, disk))
      g_hash_table_iter_remove (&it);
}
