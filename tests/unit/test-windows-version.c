/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for windows-version.c: the osinfo ids and the version parse
 * must say what libguestfs 1.48's inspection says, so each row is a
 * case its lib/inspect-osinfo.c decides. */
#include "config.h"

#include <glib.h>

#include "windows-version.h"

static void
test_osinfo (void)
{
  static const struct {
    int major, minor;
    const char *product, *variant, *want;
  } rows[] = {
    { 5, 0, "Microsoft Windows 2000", "unknown", "unknown" },
    { 5, 1, "Microsoft Windows XP", "unknown", "winxp" },
    { 5, 2, "Microsoft Windows XP", "unknown", "winxp" },
    { 5, 2, "Microsoft Windows Server 2003 R2", "unknown", "win2k3r2" },
    { 5, 2, "Microsoft Windows Server 2003", "unknown", "win2k3" },
    { 6, 0, "Windows Vista (TM) Business", "Client", "winvista" },
    { 6, 0, "Windows Server (R) 2008 Standard", "Server", "win2k8" },
    { 6, 1, "Windows 7 Professional", "Client", "win7" },
    { 6, 1, "Windows 7 Professional", "unknown", "win7" },
    { 6, 1, "Windows Server 2008 R2 Standard", "Server", "win2k8r2" },
    { 6, 1, "Windows Server 2008 R2 Core", "Server Core", "win2k8r2" },
    { 6, 2, "Windows 8 Pro", "Client", "win8" },
    { 6, 2, "Windows Server 2012 Standard", "Server", "win2k12" },
    { 6, 3, "Windows 8.1 Pro", "Client", "win8.1" },
    { 6, 3, "Windows Server 2012 R2 Standard", "Server", "win2k12r2" },
    { 6, 4, "Windows 10 Pro Technical Preview", "Client", "unknown" },
    { 10, 0, "Windows 10 Pro", "Client", "win10" },
    /* 1.48 does not tell Windows 11 (build >= 22000) from 10. */
    { 10, 0, "Windows 10 Pro", "Client", "win10" },
    { 10, 0, "Windows Server 2016 Standard", "Server", "win2k16" },
    { 10, 0, "Windows Server 2019 Standard", "Server", "win2k19" },
    { 10, 0, "Windows Server 2022 Datacenter", "Server", "win2k22" },
    /* The variant decides, not the name. */
    { 10, 0, "Windows Server 2019 Standard", "Client", "win10" },
    { 10, 1, "Windows 10 Pro", "Client", "unknown" },
    { 0, 0, "unknown", "unknown", "unknown" },
    { -1, 0, "unknown", "unknown", "unknown" },
    { 6, -1, "x", "Server", "unknown" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_test_message ("row %u: %d.%d %s / %s", i, rows[i].major, rows[i].minor,
                    rows[i].product, rows[i].variant);
    g_assert_cmpstr (bootfix_windows_osinfo (rows[i].major, rows[i].minor,
                                             rows[i].product, rows[i].variant),
                     ==, rows[i].want);
  }
}

static void
test_parse_version (void)
{
  static const struct {
    const char *text;
    gboolean ok;
    int major, minor;
  } rows[] = {
    { "6.1", TRUE, 6, 1 },
    { "5.2", TRUE, 5, 2 },
    { "10.0", TRUE, 10, 0 },
    { "6", TRUE, 6, 0 },
    { "v6.3 build", TRUE, 6, 3 },
    { "7 then 6.1", TRUE, 6, 1 },   /* N.M anywhere beats a lone N */
    { "6. 1", TRUE, 6, 0 },
    { ".5", TRUE, 5, 0 },
    { "", FALSE, 0, 0 },
    { "six", FALSE, 0, 0 },
    { "99999999999.1", FALSE, 0, 0 },
    { "1.99999999999", FALSE, 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    int major = -7, minor = -7;
    g_test_message ("row %u: '%s'", i, rows[i].text);
    g_assert_cmpint (bootfix_windows_parse_version (rows[i].text, &major, &minor),
                     ==, rows[i].ok);
    g_assert_cmpint (major, ==, rows[i].major);
    g_assert_cmpint (minor, ==, rows[i].minor);
  }
}

static void
test_dword (void)
{
  static const guint8 le[] = { 0x0a, 0, 0, 0 }, ff[] = { 0xff, 0xff, 0xff, 0xff };
  gint32 v = 0;
  g_assert_true (bootfix_windows_dword (BOOTFIX_REG_DWORD, le, 4, &v));
  g_assert_cmpint (v, ==, 10);
  g_assert_true (bootfix_windows_dword (BOOTFIX_REG_DWORD_BIG_ENDIAN, le, 4, &v));
  g_assert_cmpint (v, ==, 0x0a000000);
  g_assert_true (bootfix_windows_dword (BOOTFIX_REG_DWORD, ff, 4, &v));
  g_assert_cmpint (v, ==, -1);
  g_assert_false (bootfix_windows_dword (BOOTFIX_REG_DWORD, le, 3, &v));
  g_assert_false (bootfix_windows_dword (BOOTFIX_REG_DWORD, le, 0, &v));
  g_assert_false (bootfix_windows_dword (1 /* REG_SZ */, le, 4, &v));
  g_assert_false (bootfix_windows_dword (11 /* REG_QWORD */, le, 4, &v));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/windows-version/osinfo", test_osinfo);
  g_test_add_func ("/windows-version/parse-version", test_parse_version);
  g_test_add_func ("/windows-version/dword", test_dword);
  return g_test_run ();
}
