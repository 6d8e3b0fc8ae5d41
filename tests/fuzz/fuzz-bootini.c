/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for boot.ini (bootini.c).  Where the input parses,
 * each ARC device it names (the default and up to MAX_DEVICES entries)
 * is rewritten to another device, of the same kind and of another
 * kind: the result must parse, keep its line and entry count, point
 * exactly the matching lines at the new device and leave every other
 * line byte-identical. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bootini.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Rewrites per input: enough to cover the shapes, cheap per run. */
#define MAX_DEVICES 4

/* Line i (0-based) of buf: split at LF. */
static GPtrArray *
split_lines (const guint8 *buf, gsize size)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize start = 0;
  for (gsize i = 0; i <= size; i++) {
    if (i == size || buf[i] == '\n') {
      g_ptr_array_add (lines, g_bytes_new (buf + start, i - start));
      start = i + 1;
    }
  }
  return lines;
}

/* A default= line: the parse reports only the first, rewrites change
 * them all. */
static gboolean
is_default_line (GBytes *line)
{
  gsize size = 0;
  const char *text = g_bytes_get_data (line, &size);
  gsize i = 0;
  while (i < size && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
    i++;
  return size - i >= 7 && g_ascii_strncasecmp (text + i, "default", 7) == 0;
}

static gboolean
arc_names (const BootfixBootIni *ini, guint line, const BootfixArcPath *dev)
{
  if (ini->default_is_arc && ini->default_line == line &&
      bootfix_arc_path_same_device (&ini->default_arc, dev))
    return TRUE;
  for (guint i = 0; i < ini->entries->len; i++) {
    const BootfixBootIniEntry *e = g_ptr_array_index (ini->entries, i);
    if (e->line == line && e->is_arc && bootfix_arc_path_same_device (&e->arc, dev))
      return TRUE;
  }
  return FALSE;
}

static void
check_rewrite (const uint8_t *data, size_t size, const BootfixBootIni *ini,
               const BootfixArcPath *old_dev, const BootfixArcPath *new_dev)
{
  gsize out_size = 0;
  guint n = 0;
  GError *error = NULL;
  g_autofree guint8 *out = bootfix_bootini_rewrite (data, size, old_dev, new_dev,
                                                    &out_size, &n, &error);
  g_autoptr (BootfixBootIni) again = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;

  if (out == NULL) {
    /* Only growth past the size cap may refuse a file that parsed. */
    g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED));
    g_error_free (error);
    return;
  }
  g_assert (n >= 1 || bootfix_arc_path_same_device (old_dev, new_dev));
  again = bootfix_bootini_parse (out, out_size, NULL);
  g_assert (again != NULL);
  g_assert (again->n_lines == ini->n_lines && again->entries->len == ini->entries->len);
  before = split_lines (data, size);
  after = split_lines (out, out_size);
  g_assert (before->len == after->len);
  for (guint i = 0; i < before->len; i++) {
    gboolean same = g_bytes_equal (g_ptr_array_index (before, i),
                                   g_ptr_array_index (after, i));
    /* Lines are 1-based in the parse results. */
    g_assert (same || arc_names (ini, i + 1, old_dev) ||
              is_default_line (g_ptr_array_index (before, i)));
    if (arc_names (ini, i + 1, old_dev))
      g_assert (arc_names (again, i + 1, new_dev));
  }
}

static void
check_device (const uint8_t *data, size_t size, const BootfixBootIni *ini,
              const BootfixArcPath *dev)
{
  BootfixArcPath same = *dev, other = { 0 };

  same.path = NULL;
  same.rdisk = (dev->rdisk + 1) % (BOOTFIX_MAX_ARC_NUMBER + 1);
  same.partition = (dev->partition * 7 + 3) % (BOOTFIX_MAX_ARC_NUMBER + 1);
  check_rewrite (data, size, ini, dev, &same);
  other.kind = dev->kind == BOOTFIX_ARC_MULTI ? BOOTFIX_ARC_SIGNATURE : BOOTFIX_ARC_MULTI;
  other.signature = other.kind == BOOTFIX_ARC_SIGNATURE ? 0xdeadbeef : 0;
  other.partition = dev->partition;
  check_rewrite (data, size, ini, dev, &other);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (BootfixBootIni) ini = bootfix_bootini_parse (data, size, &error);
  guint tried = 0;

  if (ini == NULL) {
    g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    g_assert (g_utf8_validate (error->message, -1, NULL));
    g_error_free (error);
    return 0;
  }
  for (guint i = 0; i < ini->warnings->len; i++)
    g_assert (g_utf8_validate (g_ptr_array_index (ini->warnings, i), -1, NULL));
  if (ini->default_is_arc) {
    check_device (data, size, ini, &ini->default_arc);
    tried++;
  }
  for (guint i = 0; i < ini->entries->len && tried < MAX_DEVICES; i++) {
    const BootfixBootIniEntry *e = g_ptr_array_index (ini->entries, i);
    g_assert (e->switches != NULL && g_utf8_validate (e->key, -1, NULL));
    if (e->is_arc) {
      check_device (data, size, ini, &e->arc);
      tried++;
    }
  }
  return 0;
}
