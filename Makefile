# SPDX-License-Identifier: GPL-2.0
#
# make            build xfilter.ko (against KDIR) and the userland tools
# make check      run every test: host unit and fuzz tests, then the Xen lab
# make demo       boot the Xen lab and play the demo
# make bench      the xFilter paper's httperf experiment in the lab (docs/bench/)
# make KVER=6.12.x+bpo-amd64   build the module for another dom0 kernel
# make install    module, tools, units, config, man pages, completion (DESTDIR, PREFIX)
# make dkms-install   the module through DKMS instead (rebuilt per kernel)
# scripts/build-debs   Debian packages xfilter and xfilter-dkms (debian/)
# make tools      xfctl and xfilterd only (what the Debian package builds)
#
# Userland output goes to build/; kbuild leaves xfilter.ko at the top.

LAB_KVER := $(shell scripts/kver 6.1)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KVER ?= $(shell uname -r)
else
KVER ?= $(LAB_KVER)
endif
# Installed headers, else fetched (apt) by scripts/kernel-headers.sh.
ifneq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
KDIR ?= /lib/modules/$(KVER)/build
else
KDIR ?= $(shell scripts/kernel-headers.sh $(KVER))
endif

# The compiler Debian's headers name (.kernelvariables: gcc-12 for bookworm's
# 6.1 and 6.12, gcc-16 for sid's 7.x) when this machine has it, else its
# gcc: bookworm has no gcc-16, and scripts/kernel-headers.sh then
# configures the headers for this gcc (a compile check; the module loads
# on kernels built by the compiler it was built with).
kernel_cc = $(shell c=$$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\)$$/\1/p' \
	$(1)/.kernelvariables 2>/dev/null); [ -z "$$c" ] || \
	command -v "$$c" >/dev/null || echo CC=gcc)

# Warnings are errors in CI and in tests/run.
WERROR ?= $(if $(filter true,$(CI)),1,0)

include core/core.mk

B := build
CC ?= cc
CFLAGS ?= -O2 -g
XF_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-Iinclude -Icore -Iuserspace/lib -D_GNU_SOURCE
ifeq ($(WERROR),1)
XF_CFLAGS += -Werror
endif
PKGS := libnl-genl-3.0 libbpf xencontrol xenforeignmemory xenstore \
	zlib liblzma libzstd liblz4 libcurl json-c
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CORE_OBJS := $(patsubst %.c,$(B)/%.o,$(XF_CORE_RULE_SRCS) $(XF_CORE_DOM0_SRCS) $(XF_CORE_VMI_SRCS) $(XF_CORE_VMI_DOM0_SRCS))
LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
XFCTL_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/xfctl/*.c))
XFILTERD_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/xfilterd/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

PROGS := $(B)/xfctl
ifneq ($(XFILTERD_OBJS),)
PROGS += $(B)/xfilterd
endif

GUEST_TOOLS := $(patsubst tests/guest/%.c,$(B)/guest/%,$(wildcard tests/guest/*.c))

.PHONY: all module module-clean userspace tools guest unit check demo lab stress clean xen bench
all: module userspace guest

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) WERROR=$(WERROR) $(call kernel_cc,$(KDIR)) modules

# Not kbuild's "clean": with M= it deletes every *.ko and *.lst below the
# tree, .cache/ (kernel packages, the Xen source) included.
MODULE_OUTPUT := xfilter.ko xfilter.o xfilter.mod xfilter.mod.c xfilter.mod.o \
	Module.symvers modules.order .xfilter* .Module.symvers.cmd .modules.order.cmd
module-clean:
	rm -f $(MODULE_OUTPUT) kmod/*.o kmod/.*.cmd $(patsubst %.c,%.o,$(XF_CORE_RULE_SRCS) $(XF_CORE_DOM0_SRCS) $(XF_CORE_VMI_SRCS) $(XF_CORE_VMI_DOM0_SRCS)) \
		$(foreach f,$(XF_CORE_RULE_SRCS) $(XF_CORE_DOM0_SRCS) $(XF_CORE_VMI_SRCS) $(XF_CORE_VMI_DOM0_SRCS),$(dir $(f)).$(notdir $(f:.c=.o)).cmd)

userspace: $(PROGS) $(UNIT_TESTS)
tools: $(PROGS)
unit: $(UNIT_TESTS)

# Static tools for the lab's busybox guests (and dom0).
guest: $(GUEST_TOOLS)
$(B)/guest/%: tests/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) -static -o $@ $<

# The hostile guest module of 40-rootkit.sh, for the lab's guest kernel
# (skipped with a note when its headers are absent).
GUEST_KVER ?= $(LAB_KVER)
GUEST_KDIR ?= /lib/modules/$(GUEST_KVER)/build
guest: $(B)/guest/xfrk.ko
$(B)/guest/xfrk.ko: tests/guest/rootkit/xfrk.c tests/guest/rootkit/Kbuild \
		include/xfilter/hypercall.h
	@mkdir -p $(dir $@)
	@if [ -f $(GUEST_KDIR)/Makefile ]; then \
		$(MAKE) -C $(GUEST_KDIR) M=$(CURDIR)/tests/guest/rootkit modules && \
		cp tests/guest/rootkit/xfrk.ko $@; \
	else echo "xfrk.ko: no headers for $(GUEST_KVER) at $(GUEST_KDIR), not built" >&2; fi

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XF_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libxfcore.a: $(CORE_OBJS)
	@mkdir -p $(B)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/libxfuser.a: $(LIB_OBJS)
	@mkdir -p $(B)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/xfctl: $(XFCTL_OBJS) $(B)/libxfuser.a $(B)/libxfcore.a
	$(CC) $(XF_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/xfilterd: $(XFILTERD_OBJS) $(B)/libxfuser.a $(B)/libxfcore.a
	$(CC) $(XF_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/unit/%: $(B)/tests/unit/%.o $(B)/libxfuser.a $(B)/libxfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# xfctl's printers on hostile replies: every xfctl object but main().
$(B)/unit/test_xfctl_out: $(B)/tests/unit/test_xfctl_out.o \
		$(filter-out $(B)/userspace/xfctl/xfctl.o,$(XFCTL_OBJS)) \
		$(B)/libxfuser.a $(B)/libxfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# tests/bench/fleet-bench.sh: the fleet store's cost on one host.
$(B)/bench/fleet-bench: $(B)/tests/bench/fleet-bench.o $(B)/libxfuser.a $(B)/libxfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/tests/bench/fleet-bench.o: CPPFLAGS += -Itests/unit

# xfilterd's config parser alone (no daemon globals but xfd_cfg).
$(B)/unit/test_conf: $(B)/tests/unit/test_conf.o $(B)/userspace/xfilterd/conf.o \
		$(B)/libxfuser.a $(B)/libxfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) -o $@ $^ $(PKG_LIBS)

check:
	tests/run

demo:
	scripts/demo $(DEMO_ARGS)

lab:
	scripts/lab/run $(LAB_ARGS)

# The paper's experiment on the patched Xen: docs/bench/paper.{md,png}.
# Not part of make check; BENCH_ARGS="--rates 10,25 --secs 3" and so on.
bench:
	tests/bench/paper.sh $(BENCH_ARGS)

# Hostile-guest tests at full length (make check runs them reduced).
stress:
	scripts/lab/run --guests "g1 g2" --timeout 5400 \
		--env "FLOOD_S=120 RELOADS=100 KILLS=30 NLFUZZ_N=30000 XF_TEST_TIMEOUT=2400" \
		40-rootkit.sh 41-netlink-fuzz.sh 42-floods.sh 43-faults.sh

# The patched hypervisor (fast mode), from Debian's source of Xen XEN (4.17,
# bookworm's, the default, in .cache/xen/xen-xfilter; or 4.20, trixie's, in
# .cache/xen-4.20/); XSM=y adds XSM with FLASK and SILO (.cache/xen-XEN-xsm/).
XEN ?= 4.17
xen: ; scripts/build-xen.sh --xen $(XEN) $(if $(filter y 1,$(XSM)),--xsm)

# ---- install ---------------------------------------------------------------
# make install [DESTDIR=/tmp/root] [PREFIX=/usr] [KVER=...]
# install-tools is everything but the module (pair it with dkms-install).
# The vif hook needs no hotplug script: the module attaches to every device
# matching pattern= (default vif*) through a netdevice notifier.
VERSION ?= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# --version of both tools (xfctl.o, xfilterd's main.o).
$(B)/userspace/xfctl/xfctl.o $(B)/userspace/xfilterd/main.o: XF_CFLAGS += -DXF_VERSION='"$(VERSION)"'
$(B)/userspace/xfctl/xfctl.o $(B)/userspace/xfilterd/main.o: dkms.conf
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= /lib/systemd/system
MODLOADDIR ?= /usr/lib/modules-load.d
# Not under PREFIX: xfilterd's default --config and xfilter-restore.service
# name /etc/xfilter (the config file, the saved rules).
CONFDIR := /etc/xfilter
INSTALL ?= install
MODDIR = /lib/modules/$(KVER)/updates
DKMS_SRC = /usr/src/xfilter-$(VERSION)

.PHONY: install install-module install-tools uninstall dkms-install dkms-uninstall \
	install-dkms-src
install: install-module install-tools

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

install-tools: $(PROGS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MODLOADDIR) $(DESTDIR)/var/lib/xfilter/kernels \
		$(DESTDIR)$(CONFDIR)
	$(INSTALL) -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0644 docs/man/xfctl.8 docs/man/xfilterd.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 scripts/completion/xfctl.bash $(DESTDIR)$(BASHCOMPDIR)/xfctl
	sed 's|/usr/sbin/xfilterd|$(SBINDIR)/xfilterd|' scripts/xfilterd.service \
		> $(DESTDIR)$(UNITDIR)/xfilterd.service
	sed 's|/usr/sbin/xfctl|$(SBINDIR)/xfctl|' scripts/xfilter-restore.service \
		> $(DESTDIR)$(UNITDIR)/xfilter-restore.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xfilterd.service \
		$(DESTDIR)$(UNITDIR)/xfilter-restore.service
	@# An edited config file is the operator's: never overwritten.
	if [ -e $(DESTDIR)$(CONFDIR)/xfilterd.conf ]; then \
		echo "$(DESTDIR)$(CONFDIR)/xfilterd.conf exists: left as it is"; \
	else $(INSTALL) -m 0644 scripts/xfilterd.conf $(DESTDIR)$(CONFDIR)/; fi
	echo xfilter > $(DESTDIR)$(MODLOADDIR)/xfilter.conf
	$(if $(DESTDIR),,-systemctl daemon-reload 2>/dev/null)

# Leaves /var/lib/xfilter (profiles, the domid/UUID map), the saved rules
# (/etc/xfilter/rules), an edited xfilterd.conf and DKMS alone.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/xfctl $(DESTDIR)$(SBINDIR)/xfilterd \
		$(DESTDIR)$(MANDIR)/man8/xfctl.8 $(DESTDIR)$(MANDIR)/man8/xfilterd.8 \
		$(DESTDIR)$(BASHCOMPDIR)/xfctl \
		$(DESTDIR)$(UNITDIR)/xfilterd.service \
		$(DESTDIR)$(UNITDIR)/xfilter-restore.service \
		$(DESTDIR)$(MODLOADDIR)/xfilter.conf \
		$(wildcard $(DESTDIR)$(MODDIR)/xfilter.ko*)
	-cmp -s scripts/xfilterd.conf $(DESTDIR)$(CONFDIR)/xfilterd.conf && \
		rm -f $(DESTDIR)$(CONFDIR)/xfilterd.conf
	-rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null
	-rmdir $(DESTDIR)/var/lib/xfilter/kernels 2>/dev/null
	$(if $(DESTDIR),,-depmod -a $(KVER))
	$(if $(DESTDIR),,-systemctl daemon-reload 2>/dev/null)

# The module's sources to /usr/src/xfilter-VERSION: Kbuild, dkms.conf,
# kmod/, the core/ files Kbuild compiles (core.mk's RULE and DOM0 lists)
# with core's headers, include/. The xfilter-dkms package ships exactly this.
DKMS_FILES = Kbuild dkms.conf core/core.mk $(wildcard kmod/*.[ch] core/*.h) \
	$(XF_CORE_RULE_SRCS) $(XF_CORE_DOM0_SRCS) $(shell find include -name '*.h')
install-dkms-src:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -d $(DESTDIR)$(DKMS_SRC)
	tar -cf - $(sort $(DKMS_FILES)) | tar -xf - -C $(DESTDIR)$(DKMS_SRC) \
		--no-same-owner --no-same-permissions
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' \
		$(DESTDIR)$(DKMS_SRC)/dkms.conf

# The sources above, then dkms add/build/install for KVER; DKMS rebuilds
# the module for new dom0 kernels. A version already in DKMS is removed
# first (reinstall from this tree).
dkms-install:
	-dkms remove -m xfilter -v $(VERSION) --all >/dev/null 2>&1
	$(MAKE) install-dkms-src DESTDIR=
	dkms add -m xfilter -v $(VERSION)
	dkms build -m xfilter -v $(VERSION) -k $(KVER)
	dkms install -m xfilter -v $(VERSION) -k $(KVER)

dkms-uninstall:
	-dkms remove -m xfilter -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

clean: module-clean
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
