/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-side hive editor (hive.c) on good and damaged hives, without
 * an appliance.  The base hive is tests/unit/data/bcd/mini-bcd (ours). */
#include "config.h"

#include <string.h>
#include <hivex.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bootfix-module.h"
#include "hive-files.h"
#include "hive.h"
#include "plan.h"

#define OBJECT "Objects\\{466f5a88-0af2-4f76-9038-095b170dc21c}\\Description"

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
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autofree char *path = test_temp_file (g_bytes_get_data (base, NULL),
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
  g_autoptr (GBytes) base = test_mini_bcd ();
  gsize len = 0;
  const guint8 *orig = g_bytes_get_data (base, &len);
  g_autofree guint8 *buf = g_memdup2 (orig, len);
  guint tried = 0, opened = 0;
  for (gsize cut = 0; cut < len; cut += 1021, tried++) {
    g_autofree char *path = test_temp_file (orig, cut);
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
    g_autofree char *path = test_temp_file (buf, len);
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
  g_autofree char *path = test_temp_file ((const guint8 *) data, len);
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
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autofree char *good = test_temp_file (g_bytes_get_data (base, NULL),
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
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autofree char *path = test_temp_file (g_bytes_get_data (base, NULL),
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

/* ---- text across the ABI: UTF-8 for the module, UTF-16LE in the hive ---- */

typedef struct {
  const char *what;
  guint32 stored_type;     /* as the hive holds it */
  const char *stored;      /* raw bytes */
  gsize stored_len;
  guint32 abi_type;        /* as a module reads it */
  const char *abi;
  gsize abi_len;
} TextCase;

#define BYTES(s) s, sizeof (s) - 1

static const TextCase text_cases[] = {
  { "sz", BOOTFIX_REG_SZ, BYTES ("a\0b\0\0\0"), BOOTFIX_REG_SZ, BYTES ("ab") },
  { "sz without terminator", BOOTFIX_REG_SZ, BYTES ("a\0b\0"),
    BOOTFIX_REG_SZ, BYTES ("ab") },
  { "multi-sz", BOOTFIX_REG_MULTI_SZ, BYTES ("a\0\0\0b\0c\0\0\0\0\0"),
    BOOTFIX_REG_MULTI_SZ, BYTES ("a\0bc\0\0") },
  { "multi-sz empty list", BOOTFIX_REG_MULTI_SZ, BYTES ("\0\0"),
    BOOTFIX_REG_MULTI_SZ, BYTES ("\0") },
  { "multi-sz empty entry kept", BOOTFIX_REG_MULTI_SZ,
    BYTES ("a\0\0\0\0\0b\0\0\0\0\0"), BOOTFIX_REG_MULTI_SZ,
    BYTES ("a\0\0b\0\0") },
  { "multi-sz no terminator", BOOTFIX_REG_MULTI_SZ, BYTES ("a\0\0\0x\0"),
    BOOTFIX_REG_MULTI_SZ, BYTES ("a\0x") },
  { "multi-sz japanese", BOOTFIX_REG_MULTI_SZ, BYTES ("\xe5\x65\x2c\x67\0\0\0\0"),
    BOOTFIX_REG_MULTI_SZ, BYTES ("\xe6\x97\xa5\xe6\x9c\xac\0\0") },
  { "multi-sz odd length", BOOTFIX_REG_MULTI_SZ, BYTES ("u\0p\0\0\0\0"),
    BOOTFIX_REG_BINARY, BYTES ("u\0p\0\0\0\0") },
  { "multi-sz lone surrogate", BOOTFIX_REG_MULTI_SZ, BYTES ("\x00\xd8\0\0\0\0"),
    BOOTFIX_REG_BINARY, BYTES ("\x00\xd8\0\0\0\0") },
  { "sz lone surrogate", BOOTFIX_REG_SZ, BYTES ("\x00\xdc\0\0"),
    BOOTFIX_REG_BINARY, BYTES ("\x00\xdc\0\0") },
};

/* A copy of the base hive with one raw value under Texts. */
static char *
hive_with_raw (const TextCase *c)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  char *path = test_temp_file (g_bytes_get_data (base, NULL), g_bytes_get_size (base));
  hive_h *h = hivex_open (path, HIVEX_OPEN_WRITE);
  g_assert_nonnull (h);
  hive_node_h key = hivex_node_add_child (h, hivex_root (h), "Texts");
  g_assert_cmpuint (key, !=, 0);
  hive_set_value v = { .key = (char *) "v", .t = c->stored_type,
                       .len = c->stored_len, .value = (char *) c->stored };
  g_assert_cmpint (hivex_node_set_value (h, key, &v, 0), ==, 0);
  g_assert_cmpint (hivex_commit (h, NULL, 0), ==, 0);
  g_assert_cmpint (hivex_close (h), ==, 0);
  return path;
}

static void
assert_bytes (GBytes *got, const char *want, gsize want_len, const char *what)
{
  gsize len = 0;
  const char *p = g_bytes_get_data (got, &len);
  if (len != want_len || memcmp (p, want, len) != 0)
    g_error ("%s: got %zu bytes, want %zu", what, len, want_len);
}

/* Read: the module's form.  Write back what was read: the same bytes
 * land in the hive (nothing changes), except for text that was not
 * UTF-16 at all. */
static void
test_text_values (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (text_cases); i++) {
    const TextCase *c = &text_cases[i];
    g_autofree char *path = hive_with_raw (c);
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "t", TRUE, &error);
    g_assert_no_error (error);
    guint32 type = 0;
    g_autoptr (GBytes) got = NULL;
    g_assert_cmpint (bootfix_hive_get_value (hive, "Texts", "v", &type, &got,
                                             &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpuint (type, ==, c->abi_type);
    assert_bytes (got, c->abi, c->abi_len, c->what);
    if (c->abi_type == c->stored_type && c->stored_type == BOOTFIX_REG_MULTI_SZ) {
      g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
      bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "T", "Texts", "v", type,
                        c->abi, c->abi_len, "test");
      g_autoptr (GPtrArray) changes =
        g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
      g_assert_true (bootfix_hive_apply (hive, plan->actions->pdata[0], "T",
                                         TRUE, changes, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (changes->len, ==, 0);
    }
    g_unlink (path);
  }
}

/* A module's list becomes UTF-16LE with one NUL unit per NUL byte, and
 * reads back as it was written; the report shows it as "a; b". */
static void
test_multi_sz_write (void)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autofree char *path = test_temp_file (g_bytes_get_data (base, NULL),
                                      g_bytes_get_size (base));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "t", TRUE, &error);
  g_assert_no_error (error);
  static const char list[] = "x\xc3\xa9\0y\0\0";
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "T", "L", "v",
                    BOOTFIX_REG_MULTI_SZ, list, sizeof list - 1, "test");
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  g_assert_true (bootfix_hive_apply (hive, plan->actions->pdata[0], "T", TRUE,
                                     changes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2); /* the key, then the value */
  const BootfixChange *c = changes->pdata[1];
  g_assert_cmpstr (c->new_value, ==, "x\xc3\xa9; y");
  g_autofree char *out = g_strconcat (path, ".out", NULL);
  g_assert_true (bootfix_hive_commit (hive, out, &error));
  hive_h *h = hivex_open (out, 0);
  g_assert_nonnull (h);
  hive_node_h key = hivex_node_get_child (h, hivex_root (h), "L");
  hive_value_h v = hivex_node_get_value (h, key, "v");
  hive_type t = 0;
  size_t len = 0;
  g_autofree char *raw = hivex_value_value (h, v, &t, &len);
  g_assert_cmpint (t, ==, hive_t_REG_MULTI_SZ);
  static const char want[] = "x\0\xe9\0\0\0y\0\0\0\0\0";
  g_assert_cmpmem (raw, len, want, sizeof want - 1);
  hivex_close (h);
  g_unlink (out);
  g_unlink (path);
}

/* Subkeys as names, the root as "", absent keys as 0. */
static void
test_list_subkeys (void)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autofree char *path = test_temp_file (g_bytes_get_data (base, NULL),
                                      g_bytes_get_size (base));
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "t", FALSE, &error);
  g_assert_no_error (error);
  g_auto (GStrv) root = NULL;
  g_assert_cmpint (bootfix_hive_list_subkeys (hive, "", &root, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) root, "Objects"));
  g_assert_true (g_strv_contains ((const char *const *) root, "Description"));
  g_auto (GStrv) none = NULL;
  g_assert_cmpint (bootfix_hive_list_subkeys (hive, "No\\Such", &none, &error),
                   ==, 0);
  g_assert_no_error (error);
  g_assert_null (none);
  g_auto (GStrv) leaf = NULL;
  g_assert_cmpint (bootfix_hive_list_subkeys (hive, OBJECT, &leaf, &error), ==, 1);
  g_assert_cmpuint (g_strv_length (leaf), ==, 0);
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
  g_test_add_func ("/hive/text-values", test_text_values);
  g_test_add_func ("/hive/multi-sz-write", test_multi_sz_write);
  g_test_add_func ("/hive/list-subkeys", test_list_subkeys);
  return g_test_run ();
}
