// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * userspace/xfilterd/conf.c: the config file and the options. A good file
 * sets what it says and nothing else; every bad line is refused with
 * FILE:LINE and its token; a missing file is empty unless it was named;
 * the command line wins over the file, lists replace lists.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../userspace/xfilterd/xfilterd.h"

struct xfd_config xfd_cfg;	/* conf.c links alone: main.c's globals */
int xfd_log_level;

static char dir[] = "/tmp/xf_conf.XXXXXX";
static char path[64], err[512];

static int read_text(const char *text, struct xfd_config *c)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	err[0] = 0;
	return xfd_conf_read(path, true, c, err, sizeof(err));
}

/* text is refused with an error holding "FILE:want". */
static void bad(const char *text, const char *want)
{
	struct xfd_config c;
	char full[300];

	snprintf(full, sizeof(full), "%s:%s", path, want);
	ok(read_text(text, &c) < 0 && strstr(err, full), "refused: %s",
	   want);
	if (!strstr(err, full))
		diag("got '%s'", err);
	xfd_conf_free(&c);
}

int main(void)
{
	struct xfd_config c, m, cli = { 0 };
	char e2[300];

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/xfilterd.conf", dir);

	is(read_text("# comment\n\n  budget-ms =  300  \n"
		     "kernel-path=/boot\nkernel-path = /srv/k\n"
		     "pin = web1=/var/lib/xfilter/web1.xfp\npin = 7=/boot/vmlinuz\n"
		     "profile-dir = /p\nstate-dir = /s\nrun-dir = /r\n"
		     "log-level = debug\netcd = http://127.0.0.1:2379\n", &c), 0,
	   "a good file is read");
	is(c.batch_budget_us, 300000, "budget-ms 300");
	is(c.nr_search, 2, "two kernel-path lines");
	ok(!strcmp(c.search[0], "/boot") && !strcmp(c.search[1], "/srv/k"),
	   "kernel paths in order, blanks trimmed");
	is(c.nr_pins, 2, "two pins");
	ok(!strcmp(c.pins[0].guest, "web1") && c.pins[0].is_profile &&
	   !strcmp(c.pins[1].path, "/boot/vmlinuz") && !c.pins[1].is_profile,
	   "pins: guest, path, profile or image");
	ok(!strcmp(c.profile_dir, "/p") && !strcmp(c.state_dir, "/s") &&
	   !strcmp(c.run_dir, "/r"), "the three directories");
	is(c.log_level, XFD_DEBUG, "log-level debug");
	is(c.set, XFD_OPT_KERNEL_PATH | XFD_OPT_PIN | XFD_OPT_PROFILE_DIR |
	   XFD_OPT_STATE_DIR | XFD_OPT_RUN_DIR | XFD_OPT_BUDGET | XFD_OPT_LOG |
	   XFD_OPT_ETCD,
	   "every option marked as set");

	/* The command line over the file: its keys win, lists replace. */
	ok(!xfd_conf_set(&cli, "budget-ms", "20", "--", e2, sizeof(e2)) &&
	   !xfd_conf_set(&cli, "kernel-path", "/cli", "--", e2, sizeof(e2)),
	   "command-line options");
	memset(&m, 0, sizeof(m));
	m.state_dir = "/default";
	xfd_conf_merge(&m, &c);
	xfd_conf_merge(&m, &cli);
	is(m.batch_budget_us, 20000, "the command line's budget-ms wins");
	ok(m.nr_search == 1 && !strcmp(m.search[0], "/cli"),
	   "the command line's kernel-path list replaces the file's");
	ok(!strcmp(m.state_dir, "/s"), "the file's state-dir over the default");
	is(m.log_level, XFD_DEBUG, "the file's log-level where the command line set none");
	xfd_conf_free(&c);

	memset(&m, 0, sizeof(m));
	m.state_dir = "/default";
	is(read_text("# only comments\n\n", &c), 0, "a file of comments");
	xfd_conf_merge(&m, &c);
	ok(c.set == 0 && !strcmp(m.state_dir, "/default"),
	   "sets nothing, the defaults stay");
	xfd_conf_free(&c);

	bad("budget-ms = 0\n", "1: bad budget-ms '0' (1..10000)");
	bad("\nbudget-ms = 10001\n", "2: bad budget-ms '10001'");
	bad("budget-ms = 10x\n", "1: bad budget-ms '10x'");
	bad("budget-ms = -5\n", "1: bad budget-ms '-5'");
	bad("budget-ms = +5\n", "1: bad budget-ms '+5'");
	bad("budget-ms = 4294967296\n", "1: bad budget-ms '4294967296'");
	bad("budget-ms = 1 2\n", "1: bad budget-ms '1 2'");
	bad("# x\nfrobnicate = 1\n", "2: unknown key 'frobnicate'");
	bad("foreground = yes\n", "1: unknown key 'foreground'");
	bad("budget-ms 300\n", "1: expected KEY = VALUE at 'budget-ms 300'");
	bad("budget-ms =\n", "1: budget-ms needs a value");
	bad("= 5\n", "1: bad key ''");
	bad("budget ms = 5\n", "1: bad key 'budget ms'");
	bad("log-level = loud\n", "1: bad log-level 'loud'");
	bad("pin = web1\n", "1: bad pin 'web1' (GUEST=FILE)");
	bad("pin = =/x\n", "1: bad pin '=/x'");
	bad("state-dir = /a\nstate-dir = /b\n", "2: state-dir given twice");
	bad("etcd = 127.0.0.1:2379\n", "1: etcd: bad etcd endpoint '127.0.0.1:2379'");
	bad("etcd = http://a:1,https://b:2\n", "1: etcd: bad etcd endpoint 'https://b:2'");
	bad("etcd = http://a:1\netcd = http://b:1\n", "2: etcd given twice");
	is(read_text("etcd = http://10.0.0.1:2379,http://10.0.0.2:2379\n", &c), 0,
	   "etcd with two members is read");
	ok(c.etcd && !strcmp(c.etcd, "http://10.0.0.1:2379,http://10.0.0.2:2379"),
	   "and kept as given");
	xfd_conf_free(&c);
	bad("kernel-path=/1\nkernel-path=/2\nkernel-path=/3\nkernel-path=/4\n"
	    "kernel-path=/5\nkernel-path=/6\nkernel-path=/7\nkernel-path=/8\n"
	    "kernel-path=/9\n", "9: at most 8 kernel-path");

	/* A NUL byte: not silently cut at it. */
	{
		FILE *f = fopen(path, "w");

		fwrite("budget-ms = 5\0\nbudget-ms = 6\n", 1, 29, f);
		fclose(f);
		ok(xfd_conf_read(path, true, &c, err, sizeof(err)) < 0 &&
		   strstr(err, "NUL"), "a NUL byte is refused");
		xfd_conf_free(&c);
	}

	unlink(path);
	is(xfd_conf_read(path, false, &c, err, sizeof(err)), 0,
	   "the default file missing: no error");
	is(c.set, 0, "and nothing set");
	ok(xfd_conf_read(path, true, &c, err, sizeof(err)) < 0 &&
	   strstr(err, "No such file"), "a missing --config file: an error");
	ok(xfd_conf_read(dir, true, &c, err, sizeof(err)) < 0,
	   "a directory: an error");
	xfd_conf_free(&c);
	ok(xfd_conf_set(&cli, "budget-ms", "0", "--", e2, sizeof(e2)) < 0 &&
	   !strcmp(e2, "bad --budget-ms '0' (1..10000)"),
	   "command line: the option is named with its dashes");

	/* The shipped file: all commented out; every example line valid. */
	is(xfd_conf_read("scripts/xfilterd.conf", true, &c, err, sizeof(err)),
	   0, "scripts/xfilterd.conf is read (run from the top directory)");
	is(c.set, 0, "and sets nothing: the defaults it documents stay");
	{
		FILE *in = fopen("scripts/xfilterd.conf", "r"), *f = fopen(path, "w");
		char *line = NULL;
		size_t cap = 0;

		/* "#key = value" lines uncommented. */
		while (in && getline(&line, &cap, in) > 0)
			fputs(line + (line[0] == '#' && line[1] >= 'a' &&
				      line[1] <= 'z'), f);
		if (in)
			fclose(in);
		fclose(f);
		free(line);
		err[0] = 0;
		xfd_conf_free(&c);
		is(xfd_conf_read(path, true, &c, err, sizeof(err)), 0,
		   "its examples uncommented are valid");
		if (err[0])
			diag("%s", err);
		is(c.set, XFD_OPT_KERNEL_PATH | XFD_OPT_PIN | XFD_OPT_PROFILE_DIR |
		   XFD_OPT_STATE_DIR | XFD_OPT_RUN_DIR | XFD_OPT_BUDGET | XFD_OPT_LOG |
		   XFD_OPT_ETCD,
		   "and show every key");
		xfd_conf_free(&c);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
