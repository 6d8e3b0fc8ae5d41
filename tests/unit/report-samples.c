/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sample reports of report-samples.h. */
#include "config.h"

#include "plan.h"
#include "report-samples.h"

static void
add_common (BootfixGuestReport *r, const char *disk)
{
  g_ptr_array_add (r->disks, g_strdup (disk));
  r->machine = g_strdup ("pc-q35-8.2");
  r->bus = g_strdup ("sata");
  r->controller = g_strdup ("ich9-ahci");
  r->pci_id = g_strdup ("8086:2922");
  r->seconds = 1.5;
}

BootfixGuestReport *
sample_fixed_report (void)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("win10");
  add_common (r, "images/win10.img");
  r->product = g_strdup (ODD_PRODUCT);
  r->major = 10;
  r->arch = g_strdup ("x86_64");
  r->osinfo = g_strdup ("win10");
  r->accelerator = g_strdup ("tcg");
  r->rule_id = g_strdup ("nt62-ahci");
  r->journal = g_strdup ("images/win10.img.bootfix-journal");
  r->status = BOOTFIX_STATUS_FIXED;
  g_ptr_array_add (r->changes,
                   bootfix_change_new ("registry",
                                       "HKLM\\SYSTEM\\ControlSet001\\Services\\storahci",
                                       ODD_VALUE, "3", "0", "nt62-ahci"));
  g_ptr_array_add (r->changes,
                   bootfix_change_new ("registry",
                                       "HKLM\\SYSTEM\\ControlSet001\\Services\\new",
                                       NULL, NULL, "(key)", "nt62-ahci"));
  g_ptr_array_add (r->changes,
                   bootfix_change_new ("bcd", "\\EFI\\Microsoft\\Boot\\BCD "
                                       "{bootmgr} device", NULL,
                                       "partition {a1b2} on disk {0b6f}",
                                       "partition {2323} on disk {1111}",
                                       "bootchain"));
  g_ptr_array_add (r->hives,
                   bootfix_hive_report_new ("SYSTEM",
                                            "/Windows/System32/config/SYSTEM",
                                            "replayed",
                                            "registry hive SYSTEM was dirty: "
                                            "replayed 2 log entries"));
  g_ptr_array_add (r->changes,
                   bootfix_change_new ("file",
                                       "/Windows/System32/config/SYSTEM.LOG1",
                                       NULL, "8192 bytes", "0 bytes",
                                       "hive written back clean"));
  g_ptr_array_add (r->messages, g_strdup ("leftover \xe2\x80\x9cprl_strg\xe2\x80\x9d"));
  return r;
}

static BootfixGuestReport *
unchanged_report (void)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("xp");
  add_common (r, "/dev/vg0/xp");
  r->product = g_strdup ("Microsoft Windows XP");
  r->major = 5;
  r->minor = 1;
  r->arch = g_strdup ("i386");
  r->osinfo = g_strdup ("winxp");
  r->accelerator = g_strdup ("kvm");
  r->rule_id = g_strdup ("nt51-ahci");
  r->output = g_strdup ("out/xp.xml");
  r->status = BOOTFIX_STATUS_UNCHANGED;
  return r;
}

static BootfixGuestReport *
refused_report (void)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("w2k");
  add_common (r, "w2k.img");
  r->product = g_strdup ("Windows 2000");
  r->major = 5;
  r->status = BOOTFIX_STATUS_REFUSED;
  g_ptr_array_add (r->hives,
                   bootfix_hive_report_new ("SOFTWARE",
                                            "/WINNT/system32/config/software",
                                            "dirty-logs-missing",
                                            "registry hive SOFTWARE is dirty "
                                            "and its logs are missing"));
  g_ptr_array_add (r->messages, g_strdup ("guest w2k: no driver for ich9-ahci"));
  g_ptr_array_add (r->messages, g_strdup ("what to do: choose the ide bus"));
  r->seconds = 0.25;
  return r;
}

static BootfixGuestReport *
error_report (void)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("bad\nname");
  r->status = BOOTFIX_STATUS_ERROR;
  g_ptr_array_add (r->messages, g_strdup ("guest bad: disk image x.img: "
                                          "No such file or directory"));
  g_ptr_array_add (r->messages, g_strdup ("the disk images were not changed"));
  r->seconds = 0;
  return r;
}

BootfixGuestReport *
sample_checked_report (void)
{
  BootfixGuestReport *r = bootfix_guest_report_new ("win7-gpt");
  add_common (r, "win7-gpt.img");
  r->product = g_strdup ("Windows 7 Professional");
  r->major = 6;
  r->minor = 1;
  r->arch = g_strdup ("x86_64");
  r->osinfo = g_strdup ("win7");
  r->accelerator = g_strdup ("tcg");
  r->rule_id = g_strdup ("nt61-ahci");
  r->status = BOOTFIX_STATUS_WOULD_FIX;
  r->checked = TRUE;
  g_ptr_array_add (r->links,
                   bootfix_link_new ("partition-table", BOOTFIX_LINK_STATE_BROKEN,
                                     "/dev/sda is GPT; BIOS boots MBR disks",
                                     "<os firmware='efi'>"));
  g_ptr_array_add (r->links,
                   bootfix_link_new ("default-loader", BOOTFIX_LINK_STATE_FIXABLE,
                                     "{default} names disk 0x1A2B3C4D",
                                     "points it at /dev/sda2"));
  g_ptr_array_add (r->links,
                   bootfix_link_new ("storage-driver-file", BOOTFIX_LINK_STATE_OK,
                                     "msahci.sys \xe2\x9c\x93", NULL));
  g_ptr_array_add (r->changes,
                   bootfix_change_new ("bcd", "\\Boot\\BCD {default} device",
                                       NULL, "disk 0x1A2B3C4D @ 1048576",
                                       "disk 0x7A1F000A @ 1048576", "bootchain"));
  r->seconds = 3;
  return r;
}

GPtrArray *
sample_reports (void)
{
  GPtrArray *all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_report_free);
  g_ptr_array_add (all, sample_fixed_report ());
  g_ptr_array_add (all, unchanged_report ());
  g_ptr_array_add (all, refused_report ());
  g_ptr_array_add (all, error_report ());
  g_ptr_array_add (all, sample_checked_report ());
  return all;
}
