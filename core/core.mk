# The core/ sources, listed once: Kbuild, the userland Makefile and the Xen
# build all take their object lists from here (paths relative to the top).
XF_CORE_SRCS :=
XF_CORE_SRCS += core/flow.c core/rule.c core/rule_text.c core/cache.c
# The guest-kernel walker (introspection): vmi.h.
XF_CORE_SRCS += core/vmi_read.c core/vmi_task.c core/vmi_sock.c core/vmi_lookup.c
XF_CORE_SRCS += core/vmi_exe.c
# dom0 only (the module and userland, not Xen): scan and flood detection.
XF_CORE_DOM0_SRCS := core/detect.c core/frag.c
