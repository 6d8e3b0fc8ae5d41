/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a libvirt domain XML, resolved
 * against the real data/controllers.xml.  Besides memory errors
 * (ASan/UBSan) it checks the reader's promises: a result is complete
 * and consistent, a failure names the domain (never our data) in a
 * UTF-8 message, and GLib criticals do not happen.  A disk's declared
 * <backingStore> chain is at most BOOTFIX_MAX_CHAIN_DEPTH deep, of
 * absolute paths with a format.  A domain that reads is also rewritten
 * as --output does (domain-xml.c), each disk backed by its old source
 * and declared chain, and the rewrite must read back with its disks on
 * the new images and those chains. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "controllers.h"
#include "domain.h"
#include "domain-xml.h"
#include "xml-util.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Loaded once; lives until exit (reachable, so not a leak). */
static BootfixControllerDb *db;

/* A broken promise is a bug like any crash: stop where libFuzzer
 * saves the input. */
/* controllers.xml, in order: $BOOTFIX_DATADIR, the source tree this
 * binary was configured from, then ../../../data from the binary (a
 * build dir at the top of a moved source tree). */
static char *
find_controllers_xml (const char *argv0)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("BOOTFIX_DATADIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && env[0] != '\0')
    g_ptr_array_add (dirs, g_strdup (env));
  g_ptr_array_add (dirs, g_strdup (BOOTFIX_SOURCE_DATADIR));
  if (exe == NULL && argv0 != NULL)
    exe = g_canonicalize_filename (argv0, NULL);
  if (exe != NULL) {
    g_autofree char *bindir = g_path_get_dirname (exe);
    g_ptr_array_add (dirs, g_build_filename (bindir, "..", "..", "..", "data",
                                             NULL));
  }
  for (guint i = 0; i < dirs->len; i++) {
    char *path = g_build_filename (dirs->pdata[i], "controllers.xml", NULL);
    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      return path;
    g_free (path);
  }
  fprintf (stderr, "fuzz-domain: cannot find controllers.xml (looked in "
           "$BOOTFIX_DATADIR, %s and next to the binary); set "
           "BOOTFIX_DATADIR to the source tree's data/ folder\n",
           BOOTFIX_SOURCE_DATADIR);
  return NULL;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = find_controllers_xml (*argc > 0 ? (*argv)[0] : NULL);

  /* A critical is a bug reached from input: make it a crash. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  if (path == NULL)
    exit (1);
  db = bootfix_controller_db_load (path, &error);
  if (db == NULL) {
    fprintf (stderr, "fuzz-domain: %s\n", error->message);
    exit (1);
  }
  return 0;
}

static size_t
touch_domain (const BootfixDomain *d)
{
  size_t n = 0;

  CHECK (d->name != NULL && d->name[0] != '\0');
  CHECK (d->machine != NULL && d->machine_family != NULL);
  CHECK (d->arch != NULL && d->firmware != NULL);
  CHECK (d->bus != NULL && d->controller != NULL);
  CHECK (d->controller->bootable);
  CHECK (d->disks->len > 0 && d->boot_disk < d->disks->len);
  n += fuzz_touch_text (d->name) + fuzz_touch_text (d->machine) + fuzz_touch_text (d->machine_family);
  n += fuzz_touch_text (d->arch) + fuzz_touch_text (d->firmware) + fuzz_touch_text (d->bus);
  n += fuzz_touch_text (d->controller_model);
  n += fuzz_touch_text (d->controller->id) + fuzz_touch_text (d->controller->pci_id);
  for (guint i = 0; i < d->disks->len; i++) {
    const BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    CHECK (disk->target_dev != NULL && disk->bus != NULL);
    CHECK (disk->source_type != NULL);
    CHECK (disk->boot_order >= 0 && disk->controller_index >= 0);
    n += fuzz_touch_text (disk->target_dev) + fuzz_touch_text (disk->bus) + fuzz_touch_text (disk->source);
    n += fuzz_touch_text (disk->source_type) + fuzz_touch_text (disk->format) + fuzz_touch_text (disk->model);
    CHECK (disk->backing != NULL && disk->backing->len <= BOOTFIX_MAX_CHAIN_DEPTH);
    for (guint k = 0; k < disk->backing->len; k++) {
      const BootfixBackingStore *b = g_ptr_array_index (disk->backing, k);
      CHECK (b->path != NULL && g_path_is_absolute (b->path) && b->format != NULL);
      n += fuzz_touch_text (b->path) + fuzz_touch_text (b->format);
    }
  }
  const BootfixDisk *boot = g_ptr_array_index (d->disks, d->boot_disk);
  CHECK (g_str_equal (boot->bus, d->bus));
  for (guint i = 0; i < d->controllers->len; i++) {
    const BootfixDomainController *c = g_ptr_array_index (d->controllers, i);
    CHECK (c->type != NULL && c->index >= 0);
    n += fuzz_touch_text (c->type) + fuzz_touch_text (c->model);
  }
  for (guint i = 0; i < d->warnings->len; i++)
    n += fuzz_touch_text (g_ptr_array_index (d->warnings, i));
  return n;
}

/* What an overlay of disk is backed by, as output.c declares it: its
 * source (or a made-up one), then the chain the domain declared, cut
 * at the depth the reader takes. */
static GPtrArray *
overlay_chain (const BootfixDisk *disk, guint i)
{
  GPtrArray *chain =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_backing_store_free);
  g_autofree char *made_up = g_strdup_printf ("/nonexistent/src/%u.img", i);
  const char *top = disk->source && g_path_is_absolute (disk->source) ? disk->source : made_up;
  g_ptr_array_add (chain, bootfix_backing_store_new (top, disk->format ? disk->format : "raw",
                                                     FALSE));
  for (guint k = 0; k < disk->backing->len && chain->len < BOOTFIX_MAX_CHAIN_DEPTH; k++) {
    const BootfixBackingStore *b = g_ptr_array_index (disk->backing, k);
    g_ptr_array_add (chain, bootfix_backing_store_new (b->path, b->format, b->block));
  }
  return chain;
}

static void
check_chain_read_back (const GPtrArray *got, const GPtrArray *want)
{
  CHECK (got != NULL && got->len == want->len);
  for (guint k = 0; k < want->len; k++) {
    const BootfixBackingStore *a = g_ptr_array_index (got, k);
    const BootfixBackingStore *b = g_ptr_array_index (want, k);
    CHECK (g_str_equal (a->path, b->path) && g_str_equal (a->format, b->format));
    CHECK (a->block == b->block);
  }
}

/* --output's rewrite of a domain that read: it succeeds, and what it
 * writes reads again with the same disks, each on its image, backed by
 * the chain it was given. */
static void
check_rewrite (const BootfixDomain *d)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) chains = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autofree BootfixDiskImage *images = g_new0 (BootfixDiskImage, d->disks->len);
  for (guint i = 0; i < d->disks->len; i++) {
    const BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    g_ptr_array_add (files, g_strdup_printf ("/nonexistent/out/%u.qcow2", i));
    g_ptr_array_add (chains, overlay_chain (disk, i));
    images[i] = (BootfixDiskImage) {
      .target_dev = disk->target_dev, .file = files->pdata[i], .format = "qcow2",
      .backing = chains->pdata[i],
    };
  }
  /* The other firmware, as --output sets it when the disk needs it. */
  const char *other = g_strcmp0 (d->firmware, "efi") == 0 ? "bios" : "efi";
  g_autofree char *xml = bootfix_domain_xml_with_images (d, images, d->disks->len,
                                                        other, &error);
  CHECK (xml != NULL && error == NULL);
  if (strlen (xml) > BOOTFIX_MAX_XML_SIZE)
    return;
  g_autoptr (BootfixDomain) back =
    bootfix_domain_parse (xml, strlen (xml), "rewritten.xml", NULL, db, &error);
  CHECK (back != NULL && back->disks->len == d->disks->len);
  CHECK (g_strcmp0 (back->firmware, other) == 0);
  for (guint i = 0; i < back->disks->len; i++) {
    const BootfixDisk *disk = g_ptr_array_index (back->disks, i);
    CHECK (g_strcmp0 (disk->source, files->pdata[i]) == 0);
    CHECK (g_strcmp0 (disk->format, "qcow2") == 0);
    check_chain_read_back (disk->backing, chains->pdata[i]);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  /* A relative <source file> is resolved against this. */
  g_autoptr (BootfixDomain) d =
    bootfix_domain_parse ((const char *) data, size, "fuzz.xml",
                          "/nonexistent/fuzz", db, &error);

  if (d != NULL) {
    CHECK (error == NULL);
    (void) touch_domain (d);
    check_rewrite (d);
  } else {
    /* Hostile XML is the domain's fault; the CLI maps these codes to
     * "fix the XML" / "not supported", never to "broken install". */
    CHECK (error != NULL && error->domain == BOOTFIX_ERROR);
    CHECK (error->code == BOOTFIX_ERROR_INVALID_DOMAIN ||
           error->code == BOOTFIX_ERROR_UNSUPPORTED);
    (void) fuzz_touch_text (error->message);
  }
  return 0;
}
