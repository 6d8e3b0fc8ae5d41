/* The host-side hive editor (hive.c) on good and damaged hives, without
 * an appliance.  The base hive is tests/unit/data/bcd/mini-bcd (ours). */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bootfix-module.h"
#include "hive.h"
#include "plan.h"

#define OBJECT "Objects\\{466f5a88-0af2-4f76-9038-095b170dc21c}\\Description"

static GBytes *
load_base (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("BOOTFIX_TEST_DATA"),
                                            "bcd", "mini-bcd", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static char *
write_temp (const guint8 *data, gsize len)
{
  char *path = NULL;
  int fd = g_file_open_tmp ("test-hive-XXXXXX", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, (const char *) data, len, NULL));
  return path;
}

static BootfixPlan *
plan_with_actions (void)
{
  BootfixPlan *plan = bootfix_plan_new ();
  const guint8 dword[4] = { 0x03, 0x00, 0x20, 0x10 };
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "BCD", OBJECT, "Type",
                    BOOTFIX_REG_DWORD, dword, 4, "test");
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "BCD", "New\\Key", "Name",
                    BOOTFIX_REG_SZ, "wert", 4, "test");
  bootfix_plan_add (plan, BOOTFIX_ACTION_DELETE_VALUE, "BCD", OBJECT, "Type",
                    0, NULL, 0, "test");
  bootfix_plan_add (plan, BOOTFIX_ACTION_DELETE_KEY, "BCD", "New\\Key", NULL,
                    0, NULL, 0, "test");
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "BCD",
                    BOOTFIX_CONTROL_SET "\\Services\\x", "Start",
                    BOOTFIX_REG_DWORD, dword, 4, "test");
  return plan;
}

/* Apply every action in memory, commit, reopen: whatever the hive holds,
 * the result is success or a BOOTFIX_ERROR, never a crash. */
static gboolean
exercise (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "test", TRUE, &error);
  if (hive == NULL) {
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    return FALSE;
  }
  g_autoptr (BootfixPlan) plan = plan_with_actions ();
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  for (guint i = 0; i < plan->actions->len; i++) {
    g_clear_error (&error);
    if (!bootfix_hive_apply (hive, g_ptr_array_index (plan->actions, i), "BCD",
                             TRUE, changes, &error))
      g_assert_true (error->domain == BOOTFIX_ERROR);
  }
  g_autofree char *out = g_strconcat (path, ".out", NULL);
  g_clear_error (&error);
  if (bootfix_hive_commit (hive, out, &error)) {
    g_autoptr (BootfixHive) again = bootfix_hive_open (out, "test", FALSE, &error);
    (void) again;
  }
  g_unlink (out);
  return TRUE;
}

static void
test_good_hive (void)
{
  g_autoptr (GBytes) base = load_base ();
  g_autofree char *path = write_temp (g_bytes_get_data (base, NULL),
                                      g_bytes_get_size (base));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "test", TRUE, &error);
  g_assert_no_error (error);
  g_autoptr (BootfixPlan) plan = plan_with_actions ();
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  /* Set Type, create New\Key with Name, delete Type, delete New\Key. */
  for (guint i = 0; i < 4; i++)
    g_assert_true (bootfix_hive_apply (hive, g_ptr_array_index (plan->actions, i),
                                       "BCD", TRUE, changes, &error));
  g_assert_cmpuint (changes->len, ==, 6);
  const BootfixChange *c = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (c->target, ==, "HKLM\\BCD\\" OBJECT "\\Type");
  g_assert_cmpstr (c->new_value, ==, "270532611");
  /* New did not exist either: it is reported, before New\Key. */
  c = g_ptr_array_index (changes, 1);
  g_assert_cmpstr (c->target, ==, "HKLM\\BCD\\New");
  g_assert_cmpstr (c->new_value, ==, "(new key)");
  c = g_ptr_array_index (changes, 2);
  g_assert_cmpstr (c->target, ==, "HKLM\\BCD\\New\\Key");
  c = g_ptr_array_index (changes, 3);
  g_assert_cmpstr (c->value_name, ==, "Name");
  g_assert_cmpstr (c->new_value, ==, "wert");
  /* No Select\Current in a BCD store: control-set paths fail cleanly. */
  g_assert_false (bootfix_hive_apply (hive, g_ptr_array_index (plan->actions, 4),
                                      "BCD", TRUE, changes, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "Select\\Current"));
  g_unlink (path);
}

/* Truncations and bit flips all over the file. */
static void
test_damaged_hives (void)
{
  g_autoptr (GBytes) base = load_base ();
  gsize len = 0;
  const guint8 *orig = g_bytes_get_data (base, &len);
  g_autofree guint8 *buf = g_memdup2 (orig, len);
  guint tried = 0, opened = 0;
  for (gsize cut = 0; cut < len; cut += 1021, tried++) {
    g_autofree char *path = write_temp (orig, cut);
    opened += exercise (path);
    g_unlink (path);
  }
  GRand *rand = g_rand_new_with_seed (7);
  for (guint i = 0; i < 300; i++, tried++) {
    memcpy (buf, orig, len);
    for (guint k = 0; k < 1 + i % 8; k++) {
      gsize at = g_rand_int_range (rand, 0, (gint32) len);
      buf[at] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
    }
    g_autofree char *path = write_temp (buf, len);
    opened += exercise (path);
    g_unlink (path);
  }
  g_rand_free (rand);
  g_test_message ("%u damaged hives, %u of them opened and edited", tried, opened);
  /* Most bit flips land in data hivex can still open: the edits ran. */
  g_assert_cmpuint (opened, >, tried / 2);
}

/* A copy of a small SYSTEM hive of ours, mangled by fuzz-hive, on
 * which libhivex 1.3.23 aborts (assert in mark_block_unused) while
 * setting a value.  The preflight must report it, not die. */
static GPtrArray *
system_edits (BootfixPlan *plan)
{
  static const guint8 zero[4] = { 0 };
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM",
                    BOOTFIX_CONTROL_SET "\\Services\\intelide", "Start",
                    BOOTFIX_REG_DWORD, zero, 4, "test");
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM", "A\\B\\C", "S",
                    BOOTFIX_REG_SZ, "text", 4, "test");
  return plan->actions;
}

static void
test_preflight (void)
{
  g_autofree char *bad = g_build_filename (g_getenv ("BOOTFIX_TEST_DATA"),
                                           "hive", "hivex-abort", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (bad, &data, &len, NULL));
  g_autofree char *path = write_temp ((const guint8 *) data, len);
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  GPtrArray *actions = system_edits (plan);
  g_autoptr (GError) error = NULL;
  g_assert_false (bootfix_hive_preflight (path, "/Windows/System32/config/SYSTEM",
                                          actions, "SYSTEM", &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "libhivex cannot edit"));
  g_assert_nonnull (strstr (error->message, "/Windows/System32/config/SYSTEM"));
  g_unlink (path);

  /* A sound hive passes, and the preflight leaves no file behind. */
  g_autoptr (GBytes) base = load_base ();
  g_autofree char *good = write_temp (g_bytes_get_data (base, NULL),
                                      g_bytes_get_size (base));
  g_clear_error (&error);
  g_assert_true (bootfix_hive_preflight (good, "good", actions, "SYSTEM", &error));
  g_assert_no_error (error);
  g_autofree char *left = g_strconcat (good, ".preflight", NULL);
  g_assert_false (g_file_test (left, G_FILE_TEST_EXISTS));
  g_unlink (good);
}

/* Hostile shapes: a key with thousands of children is still walked in
 * bounded time, and a path deeper than BOOTFIX_MAX_KEY_DEPTH is refused.
 * (hivex itself refuses to write a value over its cell limit, so the
 * 1 MiB read cap cannot be reached from a hive we make here.) */
#define MANY_KEYS 1500

static void
test_huge (void)
{
  g_autoptr (GBytes) base = load_base ();
  g_autofree char *path = write_temp (g_bytes_get_data (base, NULL),
                                      g_bytes_get_size (base));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  for (guint i = 0; i < MANY_KEYS; i++) {
    g_autofree char *key = g_strdup_printf ("Wide\\k%05u", i);
    bootfix_plan_add (plan, BOOTFIX_ACTION_ENSURE_KEY, "BCD", key, NULL, 0,
                      NULL, 0, "test");
  }
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  {
    g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "test", TRUE, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < plan->actions->len; i++) {
      bootfix_hive_apply (hive, g_ptr_array_index (plan->actions, i), "BCD",
                          TRUE, changes, &error);
      g_assert_no_error (error);
    }
    g_assert_true (bootfix_hive_commit (hive, path, &error));
  }
  /* Wide itself, once, then each child. */
  g_assert_cmpuint (changes->len, ==, MANY_KEYS + 1);

  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "test", FALSE, &error);
  g_assert_no_error (error);
  guint32 type = 0;
  for (guint i = 0; i < MANY_KEYS; i += 7) {
    g_autoptr (GBytes) data = NULL;
    g_autofree char *key = g_strdup_printf ("Wide\\k%05u", i);
    g_assert_cmpint (bootfix_hive_get_value (hive, key, "none", &type, &data,
                                             &error), ==, 0);
    g_assert_no_error (error);
  }
  /* Generous: catches a quadratic walk, not a slow machine. */
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 10.0);

  GString *deep = g_string_new ("D");
  for (guint i = 0; i < BOOTFIX_MAX_KEY_DEPTH + 8; i++)
    g_string_append (deep, "\\d");
  g_autoptr (GBytes) data = NULL;
  g_assert_cmpint (bootfix_hive_get_value (hive, deep->str, "x", &type, &data,
                                           &error), ==, -1);
  g_assert_nonnull (strstr (error->message, "too deep"));
  g_string_free (deep, TRUE);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hive/good", test_good_hive);
  g_test_add_func ("/hive/damaged", test_damaged_hives);
  g_test_add_func ("/hive/preflight", test_preflight);
  g_test_add_func ("/hive/huge", test_huge);
  return g_test_run ();
}
