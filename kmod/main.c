// SPDX-License-Identifier: GPL-2.0
/*
 * xfilter.ko: per-process packet filtering of Xen guests, dom0 side.
 * Module init/exit and parameters; the rest is one job per file.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "block.h"
#include "cache.h"
#include "detect.h"
#include "domain.h"
#include "hook.h"
#include "main.h"
#include "mirror.h"
#include "netlink.h"
#include "queue.h"
#include "rules.h"
#include "verdict.h"

char *xf_param_pattern = "vif*";
module_param_named(pattern, xf_param_pattern, charp, 0444);
MODULE_PARM_DESC(pattern, "glob of device names to filter (default \"vif*\")");

char *xf_param_hook = "auto";
module_param_named(hook, xf_param_hook, charp, 0444);
MODULE_PARM_DESC(hook,
		 "auto: rx_handler, ingress hook for ports (default); ingress: always the ingress hook; rx_handler: never the ingress hook");

static int __init xf_init(void)
{
	int err;

	if (strcmp(xf_param_hook, "auto") && strcmp(xf_param_hook, "ingress") &&
	    strcmp(xf_param_hook, "rx_handler")) {
		pr_err("xfilter: hook=%s: expected auto, ingress or rx_handler\n",
		       xf_param_hook);
		return -EINVAL;
	}
	err = xf_rules_kinit();
	if (err)
		return err;
	err = xf_cache_kinit();
	if (err)
		goto err_rules;
	err = xf_queue_module_init();
	if (err)
		goto err_cache;
	xf_verdict_init();
	err = xf_mirror_init();
	if (err)
		goto err_queue;
	err = xf_nl_init();
	if (err)
		goto err_mirror;
	/* Last: from here on packets flow. */
	err = xf_hook_init();
	if (err)
		goto err_nl;
	pr_info("xfilter: loaded (pattern \"%s\", hook %s)\n",
		xf_param_pattern, xf_param_hook);
	return 0;

err_nl:
	xf_nl_exit();
err_mirror:
	xf_mirror_exit();
err_queue:
	xf_detect_exit();
	xf_block_exit();
	xf_domains_exit();
	xf_queue_module_exit();
err_cache:
	xf_cache_kexit();
err_rules:
	xf_rules_kexit();
	return err;
}

static void __exit xf_exit(void)
{
	xf_hook_exit();		/* no packet enters any more */
	xf_detect_exit();	/* no alert is sent or blocked any more */
	xf_nl_exit();		/* no verdict or batch request any more */
	xf_block_exit();	/* no block expires any more */
	xf_domains_exit();	/* drops what is still held */
	xf_queue_module_exit();
	xf_mirror_exit();	/* nothing copies any more */
	xf_verdict_exit();
	xf_cache_kexit();
	xf_rules_kexit();
	pr_info("xfilter: unloaded\n");
}

module_init(xf_init);
module_exit(xf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-process packet filtering of Xen guests");
MODULE_AUTHOR("xfilter project");
