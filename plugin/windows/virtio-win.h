/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Installing a virtio storage driver from the user's virtio-win tree. */
#ifndef WINDOWS_VIRTIO_WIN_H
#define WINDOWS_VIRTIO_WIN_H

#include "bootfix-module.h"

/* For every <virtio-driver> item of the rule: find NAME.sys for this
 * guest's Windows and arch in the tree and plan it into
 * system32\drivers (unless it is there).  1 done, 0 refused, -1 error. */
int windows_install_virtio_drivers (const struct bootfix_host *h,
                                    const struct bootfix_rule *r);

#endif
