/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every fuzz target needs: a check that aborts (libFuzzer then
 * saves the input), reading a string whole so that ASan sees a short or
 * dangling one, and an in-memory file for parsers that take a path. */
#ifndef BOOTFIX_FUZZ_COMMON_H
#define BOOTFIX_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

/* __FILE__ names the target. */
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf (stderr, "check failed: %s (%s:%d)\n", #cond, __FILE__,   \
               __LINE__);                                               \
      abort ();                                                         \
    }                                                                   \
  } while (0)

/* Every byte of s, which must be UTF-8 (it may reach a terminal or the
 * JSON report).  NULL is allowed and counts 0. */
static inline size_t
fuzz_touch_text (const char *s)
{
  if (s == NULL)
    return 0;
  if (!g_utf8_validate (s, -1, NULL)) {
    g_autofree char *shown = g_strescape (s, NULL);
    fprintf (stderr, "not UTF-8: \"%s\"\n", shown);
  }
  CHECK (g_utf8_validate (s, -1, NULL));
  return strlen (s);
}

/* An in-memory file holding data, opened read-write. */
static inline int
fuzz_memfd_with (const char *name, const uint8_t *data, size_t size)
{
  int fd = memfd_create (name, MFD_CLOEXEC);
  CHECK (fd >= 0);
  for (size_t done = 0; done < size;) {
    ssize_t n = write (fd, data + done, size - done);
    CHECK (n > 0);
    done += (size_t) n;
  }
  return fd;
}

#endif
