#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The command line without an appliance: option mixes that are usage
errors (exit 2), and --print-target, which opens no disk and launches
nothing.

Runs the real program on domains whose disks do not exist (the target is
resolved all the same), on the -a form, and on the 40 domain files the
libvirt project wrote for its own tests
(BOOTFIX_SHARED_DIR/fixtures/libvirt-domains, read in place; the test
exits 77 after the other checks when they are absent)."""

import json
import os
import subprocess
import sys
import tempfile

PROG = os.environ["VIRT_BOOTFIX"]
FAILED = []

# file -> (controller, PCI id, boot disk) or the error's words.  The
# same verdicts as tests/unit/test-domain.c's fixture_cases: the six
# files libvirt rejects fail here too.
FIXTURES = {
    "440fx-ide-address-conflict.xml": "has no <disk device='disk'>",
    "autoindex.xml": ("ich9-ahci", "8086:2922", "sda"),
    "boot-complex.xml": ("virtio-blk", "1af4:1001", "vdb"),
    "boot-dev+order.xml": "libvirt rejects that combination",
    "boot-floppy-q35.xml": "(only cdrom or floppy drives)",
    "boot-network.xml": ("piix3-ide", "8086:7010", "hda"),
    "boot-order.xml": ("virtio-blk", "1af4:1001", "vda"),
    "controller-virtio-scsi.xml": ("virtio-scsi", "1af4:1004", "sda"),
    "disk-boot-disk.xml": ("piix3-ide", "8086:7010", "hda"),
    "disk-cdrom.xml": "(only cdrom or floppy drives)",
    "disk-device-removable.xml": ("piix3-ide", "8086:7010", "hda"),
    "disk-floppy.xml": ("piix3-ide", "8086:7010", "hda"),
    "disk-ide-incompatible-address.xml": "has a PCI <address>",
    "disk-network-iscsi.xml": ("virtio-blk", "1af4:1001", "vda"),
    "disk-network-nbd.xml": ("virtio-blk", "1af4:1001", "vda"),
    "disk-nvme.xml": ("virtio-blk", "1af4:1001", "vda"),
    "disk-sata-device.xml": ("ich9-ahci", "8086:2922", "sda"),
    "disk-sata-incompatible-address.xml": "has a PCI <address>",
    "disk-scsi-device-auto.xml": ("piix3-ide", "8086:7010", "hda"),
    "disk-scsi-disk-split.xml": ("virtio-scsi", "1af4:1004", "sdc"),
    "disk-scsi-disk-vpd.xml": ("lsi53c895a", "1000:0012", "sdb"),
    "disk-scsi-lun-passthrough.xml": "only device='lun'",
    "disk-scsi.xml": ("piix3-ide", "8086:7010", "hda"),
    "disk-source-pool-mode.xml": ("piix3-ide", "8086:7010", "hdc"),
    "disk-source-pool.xml": ("piix3-ide", "8086:7010", "hdd"),
    "disk-target-overflow.xml": "is not a disk name libvirt accepts",
    "disk-usb-device.xml": "is on USB mass storage",
    "disk-usb-pci.xml": "has a PCI <address>",
    "disk-virtio-scsi-reservations.xml": "only device='lun'",
    "disk-virtio.xml": ("piix3-ide", "8086:7010", "hda"),
    "iothreads-virtio-scsi-pci.xml": ("virtio-blk", "1af4:1001", "vdb"),
    "q35-default-devices-only.xml": "has no <disk device='disk'>",
    "q35-virt-manager-basic.xml": ("virtio-blk", "1af4:1001", "vda"),
    "q35.xml": ("ich9-ahci", "8086:2922", "sda"),
    "virtio-non-transitional.xml": ("virtio-blk", "1af4:1042", "vda"),
    "virtio-transitional.xml": ("virtio-blk", "1af4:1001", "vda"),
    "x86_64-default-cpu-kvm-pc-4.2.xml": ("virtio-blk", "1af4:1001", "vda"),
    "x86_64-default-cpu-kvm-q35-4.2.xml": ("virtio-blk", "1af4:1001", "vda"),
    "x86_64-pc-headless.xml": ("virtio-blk", "1af4:1001", "vda"),
    "x86_64-q35-headless.xml": ("virtio-blk", "1af4:1001", "vda"),
}

EFI_DOMAIN = """<domain type='kvm'>
  <name>uefi-guest</name>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{disk}'/>
      <target dev='sda' bus='sata'/>
    </disk>
  </devices>
</domain>
"""


def check(what, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        FAILED.append(what)


def run(*args):
    return subprocess.run([PROG, *args], capture_output=True, text=True)


def targets(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["targets"]


def test_no_disk_opened(tmp):
    """The disks do not exist: nothing may try to open them."""
    missing = os.path.join(tmp, "no-such-disk.img")
    dom = os.path.join(tmp, "uefi.xml")
    with open(dom, "w", encoding="utf-8") as f:
        f.write(EFI_DOMAIN.format(disk=missing))
    out = os.path.join(tmp, "one.json")
    r = run("--print-target", "--domain", dom, "--json", out)
    check("a domain whose disk is missing resolves (exit 0)", r.returncode == 0,
          r.stderr)
    check("the human output names controller and firmware",
          "ich9-ahci [8086:2922]" in r.stdout and "UEFI firmware" in r.stdout,
          r.stdout)
    t = targets(out)
    want = {"source": dom, "name": "uefi-guest", "machine": "pc-q35-7.2",
            "machine_family": "q35", "firmware": "efi", "bus": "sata",
            "controller_model": None, "controller": "ich9-ahci",
            "pci_id": "8086:2922", "warnings": [], "error": None,
            "boot_disk": {"target": "sda", "source": missing, "bus": "sata"}}
    check("--json holds every field", t == [want], json.dumps(t))

    r = run("--print-target", "-a", missing, "--machine", "pc", "--bus",
            "virtio", "--controller-model", "virtio-non-transitional",
            "--json", out)
    t = targets(out)[0]
    check("-a resolves without the disk", r.returncode == 0 and
          t["controller"] == "virtio-blk" and t["pci_id"] == "1af4:1042" and
          t["firmware"] is None and t["boot_disk"]["target"] == "vda",
          r.stderr + json.dumps(t))
    r = run("--print-target", "-a", missing, "--machine", "q35", "--bus",
            "sata", "--firmware", "efi", "--json", out)
    check("-a --firmware efi", targets(out)[0]["firmware"] == "efi", r.stderr)


def test_usage():
    for args in (["--print-target", "--dry-run", "--domain", "x.xml"],
                 ["--print-target", "--check", "--domain", "x.xml"],
                 ["--print-target", "--journal", "/tmp", "--domain", "x.xml"],
                 ["--print-target", "--jsonl", "x", "--batch", "x"],
                 ["--print-target"],
                 ["--firmware", "efi", "--domain", "x.xml"],
                 ["-a", "x.img", "--machine", "pc", "--bus", "ide",
                  "--firmware", "uefi"],
                 # --check changes nothing: no journal, nothing to resume.
                 ["--check", "--journal", "/tmp", "--domain", "x.xml"],
                 ["--check", "--batch", "x", "--resume", "x.jsonl"],
                 ["--undo", "/tmp", "--check"],
                 ["--undo", "/tmp", "--allow-firmware-mismatch"]):
        r = run(*args)
        check("usage error (exit 2): " + " ".join(args), r.returncode == 2,
              f"exit {r.returncode}: {r.stderr}")


def test_attached_jobs():
    """-j4 is read as -j 4, as make users write it; anything else after
    -j is still GOption's to refuse."""
    for args, want in ((["-j4", "--print-target", "--domain", "x.xml"],
                        "--print-target opens no disk"),
                       (["-j", "4", "--print-target", "--domain", "x.xml"],
                        "--print-target opens no disk"),
                       (["-jx", "--domain", "x.xml"], "for -j")):
        r = run(*args)
        check(" ".join(args) + ": " + want, r.returncode == 2 and
              want in r.stderr, f"exit {r.returncode}: {r.stderr}")


def test_fixtures(tmp):
    shared = os.environ.get("BOOTFIX_SHARED_DIR")
    folder = shared and os.path.join(shared, "fixtures", "libvirt-domains")
    if not folder or not os.path.isdir(folder):
        return False
    out = os.path.join(tmp, "fixtures.json")
    r = run("--print-target", "--batch", folder, "--json", out)
    check("the fixtures: exit 1 (libvirt rejects some of them too)",
          r.returncode == 1, f"exit {r.returncode}")
    got = {os.path.basename(t["source"]): t for t in targets(out)}
    check("all 40 fixtures reported", sorted(got) == sorted(FIXTURES),
          str(sorted(set(got) ^ set(FIXTURES))))
    for name, want in FIXTURES.items():
        t = got.get(name)
        if t is None:
            continue
        if isinstance(want, str):
            check(f"{name}: refused", t["controller"] is None and t["error"]
                  and want in t["error"], str(t["error"]))
            check(f"{name}: error on stderr", want in r.stderr)
        else:
            have = (t["controller"], t["pci_id"], t["boot_disk"]["target"])
            check(f"{name}: {' '.join(want)}", have == want and
                  t["error"] is None, str(have))
            check(f"{name}: on stdout", f"({t['source']})" in r.stdout)
    return True


def main():
    with tempfile.TemporaryDirectory(prefix="print-target-") as tmp:
        test_no_disk_opened(tmp)
        test_usage()
        test_attached_jobs()
        have_fixtures = test_fixtures(tmp)
    if FAILED:
        print(f"{len(FAILED)} check(s) failed", file=sys.stderr)
        return 1
    if not have_fixtures:
        print("SKIP: no fixtures/libvirt-domains under BOOTFIX_SHARED_DIR",
              file=sys.stderr)
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
