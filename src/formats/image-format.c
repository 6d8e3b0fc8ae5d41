/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image format names, the probe behind --format auto, and the check of
 * file names read from image headers.  Magic numbers:
 * docs/image-formats.md, "Telling formats apart". */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "image-format.h"

static const char *const handled[] = { "raw", "qcow2", "vmdk", "vpc", "vhdx" };

gboolean
bootfix_image_format_handled (const char *format)
{
  for (guint i = 0; format && i < G_N_ELEMENTS (handled); i++)
    if (g_str_equal (format, handled[i]))
      return TRUE;
  return FALSE;
}

static gboolean
starts_with (const guint8 *buf, gsize len, const char *magic, gsize magic_len)
{
  return len >= magic_len && memcmp (buf, magic, magic_len) == 0;
}

#define QCOW_MAGIC "QFI\xfb"
#define QCOW_OFF_VERSION 4
#define VDI_OFF_SIGNATURE 0x40
#define VDI_SIGNATURE 0xbeda107fu
/* How a text VMDK descriptor begins (qemu looks for no magic; VMware
 * and qemu-img both write this line first). */
#define VMDK_TEXT_START "# Disk DescriptorFile"

const char *
bootfix_image_format_probe (const guint8 *head, gsize head_len,
                            const guint8 *tail, gsize tail_len)
{
  guint32 v = 0;
  if (starts_with (head, head_len, QCOW_MAGIC, 4))
    return bootfix_read_be32 (head, head_len, QCOW_OFF_VERSION, &v) && v >= 2
           ? "qcow2" : "qcow";
  if (starts_with (head, head_len, "vhdxfile", 8))
    return "vhdx";
  if (starts_with (head, head_len, "conectix", 8) ||
      starts_with (tail, tail_len, "conectix", 8))
    return "vpc";
  if (starts_with (head, head_len, "KDMV", 4) ||
      starts_with (head, head_len, "COWD", 4) ||
      starts_with (head, head_len, VMDK_TEXT_START, strlen (VMDK_TEXT_START)))
    return "vmdk";
  if (starts_with (head, head_len, "QED\0", 4))
    return "qed";
  if (starts_with (head, head_len, "LUKS\xba\xbe", 6))
    return "luks";
  if (bootfix_read_le32 (head, head_len, VDI_OFF_SIGNATURE, &v) && v == VDI_SIGNATURE)
    return "vdi";
  return "raw";
}

char *
bootfix_image_reference_dup (const guint8 *bytes, gsize len, const char *what,
                             GError **error)
{
  if (len == 0 || len > BOOTFIX_IMAGE_MAX_REFERENCE) {
    bootfix_guest_error (error, _("the %s name is empty or longer than %d bytes"),
                         what, BOOTFIX_IMAGE_MAX_REFERENCE);
    return NULL;
  }
  g_autofree char *s = g_strndup ((const char *) bytes, len);
  if (strlen (s) != len || !g_utf8_validate (s, (gssize) len, NULL)) {
    bootfix_guest_error (error, _("the %s name holds a NUL byte or is not UTF-8"), what);
    return NULL;
  }
  for (const char *p = s; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_iscntrl (c)) {
      g_autofree char *shown = bootfix_quote_guest_text (s, 200);
      bootfix_guest_error (error, _("the %s name \"%s\" holds a control character"),
                           what, shown);
      return NULL;
    }
  }
  return g_steal_pointer (&s);
}
