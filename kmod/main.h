/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters shared by the kmod/ files.
 */
#ifndef XF_KMOD_MAIN_H
#define XF_KMOD_MAIN_H

#include <linux/types.h>

/* Glob of device names to attach to ("vif*"). */
extern char *xf_param_pattern;
/* "auto", "ingress" or "rx_handler"; see hook.c. */
extern char *xf_param_hook;

#endif /* XF_KMOD_MAIN_H */
