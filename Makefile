# SPDX-License-Identifier: GPL-2.0
#
# make            build xfilter.ko (against KDIR) and the userland tools
# make check      run every test: host unit and fuzz tests, then the Xen lab
# make demo       boot the Xen lab and play the demo
# make KVER=6.12.x+bpo-amd64   build the module for another dom0 kernel
#
# Userland output goes to build/; kbuild leaves xfilter.ko at the top.

LAB_KVER := 6.1.0-56-amd64
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
	zlib liblzma libzstd liblz4
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CORE_OBJS := $(patsubst %.c,$(B)/%.o,$(XF_CORE_SRCS))
LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
XFCTL_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/xfctl/*.c))
XFILTERD_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard userspace/xfilterd/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

PROGS := $(B)/xfctl
ifneq ($(XFILTERD_OBJS),)
PROGS += $(B)/xfilterd
endif

GUEST_TOOLS := $(B)/guest/xfnet

.PHONY: all module userspace guest unit check demo lab clean
all: module userspace guest

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) WERROR=$(WERROR) modules

userspace: $(PROGS) $(UNIT_TESTS)
unit: $(UNIT_TESTS)

# Static tools for the lab's busybox guests (and dom0).
guest: $(GUEST_TOOLS)
$(B)/guest/%: tests/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) -static -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libxfcore.a: $(CORE_OBJS)
	@mkdir -p $(B)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/libxfuser.a: $(LIB_OBJS)
	@mkdir -p $(B)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/xfctl: $(XFCTL_OBJS) $(B)/libxfuser.a $(B)/libxfcore.a
	$(CC) $(XF_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/xfilterd: $(XFILTERD_OBJS) $(B)/libxfuser.a $(B)/libxfcore.a
	$(CC) $(XF_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/unit/%: $(B)/tests/unit/%.o $(B)/libxfuser.a $(B)/libxfcore.a
	@mkdir -p $(dir $@)
	$(CC) $(XF_CFLAGS) -o $@ $^ $(PKG_LIBS)

check:
	tests/run

demo:
	scripts/demo

lab:
	scripts/lab/run $(LAB_ARGS)

clean:
	rm -rf $(B)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean

-include $(shell find $(B) -name '*.d' 2>/dev/null)
