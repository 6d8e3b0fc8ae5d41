/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* write-reports OUTDIR: the sample reports (report-samples.h) as the
 * program writes them, for the schema test (test-report-schema.py):
 * OUTDIR/reports.json as --json writes it, and OUTDIR/records.jsonl
 * with one --jsonl record per guest, through the same functions as
 * --batch.  The records' identity names OUTDIR/guest.xml and two
 * disks, one that exists and one that does not (its numbers are
 * null). */
#include "config.h"

#include <stdio.h>
#include <glib.h>

#include "batch-record.h"
#include "report.h"
#include "report-samples.h"

static gboolean
write_records (GPtrArray *reports, const char *outdir, GError **error)
{
  g_autofree char *domain = g_build_filename (outdir, "guest.xml", NULL);
  g_autofree char *disk = g_build_filename (outdir, "disk.img", NULL);
  g_autofree char *missing = g_build_filename (outdir, "missing.img", NULL);
  g_autofree char *jsonl = g_build_filename (outdir, "records.jsonl", NULL);
  if (!g_file_set_contents (domain, "<domain/>\n", -1, error) ||
      !g_file_set_contents (disk, "", 0, error))
    return FALSE;
  const char *disks[] = { disk, missing, NULL };
  BootfixBatchEntry entry = { .entry = (char *) "guest.xml", .path = domain,
                              .line = 1 };
  g_autoptr (BootfixJsonl) w = bootfix_jsonl_open (jsonl, error);
  if (w == NULL)
    return FALSE;
  for (guint i = 0; i < reports->len; i++) {
    g_autoptr (JsonNode) record =
      bootfix_batch_record_new (g_ptr_array_index (reports, i), &entry, disks);
    if (!bootfix_jsonl_append (w, record, error))
      return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  if (argc != 2) {
    fprintf (stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  g_autoptr (GPtrArray) reports = sample_reports ();
  g_autofree char *json = g_build_filename (argv[1], "reports.json", NULL);
  g_autoptr (GError) error = NULL;
  if (!bootfix_report_write_json (reports, json, &error) ||
      !write_records (reports, argv[1], &error)) {
    fprintf (stderr, "write-reports: %s\n", error->message);
    return 1;
  }
  return 0;
}
