/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <registry-value key= [name=] type= value=>: one SYSTEM value written
 * exactly as the rule says (the DriverDatabase entries Windows 8 and
 * later need to bind a boot driver).  Values are text in the rule:
 * multi-sz entries separated by ';', binary as hex digits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry-value.h"

/* A DriverPackages Version blob is 48 bytes; rules hold nothing larger. */
#define MAX_VALUE 4096

static int
hex_digit (char c)
{
  return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int
parse_binary (const char *text, uint8_t *out, size_t *len)
{
  size_t n = strlen (text);
  if (n % 2 != 0 || n / 2 > MAX_VALUE)
    return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hex_digit (text[2 * i]), lo = hex_digit (text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t) (hi << 4 | lo);
  }
  *len = n / 2;
  return 0;
}

/* ';'-separated entries as REG_MULTI_SZ in the ABI's form: each entry
 * followed by a NUL, one more NUL at the end. */
static int
parse_multi_sz (const char *text, uint8_t *out, size_t *len)
{
  size_t n = strlen (text);
  if (n + 2 > MAX_VALUE)
    return -1;
  for (size_t k = 0; k < n; k++)
    out[k] = text[k] == ';' ? '\0' : (uint8_t) text[k];
  out[n] = '\0';
  out[n + 1] = '\0';
  *len = n + 2;
  return 0;
}

int
windows_plan_registry_value (const struct bootfix_host *h,
                             const struct bootfix_rule *r, size_t i,
                             const char *reason)
{
  const char *key = h->rule_item_attr (r, i, "key");
  const char *name = h->rule_item_attr (r, i, "name");
  const char *type = h->rule_item_attr (r, i, "type");
  const char *value = h->rule_item_attr (r, i, "value");
  if (key == NULL || type == NULL || value == NULL) {
    h->error (h, "rule %s: registry-value needs key, type and value", reason);
    return -1;
  }
  if (name == NULL)
    name = ""; /* the key's default value */
  uint8_t buf[MAX_VALUE];
  size_t len = 0;
  uint32_t t;
  int bad = 0;
  if (strcmp (type, "sz") == 0 || strcmp (type, "expand-sz") == 0) {
    t = type[0] == 's' ? BOOTFIX_REG_SZ : BOOTFIX_REG_EXPAND_SZ;
    return h->set_value (h, "SYSTEM", key, name, t, value, strlen (value), reason);
  } else if (strcmp (type, "dword") == 0) {
    char *end = NULL;
    unsigned long v = strtoul (value, &end, 0);
    bad = *value == '\0' || *end != '\0' || v > 0xffffffffUL;
    for (size_t b = 0; b < 4; b++)
      buf[b] = (uint8_t) (v >> (8 * b));
    len = 4;
    t = BOOTFIX_REG_DWORD;
  } else if (strcmp (type, "multi-sz") == 0) {
    bad = parse_multi_sz (value, buf, &len) < 0;
    t = BOOTFIX_REG_MULTI_SZ;
  } else if (strcmp (type, "binary") == 0) {
    bad = parse_binary (value, buf, &len) < 0;
    t = BOOTFIX_REG_BINARY;
  } else {
    bad = 1;
    t = 0;
  }
  if (bad) {
    h->error (h, "rule %s: registry-value %s\\%s: '%s' is not a valid %s",
              reason, key, name, value, type);
    return -1;
  }
  return h->set_value (h, "SYSTEM", key, name, t, buf, len, reason);
}
