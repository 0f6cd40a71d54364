// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * include/xfilter/hypercall.h: how a command and its version are coded in
 * cmd (what xfilter.ko and xfctl send, what Xen's do_xfilter_op() decodes).
 */
#include "tap.h"
#include <xfilter/hypercall.h>

int main(void)
{
	static const uint32_t want[] = {
		[XF_HV_PROBE] = XF_HV_PROBE_VERSION,
		[XF_HV_COUNTERS] = XF_HV_COUNTERS_VERSION,
		[XF_HV_PROFILE] = XF_HV_PROFILE_VERSION,
		[XF_HV_RULES] = XF_HV_RULES_VERSION,
		[XF_HV_CHECK] = XF_HV_CHECK_VERSION,
	};
	uint32_t op;

	is(sizeof(want) / sizeof(want[0]), __XF_HV_CMD_LAST,
	   "a version for each of the %d commands", __XF_HV_CMD_LAST);
	for (op = 0; op < __XF_HV_CMD_LAST; op++) {
		uint32_t cmd = xf_hv_cmd(op);

		ok(xf_hv_cmd_version(op) == want[op] && want[op] >= 1 &&
		   want[op] <= 0xff, "cmd %u: version %u fits the top byte",
		   op, want[op]);
		is(XF_HV_CMD_OP(cmd), op, "cmd %u: op decodes from %#x", op, cmd);
		is(XF_HV_CMD_VER(cmd), want[op],
		   "cmd %u: version decodes from %#x", op, cmd);
	}
	/* Unknown commands carry no version; Xen answers -EOPNOTSUPP. */
	is(xf_hv_cmd_version(__XF_HV_CMD_LAST), 0, "no version past the last cmd");
	is(xf_hv_cmd(__XF_HV_CMD_LAST), __XF_HV_CMD_LAST,
	   "an unknown cmd is sent as it is");
	is(xf_hv_cmd_version(0xffffff), 0, "no version for op 0xffffff");
	/* A caller from before per-op versions sends the bare op. */
	is(XF_HV_CMD_VER(XF_HV_CHECK), 0, "a bare op decodes as version 0");
	is(XF_HV_CMD_OP(0xff000000u | XF_HV_RULES), XF_HV_RULES,
	   "the top byte never leaks into the op");
	ok(XF_HV_ABI_VERSION >= 3, "ABI version %u has per-cmd versions",
	   XF_HV_ABI_VERSION);
	return tap_done();
}
