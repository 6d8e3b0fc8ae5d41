/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fixed set of guest reports, one of each kind (fixed with every kind
 * of change and a dirty hive, unchanged, refused, error, and a --check
 * with a link of each state), with guest
 * strings as hostile as a guest may make them.  test-report.c compares
 * their --json document with a golden file; write-reports.c writes
 * them as a document and as --jsonl records for the schema test. */
#ifndef REPORT_SAMPLES_H
#define REPORT_SAMPLES_H

#include <glib.h>
#include "report.h"

/* Product name and value name as a hostile guest might have them. */
#define ODD_PRODUCT "Windows\x1b[31m 10 Pr\xc3\xb6 \xe6\x97\xa5\xe6\x9c\xac"
#define ODD_VALUE "Sta\trt\x01\x7f\"\\"

/* The fixed guest alone. */
BootfixGuestReport *sample_fixed_report (void);
/* --check of a guest that will not boot: one link of each state. */
BootfixGuestReport *sample_checked_report (void);
/* All five, in that order (BootfixGuestReport*, freed with the array). */
GPtrArray *sample_reports (void);

#endif
