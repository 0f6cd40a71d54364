/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xfilter hypercall from dom0 userland, through /dev/xen/privcmd
 * (IOCTL_PRIVCMD_HYPERCALL). For tests and `xfctl hv`; xfilter.ko issues
 * the same hypercall from the kernel (kmod/hypercall.c).
 */
#ifndef XF_USER_XEN_HCALL_H
#define XF_USER_XEN_HCALL_H

#include <xfilter/hypercall.h>

/* Open privcmd: 0 or -errno (-EACCES as a non-root user). */
int xf_hcall_open(void);
void xf_hcall_close(void);

/*
 * Issue XF_HV_<cmd> with arg: the hypercall's result, 0 or -errno
 * (-ENOSYS on a stock Xen without the filter).
 */
long xf_hcall(unsigned int cmd, void *arg);

/* "ENOSYS" for -38, etc.; a number for unknown codes. */
const char *xf_errno_name(long err);

#endif /* XF_USER_XEN_HCALL_H */
