/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt-bootfix conversion-module ABI.
 *
 * This is the only public header.  A module is a shared object that
 * exports exactly one symbol, bootfix_module_init, which returns a
 * pointer to a struct bootfix_module.  BOOTFIX_REGISTER_MODULE defines
 * that symbol and fills in the private fields.
 *
 * ABI rules (the nbdkit plugin model):
 *  - struct bootfix_module and struct bootfix_host start with their own
 *    size and the API version; every other struct that crosses starts
 *    with its size.  Fields are only ever appended.
 *  - Whoever receives a struct copies min(its size, the sender's size)
 *    bytes into a zeroed struct, so a field an older sender does not
 *    know reads as 0 or NULL.  The host does so for the module struct
 *    and for every struct bootfix_edit; a module tests a host field with
 *    BOOTFIX_HOST_HAS, a facts field with BOOTFIX_FACTS_HAS and a
 *    partition field with BOOTFIX_PARTITION_HAS before reading it.
 *  - "since" tags below name the virt-bootfix version whose host first
 *    offers a field; all of them belong to API version 1.
 *  - Only plain C types cross the boundary: fixed-width integers,
 *    UTF-8 const char *, opaque handles.  No GLib or libxml2 types.
 *  - Callbacks return 0 on success and -1 on error, after reporting the
 *    error through host->error().
 *
 * Modules only PLAN.  They read the guest through the host table and
 * describe the wanted end state with host->set_value() and friends.  The
 * host diffs the plan against the guest, journals, writes and reports, so
 * --dry-run, --json and atomic writes work the same for every module.
 */
#ifndef BOOTFIX_MODULE_H
#define BOOTFIX_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOOTFIX_API_VERSION 1

/* Registry value types, numbered as in the Windows registry.  Across
 * this ABI every text is UTF-8, and the host converts to and from the
 * UTF-16LE the registry holds:
 *  - REG_SZ and REG_EXPAND_SZ: the text without a terminator; the host
 *    stores it NUL-terminated.
 *  - REG_MULTI_SZ (since 0.2.0; raw UTF-16LE before): the same shape as
 *    in the registry, in UTF-8: each entry followed by one NUL byte, and
 *    one more NUL at the end ("a\0b\0\0").  Every NUL of the stored
 *    value is kept, so reading a list and writing it back changes no
 *    byte.
 *  - A stored text that is not valid UTF-16LE cannot become UTF-8: the
 *    host hands it over as BOOTFIX_REG_BINARY with its raw bytes, so a
 *    module never takes it for text.
 *  - REG_DWORD: 4 bytes, little-endian.  Other types pass through as
 *    bytes. */
#define BOOTFIX_REG_SZ        1
#define BOOTFIX_REG_EXPAND_SZ 2
#define BOOTFIX_REG_BINARY    3
#define BOOTFIX_REG_DWORD     4
#define BOOTFIX_REG_MULTI_SZ  7

/* Log levels for host->log(). */
#define BOOTFIX_LOG_DEBUG   0
#define BOOTFIX_LOG_INFO    1
#define BOOTFIX_LOG_WARNING 2

/* In a registry path, this prefix stands for "every control set":
 * the host expands it to the one named by SYSTEM\Select\Current and to
 * every other ControlSetNNN present in the hive. */
#define BOOTFIX_CONTROL_SET "CurrentControlSet"

/* What the host knows about the guest and the target hardware.  Strings
 * are never NULL (empty when unknown).  Appended to only: test a field
 * added after 0.1.0 with BOOTFIX_FACTS_HAS.  Since 0.1.0. */
struct bootfix_facts {
  uint64_t _struct_size;
  const char *guest_name;     /* domain name, or the first disk's name */
  const char *os_type;        /* "windows", "linux", … (libguestfs) */
  const char *product_name;   /* "Windows 7 Professional" */
  const char *product_variant;/* "Client" / "Server" */
  const char *arch;           /* "i386", "x86_64" */
  const char *osinfo;         /* "win7", "win2k8r2", … */
  int major_version;
  int minor_version;
  const char *machine;        /* "pc-i440fx-7.2" as written */
  const char *machine_family; /* "i440fx" or "q35" */
  const char *bus;            /* "ide", "sata", "scsi", "virtio", … */
  const char *controller_id;  /* from data/controllers.xml: "piix3-ide" */
  const char *pci_id;         /* "8086:7010" */
  /* "virtio-win" when the user supplied that driver tree (read it with
   * host->read_driver_source), else "".  Since 0.1.0. */
  const char *driver_source;
  /* What the firmware starts the guest with, "bios" or "efi" (when the
   * user did not say, the one the boot disk needs), and which disk it
   * boots: its disk_index in struct bootfix_partition.  Test with
   * BOOTFIX_FACTS_HAS.  Since 0.2.0. */
  const char *firmware;
  int boot_disk;
};

/* A partition of one of the guest's disks, as the host read it from the
 * partition table.  Appended to only.  Since 0.1.0. */
struct bootfix_partition {
  uint64_t _struct_size;
  const char *device;       /* appliance name: "/dev/sda2" */
  const char *disk_device;  /* "/dev/sda" */
  int disk_index;           /* 0-based, in domain order */
  int number;               /* as Linux numbers it: 1-4 primary, 5+ logical */
  int gpt;                  /* 1 on a GPT disk, 0 on MBR */
  uint64_t start;           /* bytes from the start of the disk */
  uint64_t size;            /* bytes */
  uint64_t disk_size;       /* bytes */
  uint32_t sector_size;     /* logical, bytes */
  uint32_t mbr_signature;   /* MBR bytes 0x1B8..0x1BB (GPT disks too) */
  int active;               /* MBR: status 0x80 */
  int arc_number;           /* boot.ini partition(N); 0 when none */
  uint8_t mbr_type;         /* MBR partition type; 0 on GPT */
  uint8_t disk_guid[16];    /* GPT: Windows byte layout; zero on MBR */
  uint8_t partition_guid[16];
  uint8_t type_guid[16];
  const char *fs_type;      /* "ntfs", "vfat", … or "" */
  int windows_root;         /* 1 for the inspected Windows root */
};

/* How a planned byte or file edit is shown to the user: kind is "bcd",
 * "bootsector" or "file"; old_text and new_text are readable
 * ("disk 0x1A2B3C4D @ 1048576").  Set _struct_size to sizeof the struct
 * as the module was built; the host reads the fields it knows of and
 * ignores later ones.  Since 0.1.0. */
struct bootfix_edit {
  uint64_t _struct_size;
  const char *kind;
  const char *target;
  const char *old_text;
  const char *new_text;
  const char *reason;
};

/* One link of the boot chain, as virt-bootfix --check shows it: name
 * is a short stable id ("boot-manager", "storage-driver-file"), detail
 * says what was found, remedy what the user must do (broken) or what
 * the fix will do (fixable); either may be NULL.  Set _struct_size as
 * for struct bootfix_edit.  Since 0.2.0. */
#define BOOTFIX_LINK_OK      0  /* as the next link needs it */
#define BOOTFIX_LINK_FIXABLE 1  /* not yet, but this module's plan fixes it */
#define BOOTFIX_LINK_BROKEN  2  /* and no fix of virt-bootfix can help */

struct bootfix_link {
  uint64_t _struct_size;
  const char *name;
  int state;
  const char *detail;
  const char *remedy;
};

/* One matched rule, seen as a list of items, each a kind ("service",
 * "cdd", "remove-start-override", "driver-file", "refuse") with string
 * attributes.  Generic on purpose: a new attribute in the rule schema
 * needs no ABI change. */
struct bootfix_rule;

/* The host services.  Since 0.1.0 unless a field says otherwise. */
struct bootfix_host {
  uint64_t _struct_size;
  int _api_version;
  const struct bootfix_facts *facts;

  /* Printf-style diagnostics.  error() records the reason the current
   * callback is about to return -1. */
  void (*log) (const struct bootfix_host *h, int level, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
  void (*error) (const struct bootfix_host *h, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

  /* The rule that matches these facts, or NULL when no rule does. */
  const struct bootfix_rule *(*rule) (const struct bootfix_host *h);
  size_t (*rule_n_items) (const struct bootfix_rule *r);
  const char *(*rule_item_kind) (const struct bootfix_rule *r, size_t i);
  /* NULL when the item has no such attribute. */
  const char *(*rule_item_attr) (const struct bootfix_rule *r, size_t i,
                                 const char *attr);
  const char *(*rule_id) (const struct bootfix_rule *r);

  /* Read a registry value of the guest as it is now.  hive is "SYSTEM" or
   * "SOFTWARE"; path uses backslashes and may start with
   * BOOTFIX_CONTROL_SET (read from the current control set).  Returns 1
   * and a malloc'd copy in *data (the module frees it with free(); one
   * NUL byte follows the len bytes, so strings can be used as they are),
   * 0 when the key or value does not exist, -1 on error. */
  int (*get_value) (const struct bootfix_host *h, const char *hive,
                    const char *path, const char *name,
                    uint32_t *type, void **data, size_t *len);
  /* Does the file exist in the guest?  Path relative to the Windows
   * directory (for example "system32\\drivers\\atapi.sys"), matched
   * case-insensitively.  1 yes, 0 no, -1 error. */
  int (*file_exists) (const struct bootfix_host *h, const char *path);

  /* The plan: wanted end state.  The host drops what already holds.
   * reason is shown to the user (usually the rule id). */
  int (*ensure_key) (const struct bootfix_host *h, const char *hive,
                     const char *path, const char *reason);
  int (*set_value) (const struct bootfix_host *h, const char *hive,
                    const char *path, const char *name, uint32_t type,
                    const void *data, size_t len, const char *reason);
  int (*delete_value) (const struct bootfix_host *h, const char *hive,
                       const char *path, const char *name,
                       const char *reason);
  int (*delete_key) (const struct bootfix_host *h, const char *hive,
                     const char *path, const char *reason);
  /* Declare the guest unfixable: nothing at all is changed and the tool
   * exits 3.  advice says what the user can do instead. */
  int (*refuse) (const struct bootfix_host *h, const char *why,
                 const char *advice);

  /* ---- Appended: partitions, files and bytes (test with
   * BOOTFIX_HOST_HAS before calling).  Since 0.1.0. ---- */

  /* Every partition of every disk (not extended containers), in disk
   * and partition order. */
  size_t (*n_partitions) (const struct bootfix_host *h);
  const struct bootfix_partition *(*partition) (const struct bootfix_host *h,
                                                size_t i);
  /* Read a whole file of the filesystem on device (a partition's
   * device); path uses backslashes or slashes from the filesystem's root
   * and is matched case-insensitively.  Files over max_len are an
   * error.  1 and a malloc'd copy (one NUL byte follows), 0 when there
   * is no such file, -1 on error. */
  int (*read_file) (const struct bootfix_host *h, const char *device,
                    const char *path, size_t max_len, void **data,
                    size_t *len);
  /* Read len bytes (at most 1 MiB) at offset of a disk or partition
   * device.  0 or -1. */
  int (*read_device) (const struct bootfix_host *h, const char *device,
                      uint64_t offset, void *buf, size_t len);
  /* Is there a regular file at path (as for read_file)?  1, 0 or -1. */
  int (*path_exists) (const struct bootfix_host *h, const char *device,
                      const char *path);
  /* The value names of a registry key (path as for get_value), as a
   * malloc'd array of malloc'd UTF-8 strings; the module frees each and
   * the array with free().  1, 0 when the key does not exist, -1. */
  int (*list_values) (const struct bootfix_host *h, const char *hive,
                      const char *path, char ***names, size_t *n);
  /* The plan: bytes at offset of a file (patch_file) or of a device
   * (patch_device) must become new_bytes.  old_bytes are what the module
   * read there; the host refuses to write if they changed.  A file
   * patch never changes the file's length. */
  int (*patch_file) (const struct bootfix_host *h,
                     const struct bootfix_edit *edit, const char *device,
                     const char *path, uint64_t offset, const void *old_bytes,
                     const void *new_bytes, size_t len);
  int (*patch_device) (const struct bootfix_host *h,
                       const struct bootfix_edit *edit, const char *device,
                       uint64_t offset, const void *old_bytes,
                       const void *new_bytes, size_t len);
  /* The plan: the file (which exists, with old_data) gets new_data. */
  int (*replace_file) (const struct bootfix_host *h,
                       const struct bootfix_edit *edit, const char *device,
                       const char *path, const void *old_data, size_t old_len,
                       const void *new_data, size_t new_len);

  /* Find file name in the cabinets (*.cab) of folder, a folder under
   * the Windows directory ("Driver Cache\\i386", any case), newest
   * cabinet first: spN.cab by descending N, then driver.cab.  1 with a
   * malloc'd copy in *data and, when source is not NULL, the cabinet
   * it came from (malloc'd, relative to the Windows directory); 0 when
   * no cabinet there has it (or there is no such folder); -1 on error.
   * Damaged cabinets are skipped with a warning. */
  int (*cabinet_extract) (const struct bootfix_host *h, const char *folder,
                          const char *name, void **data, size_t *len,
                          char **source);
  /* The plan: create relpath under the Windows directory (for example
   * "system32\\drivers\\pciide.sys"), which must not exist yet. */
  int (*create_windows_file) (const struct bootfix_host *h,
                              const struct bootfix_edit *edit,
                              const char *relpath, const void *data,
                              size_t len);
  /* Read a file of the driver tree the user supplied (facts
   * driver_source): relpath with '/' or '\\', matched case-insensitively,
   * never leaving the tree.  1 with a malloc'd copy, 0 absent, -1. */
  int (*read_driver_source) (const struct bootfix_host *h,
                             const char *relpath, size_t max_len,
                             void **data, size_t *len);

  /* The names of a registry key's subkeys (path as for get_value; "" is
   * the hive's root), as for list_values.  Since 0.2.0. */
  int (*list_subkeys) (const struct bootfix_host *h, const char *hive,
                       const char *path, char ***names, size_t *n);

  /* From the module's check callback: one link of the boot chain,
   * shown in the order reported.  The host copies what it needs.
   * Since 0.2.0. */
  int (*report_link) (const struct bootfix_host *h,
                      const struct bootfix_link *link);
};

/* Does the struct s (of type struct T, starting with _struct_size) that
 * came across the ABI hold field?  An older sender passes a shorter one. */
#define BOOTFIX_STRUCT_HAS(s, T, field)                                 \
  ((s)->_struct_size >= offsetof (struct T, field) + sizeof ((s)->field))

/* Does this host table have the callback field?  Since 0.1.0. */
#define BOOTFIX_HOST_HAS(h, field)                                      \
  (BOOTFIX_STRUCT_HAS (h, bootfix_host, field) && (h)->field != NULL)
/* Does the facts struct have field?  Since 0.2.0. */
#define BOOTFIX_FACTS_HAS(f, field) BOOTFIX_STRUCT_HAS (f, bootfix_facts, field)
/* Does the partition struct have field?  Since 0.2.0. */
#define BOOTFIX_PARTITION_HAS(p, field)                                 \
  BOOTFIX_STRUCT_HAS (p, bootfix_partition, field)

struct bootfix_module {
  /* Private, filled in by BOOTFIX_REGISTER_MODULE. */
  uint64_t _struct_size;
  int _api_version;

  const char *name;           /* mandatory, [a-z0-9-]+ */
  const char *version;
  const char *description;

  /* Does this guest concern the module?  1 yes, 0 no, -1 error.
   * Mandatory. */
  int (*probe) (const struct bootfix_host *h);
  /* Describe the fix through h->set_value() & co.  Mandatory. */
  int (*plan) (const struct bootfix_host *h);
  /* Optional: check the guest once the host has written the plan into
   * the guest's overlays, before anything reaches its disks.  Reads see
   * the guest as written; anything planned here fails the guest.  -1
   * fails the guest and its disks stay as they were.  Called for each
   * module whose probe claimed the guest, only when the plan changed
   * something and not in a dry run.  Since 0.2.0 (never called
   * before). */
  int (*verify) (const struct bootfix_host *h);
  /* Optional, for virt-bootfix --check: after plan, report each link of
   * the boot chain this module knows through host->report_link(), as
   * the guest is now, saying which ones plan fixes.  Called for each
   * module whose probe claimed the guest, whether plan refused or not;
   * reads see the guest as it is; anything planned here fails the
   * guest.  Since 0.2.0. */
  int (*check) (const struct bootfix_host *h);
};

#define BOOTFIX_MODULE_INIT_SYMBOL "bootfix_module_init"

/* The init symbol must keep its C name in a C++ module too. */
#ifdef __cplusplus
#define BOOTFIX_EXTERN_C extern "C"
#else
#define BOOTFIX_EXTERN_C extern
#endif

#define BOOTFIX_REGISTER_MODULE(module)                                 \
  BOOTFIX_EXTERN_C const struct bootfix_module *bootfix_module_init (void); \
  BOOTFIX_EXTERN_C const struct bootfix_module *                        \
  bootfix_module_init (void)                                            \
  {                                                                     \
    (module)._struct_size = sizeof (module);                            \
    (module)._api_version = BOOTFIX_API_VERSION;                        \
    return &(module);                                                   \
  }

#ifdef __cplusplus
}
#endif

#endif /* BOOTFIX_MODULE_H */
