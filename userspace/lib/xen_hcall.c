// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls through /dev/xen/privcmd. Debian's <xen/privcmd.h> pulls in a
 * kernel-only header, so the ioctl is defined here (the same layout as
 * linux/include/uapi/xen/privcmd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xen_hcall.h"

struct xf_privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

#define XF_IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct xf_privcmd_hypercall))

static int xf_privcmd_fd = -1;

int xf_hcall_open(void)
{
	if (xf_privcmd_fd >= 0)
		return 0;
	xf_privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	return xf_privcmd_fd < 0 ? -errno : 0;
}

void xf_hcall_close(void)
{
	if (xf_privcmd_fd >= 0)
		close(xf_privcmd_fd);
	xf_privcmd_fd = -1;
}

long xf_hcall(unsigned int cmd, void *arg)
{
	struct xf_privcmd_hypercall h = {
		.op = XF_HV_HYPERCALL_NR,
		.arg = { xf_hv_cmd(cmd), (uint64_t)(uintptr_t)arg },
	};
	long r;
	int err = xf_hcall_open();

	if (err)
		return err;
	/* privcmd returns the hypercall's value, or -1 with errno set. */
	r = ioctl(xf_privcmd_fd, XF_IOCTL_PRIVCMD_HYPERCALL, &h);
	return r < 0 ? -errno : r;
}

const char *xf_errno_name(long err)
{
	static char buf[24];

	switch (-err) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	}
	snprintf(buf, sizeof(buf), "%ld", err);
	return buf;
}
