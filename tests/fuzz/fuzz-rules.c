/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as one rule file.  When it loads,
 * every rule is read back and a fixed table of guest queries is
 * matched against it.  Rule files come only from the installation, but
 * the loader is the same code a broken package or a typo exercises,
 * and it must refuse, never crash.  Checked besides memory errors:
 * loaded rules are consistent, a match really matches, errors are
 * BOOTFIX_ERROR_INVALID_DATA with a UTF-8 message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "fuzz-common.h"
#include "rules.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Guests the real rules serve, plus unknown facts and versions out of
 * range (those come from a guest's registry). */
static const BootfixRuleQuery queries[] = {
  { 5, 1, "i386", "winxp", "client", "piix3-ide" },
  { 5, 2, "x86_64", "win2k3", "server", "lsi53c895a" },
  { 6, 0, "i386", "winvista", "client", "ich9-ahci" },
  { 6, 1, "x86_64", "win7", "client", "piix4-ide" },
  { 6, 1, "x86_64", "win2k8r2", "server", "virtio-blk" },
  { 6, 3, "x86_64", "win8.1", "client", "ich9-ahci" },
  { 10, 0, "x86_64", "win10", "client", "virtio-scsi" },
  { 10, 0, "X86_64", "WIN10", "Server", "NVME" },
  { 10, 0, NULL, NULL, NULL, NULL },
  { 0, 0, "", "", "", "" },
  { 99, 99, "i386", "win11", "client", "megasas" },
  { -1, 0, "i386", "winxp", "client", "piix3-ide" },
  { 6, -1, "i386", "winxp", "client", "piix3-ide" },
  { 100, 0, "x86_64", "win10", "server", "pvscsi" },
  { G_MAXINT, G_MAXINT, "x86_64", "win10", "server", "pvscsi" },
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A critical is a bug reached from input: make it a crash. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static gboolean
same (const char *want, const char *have)
{
  return want == NULL || (have != NULL && g_ascii_strcasecmp (want, have) == 0);
}

static size_t
touch_rule (const BootfixRule *rule)
{
  size_t n = 0;

  CHECK (rule->id != NULL && rule->id[0] != '\0');
  CHECK (rule->description != NULL);
  CHECK (g_strcmp0 (rule->file, "fuzz.xml") == 0);
  CHECK (rule->nt_min <= rule->nt_max);
  CHECK (rule->items->len > 0);
  n += fuzz_touch_text (rule->id) + fuzz_touch_text (rule->description) + fuzz_touch_text (rule->file);
  n += fuzz_touch_text (rule->arch) + fuzz_touch_text (rule->osinfo) + fuzz_touch_text (rule->variant);
  for (guint i = 0; i < rule->controllers->len; i++)
    n += fuzz_touch_text (g_ptr_array_index (rule->controllers, i));
  for (guint i = 0; i < rule->items->len; i++) {
    const BootfixRuleItem *item = g_ptr_array_index (rule->items, i);
    GHashTableIter iter;
    gpointer key, value;
    CHECK (item->kind != NULL && item->attrs != NULL);
    n += fuzz_touch_text (item->kind);
    g_hash_table_iter_init (&iter, item->attrs);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      CHECK (bootfix_rule_item_attr (item, key) == value);
      n += fuzz_touch_text (key) + fuzz_touch_text (value);
    }
  }
  return n;
}

/* A returned rule must satisfy the query it was returned for. */
static void
check_match (const BootfixRule *rule, const BootfixRuleQuery *q)
{
  int nt = q->major * 100 + q->minor;
  gboolean controller_ok = rule->controllers->len == 0;

  CHECK (nt >= rule->nt_min && nt <= rule->nt_max);
  CHECK (same (rule->arch, q->arch));
  CHECK (same (rule->osinfo, q->osinfo));
  CHECK (same (rule->variant, q->variant));
  for (guint i = 0; i < rule->controllers->len; i++)
    controller_ok |= same (g_ptr_array_index (rule->controllers, i),
                           q->controller);
  CHECK (controller_ok);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs =
    bootfix_rule_set_load_data ((const char *) data, size, "fuzz.xml", &error);

  if (rs == NULL) {
    CHECK (error != NULL && error->domain == BOOTFIX_ERROR);
    CHECK (error->code == BOOTFIX_ERROR_INVALID_DATA);
    (void) fuzz_touch_text (error->message);
    return 0;
  }
  CHECK (error == NULL);
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++)
    (void) touch_rule (bootfix_rule_set_index (rs, i));
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++) {
    g_autoptr (GError) match_error = NULL;
    const BootfixRule *rule =
      bootfix_rule_set_match (rs, &queries[i], &match_error);
    if (rule != NULL) {
      CHECK (match_error == NULL);
      check_match (rule, &queries[i]);
    } else if (match_error != NULL) {
      CHECK (match_error->domain == BOOTFIX_ERROR);
      CHECK (match_error->code == BOOTFIX_ERROR_INVALID_DATA);
      (void) fuzz_touch_text (match_error->message);
    }
  }
  return 0;
}
