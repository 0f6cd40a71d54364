// SPDX-License-Identifier: GPL-2.0
/*
 * xfilterd: options, the event loop, shutdown.
 *
 *	xfilterd [--foreground] [-v|-q|--log-level L] [--config FILE]
 *		 [--kernel-path DIR]... [--pin GUEST=FILE]... [--profile-dir DIR]
 *		 [--state-dir DIR] [--run-dir DIR] [--budget-ms N]
 *		 [--etcd URL[,URL...]]
 *
 * Settings: the defaults, then the config file (conf.c), then the command
 * line. SIGHUP reads the file again: log-level and budget-ms change at
 * once; the others are read at start only (a change is logged as such),
 * and a bad file leaves everything as it was.
 *
 * One thread polls four things: the "batch" multicast group (a domain has
 * flows waiting), the xenstore watch (domains come and go), a signalfd,
 * and with --etcd the fleet store's watcher (store.c).
 * While a socket of ours is joined to the group the module counts the
 * userland filter as present; closing it on exit makes new flows get the
 * fail policy at once, and what was still waiting is answered with that
 * policy before we go, so no packet waits for the timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xfilterd.h"

#ifndef XF_VERSION
#define XF_VERSION "unknown"	/* the Makefile passes dkms.conf's */
#endif

#define XFD_TICK_MS 200
#define XFD_SWEEP_US 1000000	/* look for batches we were not told about */

static const struct xfd_config defaults = {
	.profile_dir = "/var/lib/xfilter/profiles",
	.state_dir = "/var/lib/xfilter",
	.run_dir = "/run/xfilter",
	.batch_budget_us = 250000,
	.log_level = XFD_INFO,
};

struct xfd_config xfd_cfg;
static struct xfd_config cli;		/* what the command line set */
static const char *conf_path = XFD_CONF_FILE;
static bool conf_given;			/* --config: it must exist */

static const char *const default_search[] = {
	"/xf/guest", "/boot", "/var/lib/xfilter/kernels",
};

/* Domains notified since the last pass, deduplicated. */
static uint8_t pending[XFD_DOMID_LIMIT / 8 + 1];
static bool overrun;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xfilterd [OPTIONS]\n"
		"  -V, --version           print the version and exit\n"
		"  -f, --foreground        do not detach (systemd, tests)\n"
		"  -c, --config FILE       settings file (default %s;\n"
		"                          the options below override it)\n"
		"  -v, --verbose           debug logging (-q: warnings only)\n"
		"      --log-level LEVEL   error, warning, info (default) or debug\n"
		"  -k, --kernel-path DIR   where guest kernel images are (repeatable;\n"
		"                          default /xf/guest /boot /var/lib/xfilter/kernels)\n"
		"  -P, --pin GUEST=FILE    use this profile (.xfp) or kernel image for a\n"
		"                          guest named by name, UUID or domid (repeatable)\n"
		"      --profile-dir DIR   built profiles cache (default %s)\n"
		"      --state-dir DIR     domid/UUID map, kept rules (default %s)\n"
		"      --run-dir DIR       status file for xfctl (default %s)\n"
		"      --budget-ms N       time one batch may take (default %u)\n"
		"      --etcd URL[,URL]    apply the fleet policy in etcd (http://HOST:PORT)\n",
		XFD_CONF_FILE, defaults.profile_dir, defaults.state_dir,
		defaults.run_dir, defaults.batch_budget_us / 1000);
}

static int parse_args(int argc, char **argv, bool *foreground)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "kernel-path", required_argument, NULL, 'k' },
		{ "pin", required_argument, NULL, 'P' },
		{ "profile-dir", required_argument, NULL, 1 },
		{ "state-dir", required_argument, NULL, 2 },
		{ "run-dir", required_argument, NULL, 3 },
		{ "budget-ms", required_argument, NULL, 4 },
		{ "etcd", required_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[300];
	int c, i;

	while ((c = getopt_long(argc, argv, "fc:vqk:P:hV", opts, &i)) != -1) {
		switch (c) {
		case 'f':
			*foreground = true;
			continue;
		case 'c':
			conf_path = optarg;
			conf_given = true;
			continue;
		case 'v':
		case 'q':
			cli.log_level = c == 'v' ? XFD_DEBUG : XFD_WARN;
			cli.set |= XFD_OPT_LOG;
			continue;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("xfilterd %s\n", XF_VERSION);
			exit(0);
		case 'l': case 'k': case 'P': case 1: case 2: case 3: case 4: case 5:
			/* The long name, for both spellings (-k, --kernel-path). */
			for (i = 0; opts[i].val != c; i++)
				;
			if (xfd_conf_set(&cli, opts[i].name, optarg, "--", err,
					 sizeof(err))) {
				fprintf(stderr, "xfilterd: %s\n", err);
				return -1;
			}
			continue;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xfilterd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* The settings in force with this file: defaults, file, command line. */
static void effective(struct xfd_config *c, const struct xfd_config *file)
{
	int i;

	*c = defaults;
	xfd_conf_merge(c, file);
	xfd_conf_merge(c, &cli);
	c->buf = NULL;
	if (!c->nr_search)
		for (i = 0; i < (int)(sizeof(default_search) / sizeof(default_search[0])); i++)
			c->search[c->nr_search++] = default_search[i];
}

static bool str_differ(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* What a new file changed that only a restart applies: logged. */
static void needs_restart(const struct xfd_config *want)
{
	const struct xfd_config *c = &xfd_cfg;
	bool search = want->nr_search != c->nr_search,
	     pins = want->nr_pins != c->nr_pins;
	int i;

	for (i = 0; !search && i < c->nr_search; i++)
		search = str_differ(want->search[i], c->search[i]);
	for (i = 0; !pins && i < c->nr_pins; i++)
		pins = str_differ(want->pins[i].guest, c->pins[i].guest) ||
		       str_differ(want->pins[i].path, c->pins[i].path);
	if (search)
		xfd_warn("%s: kernel-path changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
	if (pins)
		xfd_warn("%s: pin changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
	if (str_differ(want->profile_dir, c->profile_dir))
		xfd_warn("%s: profile-dir changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
	if (str_differ(want->state_dir, c->state_dir))
		xfd_warn("%s: state-dir changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
	if (str_differ(want->etcd, c->etcd))
		xfd_warn("%s: etcd changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
	if (str_differ(want->run_dir, c->run_dir))
		xfd_warn("%s: run-dir changed: takes effect at the next start (systemctl restart xfilterd)", conf_path);
}

/* SIGHUP: the file again; a bad one changes nothing. */
static void reload(void)
{
	struct xfd_config file, want;
	char err[512];

	if (xfd_conf_read(conf_path, conf_given, &file, err, sizeof(err))) {
		xfd_err("SIGHUP: %s; the running settings stay", err);
		xfd_conf_free(&file);
		return;
	}
	effective(&want, &file);
	needs_restart(&want);
	/* Said at the more verbose of the two levels. */
	if (want.log_level > xfd_log_level)
		xfd_log_level = want.log_level;
	xfd_info("SIGHUP: %s read: log-level %s, budget-ms %u", conf_path,
		 xfd_level_name(want.log_level), want.batch_budget_us / 1000);
	xfd_cfg.log_level = xfd_log_level = want.log_level;
	xfd_cfg.batch_budget_us = want.batch_budget_us;
	xfd_conf_free(&file);
	xfd_stats_write(true);
}

/* At start: a bad file (or a missing --config one) is an error. */
static int load_config(void)
{
	static struct xfd_config file;	/* its strings stay in use */
	char err[512];

	if (xfd_conf_read(conf_path, conf_given, &file, err, sizeof(err))) {
		fprintf(stderr, "xfilterd: %s\n", err);
		return -1;
	}
	effective(&xfd_cfg, &file);
	xfd_log_level = xfd_cfg.log_level;
	return 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	uint32_t domid;

	uint8_t cmd = genlmsg_hdr(nlmsg_hdr(msg))->cmd;

	if ((cmd != XFILTER_CMD_BATCH_NOTIFY &&
	     cmd != XFILTER_CMD_PROFILE_NOTIFY) ||
	    xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMID])
		return NL_SKIP;
	domid = nla_get_u32(tb[XFILTER_A_DOMID]);
	if (cmd == XFILTER_CMD_PROFILE_NOTIFY) {
		xfd_hv_want(domid);
		return NL_OK;
	}
	if (domid >= XFD_DOMID_LIMIT)
		return NL_OK;
	if (xfd_batch_notice(domid, tb[XFILTER_A_BATCH_ID] ?
			     nla_get_u32(tb[XFILTER_A_BATCH_ID]) : 0,
			     tb[XFILTER_A_FLOWS] ? msg : NULL))
		pending[domid / 8] |= 1 << (domid % 8);
	return NL_OK;
}

/* Read every notification queued on the event socket (non-blocking). */
static void read_events(struct xf_nl *ev)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int i, err;

	if (!cb)
		return;
	/* Multicast: sequence 0, not ours (a fresh cb would refuse them). */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, xf_nl_no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	for (i = 0; i < 64; i++) {
		err = nl_recvmsgs(ev->sk, cb);
		if (err == -NLE_AGAIN)
			break;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: notifications were lost; sweep everything. */
			overrun = true;
			continue;
		}
		if (err < 0) {
			xfd_warn("batch notifications: %s", nl_geterror(err));
			break;
		}
	}
	nl_cb_put(cb);
}

/*
 * One round over the pending domains (batch.c). Returns true if some may
 * have more: the main loop then polls without waiting and comes back.
 */
static bool serve_pending(struct xf_nl *nl, bool all)
{
	static uint32_t ids[XFD_SERVE_MAX];
	struct xfd_dom *d;
	uint32_t domid;
	int n = 0, i;
	bool busy;

	if (all) {
		pthread_mutex_lock(&xfd_dom_lock);
		for (d = xfd_doms; d; d = d->next)
			if (d->alive && d->domid < XFD_DOMID_LIMIT)
				pending[d->domid / 8] |= 1 << (d->domid % 8);
		pthread_mutex_unlock(&xfd_dom_lock);
	}
	/* What does not fit stays pending: the next round serves it. */
	for (domid = 0; domid < XFD_DOMID_LIMIT && n < XFD_SERVE_MAX; domid++) {
		if (!pending[domid / 8]) {
			domid |= 7;
			continue;
		}
		if (pending[domid / 8] & (1 << (domid % 8))) {
			pending[domid / 8] &= ~(1 << (domid % 8));
			ids[n++] = domid;
		}
	}
	/* Stopped early: domains beyond XFD_SERVE_MAX are still pending. */
	busy = domid < XFD_DOMID_LIMIT;
	n = xfd_batch_round(nl, ids, n, all);
	for (i = 0; i < n; i++)
		pending[ids[i] / 8] |= 1 << (ids[i] % 8);
	return busy || n > 0;
}

static int open_netlink(struct xf_nl *nl, struct xf_nl *ev)
{
	if (xf_nl_open(nl)) {
		xfd_err("%s", nl->errmsg);
		return -1;
	}
	if (xf_nl_open(ev) || xf_nl_join(ev, XFILTER_MCGRP_BATCH)) {
		xfd_err("%s", ev->errmsg);
		xf_nl_close(nl);
		xf_nl_close(ev);
		return -1;
	}
	nl_socket_set_nonblocking(ev->sk);
	/* Bursts of notifications must not be lost to a small buffer. */
	nl_socket_set_buffer_size(ev->sk, 1 << 20, 0);
	return 0;
}

static int signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	sigdelset(&set, SIGPIPE);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns true to go on. */
static bool on_signal(int sfd, struct xf_nl *nl)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload();
			xfd_info("SIGHUP: rescanning domains");
			xfd_domains_scan(nl);
			continue;
		}
		xfd_info("signal %u: shutting down", si.ssi_signo);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct xf_nl nl, ev;
	bool foreground = false, run = true, busy;
	uint64_t last_sweep = 0, now;
	int sfd;

	if (parse_args(argc, argv, &foreground) || load_config())
		return 2;
	sfd = signal_fd();	/* before any thread: they inherit the mask */
	if (sfd < 0) {
		xfd_err("signalfd: %s", strerror(errno));
		return 1;
	}
	if (!foreground && daemon(0, 1)) {
		xfd_err("daemon: %s", strerror(errno));
		return 1;
	}
	if (open_netlink(&nl, &ev))
		return 1;
	if (xfd_domains_init()) {
		xf_nl_close(&ev);
		xf_nl_close(&nl);
		return 1;
	}
	xfd_rebind_load();
	xfd_hv_init();
	/* Before the first scan, which applies what the store holds. A store
	 * that cannot be reached is not fatal: the watcher keeps trying. */
	if (xfd_store_start()) {
		xfd_domains_exit();
		xf_nl_close(&ev);
		xf_nl_close(&nl);
		return 1;
	}
	if (xfd_prep_start()) {
		xfd_err("cannot start the introspection thread");
		return 1;
	}
	xfd_domains_scan(&nl);
	xfd_info("running: joined '%s', %d kernel search dirs, batch budget %u ms",
		 XFILTER_MCGRP_BATCH, xfd_cfg.nr_search,
		 xfd_cfg.batch_budget_us / 1000);
	/* Batches that waited for a daemon (a restart) are served at once. */
	busy = serve_pending(&nl, true);

	while (run) {
		struct pollfd pfd[4] = {
			{ .fd = nl_socket_get_fd(ev.sk), .events = POLLIN },
			{ .fd = xfd_domains_fd(), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = xfd_store_fd(), .events = POLLIN },
		};

		/* Busy: more batches wait; only look for news in between. */
		if (poll(pfd, 4, busy ? 0 : XFD_TICK_MS) < 0 && errno != EINTR) {
			xfd_err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[2].revents & POLLIN)
			run = on_signal(sfd, &nl);
		if (pfd[1].revents & POLLIN)
			xfd_domains_event(&nl);
		if (pfd[3].revents & POLLIN)
			xfd_store_event(&nl);
		if (pfd[0].revents & POLLIN)
			read_events(&ev);
		now = xfd_now_us();
		if (overrun || now - last_sweep >= XFD_SWEEP_US) {
			if (overrun)
				xfd_warn("notifications were lost: sweeping every domain");
			busy = serve_pending(&nl, true);
			overrun = false;
			last_sweep = now;
			xfd_kept_apply(&nl, true);	/* a new restore */
		} else {
			busy = serve_pending(&nl, false);
		}
		xfd_domains_tick();
		xfd_hv_tick(&nl);
		xfd_store_tick();
		xfd_stats_write(false);
	}

	/* Leave the group first: from now on the kernel applies the fail
	 * policy itself; then answer what is still waiting the same way. */
	xf_nl_close(&ev);
	xfd_batch_drain_fail(&nl);
	xfd_prep_stop();
	xfd_store_stop();
	xfd_rebind_save();
	xfd_domains_exit();
	xfd_stats_exit();
	xf_nl_close(&nl);
	xfd_info("stopped");
	return 0;
}
