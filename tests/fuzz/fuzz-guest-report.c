/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for a guest's report read back from JSON text, as
 * the batch parent reads a worker's (src/pipeline/json-text.c,
 * report-read.c).  What reads back must write out as an object that
 * reads back to itself: one round trip reaches a fixed point. */
#include "config.h"

#include "fuzz-common.h"
#include "bootfix-error.h"
#include "json-text.h"
#include "report.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_DEPTH 16

/* Report -> JSON text -> report -> JSON text. */
static char *
through_text (const BootfixGuestReport *r, char **again)
{
  g_autoptr (JsonNode) node = bootfix_report_guest_to_json (r);
  char *text = json_to_string (node, FALSE);
  GError *error = NULL;
  g_autoptr (JsonNode) parsed =
    bootfix_json_parse_hostile (text, strlen (text), MAX_DEPTH, &error);
  CHECK (parsed != NULL);
  g_autoptr (BootfixGuestReport) back = bootfix_report_guest_from_json (parsed, &error);
  CHECK (back != NULL);
  g_autoptr (JsonNode) node2 = bootfix_report_guest_to_json (back);
  *again = json_to_string (node2, FALSE);
  return text;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (JsonNode) node =
    bootfix_json_parse_hostile ((const char *) data, size, MAX_DEPTH, &error);
  if (node == NULL) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED));
    g_error_free (error);
    return 0;
  }
  g_autoptr (BootfixGuestReport) r = bootfix_report_guest_from_json (node, &error);
  if (r == NULL) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED));
    fuzz_touch_text (error->message);
    g_error_free (error);
    return 0;
  }
  CHECK (r->seconds >= 0);
  g_autofree char *again = NULL;
  g_autofree char *first = through_text (r, &again);
  CHECK (strcmp (first, again) == 0);
  return 0;
}
