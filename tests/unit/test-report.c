/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The --json report, byte for byte: bootfix_report_to_json on a fixed
 * set of reports (report-samples.c) against data/report/reports.json,
 * which the schema test also validates (test-report-schema.py).
 * Guest strings carry
 * non-ASCII text and control characters, which must come out escaped and
 * read back unchanged.  After a deliberate change to the output format,
 * regenerate the file with BOOTFIX_TEST_UPDATE_GOLDEN=1 and review the
 * diff.  One guest's object also reads back (bootfix_report_guest_from_json)
 * to the same object, and damaged objects are refused by member. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "json-text.h"
#include "plan.h"
#include "report.h"
#include "report-samples.h"

static char *
golden_path (void)
{
  return g_build_filename (g_getenv ("BOOTFIX_TEST_DATA"), "report",
                           "reports.json", NULL);
}

static char *
golden (void)
{
  g_autofree char *path = golden_path ();
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
test_golden (void)
{
  g_autoptr (GPtrArray) all = sample_reports ();
  g_autofree char *json = bootfix_report_to_json (all);
  if (g_getenv ("BOOTFIX_TEST_UPDATE_GOLDEN")) {
    g_autofree char *path = golden_path ();
    g_assert_true (g_file_set_contents (path, json, -1, NULL));
    g_test_skip ("golden file rewritten");
    return;
  }
  g_autofree char *want = golden ();
  g_assert_cmpstr (json, ==, want);
}

/* The escaped guest strings read back as they were. */
static void
test_round_trip (void)
{
  g_autofree char *want = golden ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, want, -1, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "format"), ==,
                   BOOTFIX_REPORT_FORMAT);
  JsonArray *guests = json_object_get_array_member (root, "guests");
  g_assert_cmpuint (json_array_get_length (guests), ==, 5);
  JsonObject *fixed = json_array_get_object_element (guests, 0);
  JsonObject *os = json_object_get_object_member (fixed, "os");
  g_assert_cmpstr (json_object_get_string_member (os, "product"), ==, ODD_PRODUCT);
  JsonArray *actions = json_object_get_array_member (fixed, "actions");
  JsonObject *first = json_array_get_object_element (actions, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "value"), ==, ODD_VALUE);
  JsonObject *bad = json_array_get_object_element (guests, 3);
  g_assert_cmpstr (json_object_get_string_member (bad, "name"), ==, "bad\nname");
  g_assert_true (json_object_get_null_member (bad, "rule"));
  /* Dirty hives: listed with their state; none for a guest without. */
  JsonArray *hives = json_object_get_array_member (fixed, "hives");
  g_assert_cmpuint (json_array_get_length (hives), ==, 1);
  JsonObject *sys = json_array_get_object_element (hives, 0);
  g_assert_cmpstr (json_object_get_string_member (sys, "name"), ==, "SYSTEM");
  g_assert_cmpstr (json_object_get_string_member (sys, "state"), ==, "replayed");
  JsonObject *refused = json_array_get_object_element (guests, 2);
  hives = json_object_get_array_member (refused, "hives");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (hives, 0), "state"),
                   ==, "dirty-logs-missing");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bad, "hives")), ==, 0);
  /* Only a check has links and a verdict. */
  g_assert_true (json_object_get_null_member (fixed, "check"));
  JsonObject *check = json_object_get_object_member (
    json_array_get_object_element (guests, 4), "check");
  g_assert_cmpstr (json_object_get_string_member (check, "verdict"), ==, "broken");
  JsonArray *links = json_object_get_array_member (check, "links");
  g_assert_cmpuint (json_array_get_length (links), ==, 3);
  JsonObject *ok = json_array_get_object_element (links, 2);
  g_assert_cmpstr (json_object_get_string_member (ok, "state"), ==, "ok");
  g_assert_true (json_object_get_null_member (ok, "remedy"));
  /* No raw control character reaches the file. */
  for (const char *p = want; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
}

typedef void (*Mutation) (GPtrArray *all);

static BootfixGuestReport *
nth (GPtrArray *all, guint i)
{
  return g_ptr_array_index (all, i);
}

static void
mutate_status (GPtrArray *all)
{
  nth (all, 1)->status = BOOTFIX_STATUS_WOULD_FIX;
}

static void
mutate_seconds (GPtrArray *all)
{
  nth (all, 2)->seconds = 0.5;
}

static void
mutate_reason (GPtrArray *all)
{
  BootfixChange *c = g_ptr_array_index (nth (all, 0)->changes, 2);
  g_free (c->reason);
  c->reason = g_strdup ("windows");
}

static void
mutate_minor (GPtrArray *all)
{
  nth (all, 0)->minor = 1;
}

static void
mutate_message (GPtrArray *all)
{
  g_ptr_array_remove_index (nth (all, 3)->messages, 1);
}

static void
mutate_journal (GPtrArray *all)
{
  g_clear_pointer (&nth (all, 0)->journal, g_free);
}

static void
mutate_output (GPtrArray *all)
{
  g_clear_pointer (&nth (all, 1)->output, g_free);
}

static void
mutate_hive_state (GPtrArray *all)
{
  BootfixHiveReport *h = g_ptr_array_index (nth (all, 2)->hives, 0);
  g_free (h->state);
  h->state = g_strdup ("dirty-logs-do-not-apply");
}

static void
mutate_link_state (GPtrArray *all)
{
  BootfixLink *l = g_ptr_array_index (nth (all, 4)->links, 1);
  l->state = BOOTFIX_LINK_STATE_OK;
}

static void
mutate_checked (GPtrArray *all)
{
  nth (all, 1)->checked = TRUE;
}

/* The comparison sees a change of any kind of field: a test that
 * cannot fail would prove nothing. */
static void
test_mutations_fail (void)
{
  static const Mutation mutations[] = {
    mutate_status, mutate_seconds, mutate_reason, mutate_minor,
    mutate_message, mutate_journal, mutate_output, mutate_hive_state,
    mutate_link_state, mutate_checked,
  };
  g_autofree char *want = golden ();
  for (guint i = 0; i < G_N_ELEMENTS (mutations); i++) {
    g_autoptr (GPtrArray) all = sample_reports ();
    mutations[i] (all);
    g_autofree char *json = bootfix_report_to_json (all);
    g_assert_cmpstr (json, !=, want);
  }
}

/* What the batch parent does with a worker's report: the object as
 * text, read back, written again; nothing may change. */
static char *
guest_json_text (const BootfixGuestReport *r)
{
  g_autoptr (JsonNode) node = bootfix_report_guest_to_json (r);
  return json_to_string (node, FALSE);
}

static void
test_guest_round_trip (void)
{
  g_autoptr (GPtrArray) all = sample_reports ();
  for (guint i = 0; i < all->len; i++) {
    g_autofree char *text = guest_json_text (nth (all, i));
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node =
      bootfix_json_parse_hostile (text, strlen (text), 16, &error);
    g_assert_no_error (error);
    g_autoptr (BootfixGuestReport) back =
      bootfix_report_guest_from_json (node, &error);
    g_assert_no_error (error);
    g_assert_nonnull (back);
    g_autofree char *again = guest_json_text (back);
    g_assert_cmpstr (again, ==, text);
  }
}

/* The member at a dotted path ("os.major", "actions.0.kind"): its
 * parent, and the member name or array index. */
static void
replace_at (JsonNode *root, const char *path, const char *json)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *at = root;
  guint n = g_strv_length (parts);
  for (guint i = 0; i + 1 < n; i++)
    at = JSON_NODE_HOLDS_ARRAY (at)
      ? json_array_get_element (json_node_get_array (at), atoi (parts[i]))
      : json_object_get_member (json_node_get_object (at), parts[i]);
  const char *last = parts[n - 1];
  JsonNode *value = json ? json_from_string (json, NULL) : NULL;
  if (JSON_NODE_HOLDS_ARRAY (at)) {
    JsonArray *a = json_node_get_array (at);
    json_array_remove_element (a, atoi (last));
    if (value) /* moved to the end: the message names its index */
      json_array_add_element (a, value);
  } else if (value) {
    json_object_set_member (json_node_get_object (at), last, value);
  } else {
    json_object_remove_member (json_node_get_object (at), last);
  }
}

typedef struct {
  const char *path;
  const char *json;   /* the new value; NULL removes the member */
  const char *named;  /* what the message must name; NULL: accepted */
} BadCase;

static const BadCase bad_cases[] = {
  { "name", "5", "\"name\"" },
  { "name", NULL, "\"name\"" },
  { "disks", "\"a.img\"", "\"disks\"" },
  { "disks.0", "[1]", "\"disks\"" },
  { "disks.0", "null", "\"disks\"" },
  { "os", "[]", "\"os\"" },
  { "os.major", "\"10\"", "\"os.major\"" },
  { "os.major", "1.5", "\"os.major\"" },
  { "os.major", "4294967296", "\"os.major\"" },
  { "os.minor", NULL, "\"os.minor\"" },
  { "os.product", "{}", "\"os.product\"" },
  { "target", NULL, "\"target\"" },
  { "target.bus", "true", "\"target.bus\"" },
  { "accelerator", "[\"tcg\"]", "\"accelerator\"" },
  { "status", "\"done\"", "\"status\"" },
  { "status", "null", "\"status\"" },
  { "status", NULL, "\"status\"" },
  { "actions", "{}", "\"actions\"" },
  { "actions.0", "\"set\"", "\"actions[3]\"" },
  { "actions.0.kind", "3", "\"actions[0].kind\"" },
  { "actions.1.old", NULL, "\"actions[1].old\"" },
  { "hives.0.state", NULL, "\"hives[0].state\"" },
  { "hives", "null", "\"hives\"" },
  { "messages.0", "[null]", "\"messages\"" },
  { "messages", NULL, "\"messages\"" },
  { "seconds", "\"1.5\"", "\"seconds\"" },
  { "seconds", "-1", "\"seconds\"" },
  { "seconds", NULL, "\"seconds\"" },
  /* Accepted: members we do not know, integer seconds, nulls where the
   * writer puts them. */
  { "batch", "{\"entry\": 1}", NULL },
  { "seconds", "2", NULL },
  { "rule", "null", NULL },
  { "actions.0.value", "null", NULL },
};

/* The same, on the check's object. */
static const BadCase bad_check_cases[] = {
  { "check", "[]", "\"check\"" },
  { "check.links", NULL, "\"check.links\"" },
  { "check.links.0", "3", "\"check.links[2]\"" },
  { "check.links.0.state", "\"bad\"", "\"check.links[0].state\"" },
  { "check.links.0.state", NULL, "\"check.links[0].state\"" },
  { "check.links.1.name", "null", "\"check.links[1].name\"" },
  { "check.links.2.remedy", "7", "\"check.links[2].remedy\"" },
  { "check.verdict", "\"ok\"", "\"check.verdict\"" },
  { "check.verdict", "null", "\"check.verdict\"" },
  { "check.verdict", "\"best\"", "\"check.verdict\"" },
  /* A report that is not a check's has no verdict to keep. */
  { "check", "null", NULL },
  { "check.links.0.detail", "null", NULL },
};

static void
run_bad_cases (BootfixGuestReport *good, const BadCase *cases, guint n)
{
  for (guint i = 0; i < n; i++) {
    const BadCase *c = &cases[i];
    g_autoptr (JsonNode) node = bootfix_report_guest_to_json (good);
    g_autoptr (GError) error = NULL;
    replace_at (node, c->path, c->json);
    g_autoptr (BootfixGuestReport) r = bootfix_report_guest_from_json (node, &error);
    if (c->named == NULL) {
      g_assert_no_error (error);
      g_assert_nonnull (r);
      continue;
    }
    g_assert_null (r);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
    if (strstr (error->message, c->named) == NULL)
      g_error ("case %u (%s): \"%s\" does not name %s", i, c->path,
               error->message, c->named);
  }
}

static void
test_guest_bad_objects (void)
{
  g_autoptr (BootfixGuestReport) good = sample_fixed_report ();
  g_autoptr (BootfixGuestReport) checked = sample_checked_report ();
  run_bad_cases (good, bad_cases, G_N_ELEMENTS (bad_cases));
  run_bad_cases (checked, bad_check_cases, G_N_ELEMENTS (bad_check_cases));
}

/* The verdict is the worst link; a check that failed has one only when
 * a link it saw is broken; --check's exit status follows. */
static void
test_verdicts (void)
{
  g_autoptr (GPtrArray) all = sample_reports ();
  BootfixLinkState v;
  g_assert_false (bootfix_report_verdict (nth (all, 0), &v));
  g_assert_true (bootfix_report_verdict (nth (all, 4), &v));
  g_assert_cmpint (v, ==, BOOTFIX_LINK_STATE_BROKEN);
  BootfixGuestReport *r = nth (all, 4);
  g_ptr_array_remove_index (r->links, 0);
  g_assert_true (bootfix_report_verdict (r, &v));
  g_assert_cmpint (v, ==, BOOTFIX_LINK_STATE_FIXABLE);
  r->status = BOOTFIX_STATUS_ERROR;
  g_assert_false (bootfix_report_verdict (r, &v));
  r->status = BOOTFIX_STATUS_WOULD_FIX;

  g_autoptr (GPtrArray) one = g_ptr_array_new ();
  g_ptr_array_add (one, r);
  g_assert_cmpint (bootfix_report_check_exit_code (one), ==, 4);
  g_ptr_array_remove_index (r->links, 0);
  g_assert_cmpint (bootfix_report_check_exit_code (one), ==, 0);
  BootfixGuestReport *broken = sample_checked_report ();
  g_ptr_array_add (all, broken);
  g_ptr_array_add (one, broken);
  g_assert_cmpint (bootfix_report_check_exit_code (one), ==, 3);
  /* A guest not checked at all (its domain did not parse) is an error. */
  g_ptr_array_add (one, nth (all, 3));
  nth (all, 3)->checked = TRUE;
  g_assert_cmpint (bootfix_report_check_exit_code (one), ==, 1);
}

/* Not an object at all. */
static void
test_guest_not_object (void)
{
  static const char *const texts[] = { "[]", "null", "\"win7\"", "3" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    g_autoptr (JsonNode) node = json_from_string (texts[i], NULL);
    g_autoptr (GError) error = NULL;
    g_assert_null (bootfix_report_guest_from_json (node, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  }
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_report_guest_from_json (NULL, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/json/golden", test_golden);
  g_test_add_func ("/report/json/round-trip", test_round_trip);
  g_test_add_func ("/report/json/mutations-fail", test_mutations_fail);
  g_test_add_func ("/report/guest/round-trip", test_guest_round_trip);
  g_test_add_func ("/report/guest/bad-objects", test_guest_bad_objects);
  g_test_add_func ("/report/guest/not-object", test_guest_not_object);
  g_test_add_func ("/report/check/verdicts", test_verdicts);
  return g_test_run ();
}
