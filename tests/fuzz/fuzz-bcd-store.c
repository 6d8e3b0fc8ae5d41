/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a BCD store file.  The input goes
 * to a memfd that hivex opens by its /proc/self/fd path; the store is
 * listed in full (key name, objects, every string element through its
 * typed view, every device element through its codec).
 *
 * hivex itself is not instrumented: its crashes still stop the fuzzer,
 * its out-of-bounds reads do not. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

#include "bcd-store.h"
#include "bootfix-error.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Real stores are 8-64 KiB; more only slows the fuzzer down. */
#define FUZZ_MAX_STORE (1024 * 1024)

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_text (const char *s)
{
  CHECK (s != NULL);
  (void) fuzz_touch_text (s);
}

static void
list_element (const BootfixBcdElement *el)
{
  g_autoptr (GError) error = NULL;

  check_text (bootfix_bcd_format_name (el->format));
  if (el->format == BOOTFIX_BCD_FORMAT_STRING || el->format == BOOTFIX_BCD_FORMAT_OBJECT) {
    g_autofree char *text = bootfix_bcd_element_get_string (el, &error);
    CHECK (text != NULL || error->code == BOOTFIX_ERROR_GUEST);
    if (text != NULL)
      check_text (text);
    return;
  }
  if (el->format != BOOTFIX_BCD_FORMAT_DEVICE)
    return;
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_element_get_device (el, &error);
  if (dev == NULL) {
    CHECK (error != NULL && error->code == BOOTFIX_ERROR_GUEST);
    check_text (error->message);
    return;
  }
  g_autoptr (GBytes) out = bootfix_bcd_device_encode (dev, NULL);
  CHECK (out != NULL && g_bytes_equal (out, el->value));
}

static void
list_store (const BootfixBcdStore *s)
{
  GPtrArray *objects = bootfix_bcd_store_get_objects (s);

  if (bootfix_bcd_store_get_key_name (s) != NULL)
    check_text (bootfix_bcd_store_get_key_name (s));
  CHECK (objects->len <= BOOTFIX_BCD_MAX_OBJECTS);
  for (guint i = 0; i < objects->len; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    check_text (obj->guid);
    check_text (bootfix_bcd_object_kind_name (obj->kind));
    CHECK (bootfix_bcd_store_find_object (s, obj->guid) == obj);
    CHECK (obj->elements->len <= BOOTFIX_BCD_MAX_ELEMENTS);
    for (guint j = 0; j < obj->elements->len; j++) {
      const BootfixBcdElement *el = g_ptr_array_index (obj->elements, j);
      CHECK (g_bytes_get_size (el->value) <= BOOTFIX_BCD_MAX_VALUE_LEN);
      list_element (el);
    }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;

  if (size > FUZZ_MAX_STORE)
    return 0;
  int fd = fuzz_memfd_with ("fuzz-bcd-store", data, size);
  g_autofree char *path = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, &error);
  if (s == NULL) {
    CHECK (error != NULL && error->domain == BOOTFIX_ERROR);
    CHECK (error->code == BOOTFIX_ERROR_GUEST);
    check_text (error->message);
    close (fd);
    return 0;
  }
  list_store (s);
  close (fd);
  return 0;
}
