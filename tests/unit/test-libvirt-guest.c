/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the libvirt layer (libvirt-guest.c): how -d ARG is read, the
 * refusal of every state but shut off, and guests read through libvirt's
 * test driver (in the client library: no daemon), from
 * data/libvirt/node.xml. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "bootfix-error.h"
#include "controllers.h"
#include "rules.h"
#include "libvirt-guest.h"

/* The real data/controllers.xml, loaded once in main(). */
static BootfixControllerDb *db;

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL) {
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
    g_assert_not_reached ();
  }
}

/* test:///ABSOLUTE/PATH/node.xml */
static char *
test_uri (void)
{
  const char *dir = g_getenv ("BOOTFIX_TEST_DATA");
  g_assert_nonnull (dir);
  g_autofree char *node = g_build_filename (dir, "libvirt", "node.xml", NULL);
  g_autofree char *abs = g_canonicalize_filename (node, NULL);
  return g_strconcat ("test://", abs, NULL);
}

static BootfixLibvirt *
open_test_host (void)
{
  g_autofree char *uri = test_uri ();
  g_autoptr (GError) error = NULL;
  BootfixLibvirt *lv = bootfix_libvirt_open (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bootfix_libvirt_uri (lv), ==, uri);
  return lv;
}

/* ---- how -d ARG is read ---- */

static void
test_arg_is_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bootfix-lv-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "win7.xml", NULL);
  g_assert_true (g_file_set_contents (file, "<domain/>", -1, NULL));
  g_autofree char *old_cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (dir), ==, 0);

  /* Without -c: an existing file, or anything with '/', is a file. */
  g_assert_true (bootfix_libvirt_arg_is_file ("win7.xml", FALSE));
  g_assert_true (bootfix_libvirt_arg_is_file ("./win7", FALSE));
  g_assert_true (bootfix_libvirt_arg_is_file ("missing/win7.xml", FALSE));
  g_assert_false (bootfix_libvirt_arg_is_file ("win7", FALSE));
  g_assert_false (bootfix_libvirt_arg_is_file ("missing.xml", FALSE));
  /* A folder of that name is no domain XML. */
  g_assert_cmpint (g_mkdir ("win10", 0700), ==, 0);
  g_assert_false (bootfix_libvirt_arg_is_file ("win10", FALSE));
  /* With -c, always a guest name. */
  g_assert_false (bootfix_libvirt_arg_is_file ("win7.xml", TRUE));
  g_assert_false (bootfix_libvirt_arg_is_file ("./win7", TRUE));

  g_assert_cmpint (g_chdir (old_cwd), ==, 0);
  g_autofree char *folder = g_build_filename (dir, "win10", NULL);
  g_remove (file);
  g_rmdir (folder);
  g_rmdir (dir);
}

/* ---- the state ---- */

typedef struct {
  int state;
  gboolean managed_save;
  const char *want; /* NULL: accepted */
} StateCase;

static const StateCase state_cases[] = {
  { VIR_DOMAIN_SHUTOFF, FALSE, NULL },
  { VIR_DOMAIN_RUNNING, FALSE, "is running" },
  { VIR_DOMAIN_BLOCKED, FALSE, "is running" },
  { VIR_DOMAIN_PAUSED, FALSE, "resume 'g 1'" },
  { VIR_DOMAIN_SHUTDOWN, FALSE, "is shutting down" },
  { VIR_DOMAIN_CRASHED, FALSE, "destroy 'g 1'" },
  { VIR_DOMAIN_PMSUSPENDED, FALSE, "dompmwakeup 'g 1'" },
  { VIR_DOMAIN_NOSTATE, FALSE, "cannot name" },
  { 99, FALSE, "cannot name" },
  { VIR_DOMAIN_SHUTOFF, TRUE, "managedsave-remove 'g 1'" },
  /* Active wins over saved: the state is what to act on first. */
  { VIR_DOMAIN_RUNNING, TRUE, "shutdown 'g 1'" },
};

static void
test_check_state (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (state_cases); i++) {
    const StateCase *c = &state_cases[i];
    g_autoptr (GError) error = NULL;
    gboolean ok = bootfix_libvirt_check_state ("g 1", "qemu:///system",
                                               c->state, c->managed_save,
                                               &error);
    g_test_message ("state %d, saved %d", c->state, c->managed_save);
    if (c->want == NULL) {
      g_assert_no_error (error);
      g_assert_true (ok);
      continue;
    }
    g_assert_false (ok);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
    assert_contains (error->message, "guest g 1");
    assert_contains (error->message, "libvirt at qemu:///system");
    assert_contains (error->message, "virsh -c 'qemu:///system'");
    assert_contains (error->message, c->want);
  }
}

/* ---- guests through the test driver ---- */

static void
test_read_shut_off (void)
{
  g_autoptr (BootfixLibvirt) lv = open_test_host ();
  /* By name and by UUID: the same guest. */
  const char *names[] = { "win7-off", "6b3c0f4e-7a1f-4a57-9a53-1a2b3c4d5e6f" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixDomain) d =
      bootfix_libvirt_read_domain (lv, names[i], db, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (d->name, ==, "win7-off");
    g_assert_cmpstr (d->machine, ==, "q35");
    g_assert_cmpstr (d->bus, ==, "sata");
    g_assert_cmpstr (d->controller->id, ==, "ich9-ahci");
    const BootfixDisk *disk = g_ptr_array_index (d->disks, d->boot_disk);
    g_assert_cmpstr (disk->source, ==, "/var/lib/libvirt/images/win7-off.img");
  }
}

/* A disk of type 'volume' gets its path from the pool. */
static void
test_read_volume (void)
{
  g_autoptr (BootfixLibvirt) lv = open_test_host ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d =
    bootfix_libvirt_read_domain (lv, "win7-volume", db, &error);
  g_assert_no_error (error);
  const BootfixDisk *disk = g_ptr_array_index (d->disks, d->boot_disk);
  g_assert_cmpstr (disk->source, ==, "/var/lib/libvirt/pool/win7-vol.img");
  g_assert_cmpstr (disk->pool, ==, "images");
  g_assert_cmpstr (d->controller->id, ==, "piix3-ide");
}

typedef struct {
  const char *guest;
  int code;
  const char *want;
} ReadCase;

static const ReadCase refused_cases[] = {
  { "win7-running", BOOTFIX_ERROR_REFUSED, "guest win7-running is running" },
  { "win7-paused", BOOTFIX_ERROR_REFUSED, "guest win7-paused is paused" },
  { "win7-saved", BOOTFIX_ERROR_REFUSED, "saved memory state" },
  { "no-such-guest", BOOTFIX_ERROR_FAILED, "has no guest no-such-guest" },
  { "00000000-0000-0000-0000-000000000000", BOOTFIX_ERROR_FAILED, "has no guest" },
  { "win7-lost-volume", BOOTFIX_ERROR_FAILED,
    "disk hda: cannot find volume gone.img of storage pool images" },
  { "win7-relative", BOOTFIX_ERROR_INVALID_DOMAIN,
    "has the relative path images/win7-relative.img" },
  /* The domain reader's own refusals name libvirt, not a file. */
  { "not-qemu", BOOTFIX_ERROR_UNSUPPORTED, "not a QEMU/KVM guest" },
};

static void
test_read_refused (void)
{
  g_autoptr (BootfixLibvirt) lv = open_test_host ();
  g_autofree char *uri = test_uri ();
  g_autofree char *at = g_strconcat ("libvirt at ", uri, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (refused_cases); i++) {
    const ReadCase *c = &refused_cases[i];
    g_autoptr (GError) error = NULL;
    g_test_message ("guest %s", c->guest);
    g_autoptr (BootfixDomain) d =
      bootfix_libvirt_read_domain (lv, c->guest, db, &error);
    g_assert_null (d);
    g_assert_error (error, BOOTFIX_ERROR, c->code);
    assert_contains (error->message, c->want);
    assert_contains (error->message, at);
  }
}

static void
test_open_fails (void)
{
  g_autoptr (GError) error = NULL;
  /* A test driver file that does not exist: no connection, and the
   * message names the URI and the way out. */
  g_autoptr (BootfixLibvirt) lv =
    bootfix_libvirt_open ("test:///nonexistent/node.xml", &error);
  g_assert_null (lv);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  assert_contains (error->message, "libvirt at test:///nonexistent/node.xml");
  assert_contains (error->message, "--domain-xml");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  g_test_init (&argc, &argv, NULL);
  path = g_build_filename (bootfix_data_dir (), "controllers.xml", NULL);
  db = bootfix_controller_db_load (path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/libvirt/arg-is-file", test_arg_is_file);
  g_test_add_func ("/libvirt/check-state", test_check_state);
  g_test_add_func ("/libvirt/read-shut-off", test_read_shut_off);
  g_test_add_func ("/libvirt/read-volume", test_read_volume);
  g_test_add_func ("/libvirt/read-refused", test_read_refused);
  g_test_add_func ("/libvirt/open-fails", test_open_fails);
  int ret = g_test_run ();
  bootfix_controller_db_free (db);
  return ret;
}
