# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the test and demo scripts before they run guestfish.
# virt-bootfix chooses TCG by itself (src/guest/guest.c, bootfix_kvm_usable);
# plain guestfish does not, and on a host whose /dev/kvm cannot run qemu
# (software nested KVM, no vmx/svm flag) it aborts or hangs.  Mirror the
# same three checks here.
if [ -z "${LIBGUESTFS_BACKEND_SETTINGS:-}" ]; then
  if [ ! -w /dev/kvm ] || [ -e /sys/module/kvm_pvm ] ||
     ! grep -qw -e vmx -e svm /proc/cpuinfo; then
    export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
  fi
fi
