# The core/ sources, listed once: Kbuild, the userland Makefile and the Xen
# build take their object lists from here (paths relative to the top). Each
# build links only what it calls:
#
#	module (Kbuild)		RULE + DOM0
#	Xen (hypervisor-stub/)	RULE + VMI
#	userland (Makefile)	RULE + DOM0 + VMI + VMI_DOM0
#
# Rule matching: the verdict from a flow key and its owner.
XF_CORE_RULE_SRCS := core/rule.c
# The guest-kernel walker (introspection, vmi.h): the socket of a flow and
# its owner, in xfilterd and in Xen.
XF_CORE_VMI_SRCS := core/vmi_read.c core/vmi_task.c core/vmi_sock.c core/vmi_lookup.c
XF_CORE_VMI_SRCS += core/vmi_owner.c core/vmi_cgroup.c core/vmi_holder.c
# dom0 only: packet parsing, rule text, the verdict cache, scan and flood
# detection.
XF_CORE_DOM0_SRCS := core/flow.c core/rule_text.c core/cache.c core/detect.c core/frag.c
# Walker parts only userland uses (executable paths for ps and exe rules).
XF_CORE_VMI_DOM0_SRCS := core/vmi_exe.c
