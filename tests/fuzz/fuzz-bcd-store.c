/* libFuzzer target: arbitrary bytes as a BCD store file.  The input goes
 * to a memfd that hivex opens by its /proc/self/fd path; the store is
 * listed in full (key name, objects, every element through its typed
 * view and readable form, every device element through its codec).
 * A store that opens is then rewritten: its first device element is set
 * to its own value, the hive committed to a second memfd, and the copy
 * must reopen with the same objects and values.
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
  g_autofree char *text = bootfix_bcd_element_to_string (el);

  check_text (text);
  check_text (bootfix_bcd_format_name (el->format));
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

static const BootfixBcdElement *
list_store (const BootfixBcdStore *s, const char **guid)
{
  GPtrArray *objects = bootfix_bcd_store_get_objects (s);
  const BootfixBcdElement *first_device = NULL;

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
      if (first_device == NULL && el->format == BOOTFIX_BCD_FORMAT_DEVICE &&
          el->reg_type == BOOTFIX_REG_BINARY) {
        first_device = el;
        *guid = obj->guid;
      }
    }
  }
  return first_device;
}

static void
check_same (const BootfixBcdStore *a, const BootfixBcdStore *b)
{
  GPtrArray *oa = bootfix_bcd_store_get_objects (a), *ob = bootfix_bcd_store_get_objects (b);

  CHECK (oa->len == ob->len);
  for (guint i = 0; i < oa->len; i++) {
    const BootfixBcdObject *x = g_ptr_array_index (oa, i), *y = g_ptr_array_index (ob, i);
    CHECK (g_str_equal (x->guid, y->guid) && x->type == y->type);
    CHECK (x->elements->len == y->elements->len);
    for (guint j = 0; j < x->elements->len; j++) {
      const BootfixBcdElement *ex = g_ptr_array_index (x->elements, j);
      const BootfixBcdElement *ey = g_ptr_array_index (y->elements, j);
      CHECK (ex->id == ey->id && ex->reg_type == ey->reg_type);
      CHECK (g_bytes_equal (ex->value, ey->value));
    }
  }
}

/* Set a device element to its own bytes, commit, reopen: same store. */
static void
rewrite (BootfixBcdStore *s, const char *guid, const BootfixBcdElement *el)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = g_bytes_ref (el->value);
  int fd = fuzz_memfd_with ("fuzz-bcd-store", NULL, 0);
  g_autofree char *path = g_strdup_printf ("/proc/self/fd/%d", fd);

  if (!bootfix_bcd_store_set_element (s, guid, el->id, value, &error)) {
    /* Only a value that does not parse as a device is refused. */
    CHECK (error->code == BOOTFIX_ERROR_FAILED);
    close (fd);
    return;
  }
  if (bootfix_bcd_store_commit (s, path, &error)) {
    g_autoptr (BootfixBcdStore) back = bootfix_bcd_store_open (path, FALSE, &error);
    CHECK (back != NULL);
    check_same (s, back);
  }
  close (fd);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  const char *guid = NULL;

  if (size > FUZZ_MAX_STORE)
    return 0;
  int fd = fuzz_memfd_with ("fuzz-bcd-store", data, size);
  g_autofree char *path = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, TRUE, &error);
  if (s == NULL) {
    CHECK (error != NULL && error->domain == BOOTFIX_ERROR);
    CHECK (error->code == BOOTFIX_ERROR_GUEST);
    check_text (error->message);
    close (fd);
    return 0;
  }
  const BootfixBcdElement *el = list_store (s, &guid);
  if (el != NULL)
    rewrite (s, guid, el);
  close (fd);
  return 0;
}
