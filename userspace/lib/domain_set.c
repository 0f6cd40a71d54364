// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of `xfctl domain set DOMAIN KEY VALUE...` as netlink
 * attributes of XFILTER_CMD_DOMAIN_SET: shared by xfctl (the command line
 * and restore files) and xfilterd (the settings restore kept for a guest
 * that was not running), so both read one grammar.
 */
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "rule_text.h"

static const char *const mode_names[] = { "off", "userland", "hypervisor" };
static const char *const detect_names[] = { "off", "alert", "block" };

/* "10" or "10s" seconds, "500ms": milliseconds (strict digits), or -1. */
static long parse_ms(const char *s)
{
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	uint32_t v;

	if (!xf_text_parse_u32(s, n, 86400000, &v))
		return -1;
	if (!strcmp(unit, "ms"))
		return v;
	if (!*unit || !strcmp(unit, "s"))
		return v <= 86400 ? (long)v * 1000 : -1;
	return -1;
}

static long parse_count(const char *s)
{
	uint32_t v;

	return xf_text_parse_u32(s, strlen(s), 1000000, &v) ? (long)v : -1;
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int xf_domain_settings(int argc, char **argv, struct nl_msg *msg, char *err,
		       size_t errlen)
{
	int i, v, attr, nerr = 0;

	if (argc < 1) {
		snprintf(err, errlen, "needs a SETTING VALUE (mode, policy, unattributed, fail, detect, window, ports, hosts, flows, block-time)");
		return -1;
	}
	for (i = 0; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val) {
			snprintf(err, errlen, "'%s' needs a value", k);
			return -1;
		}
		if (!strcmp(k, "mode")) {
			v = lookup(mode_names, 3, val);
			attr = XFILTER_DOMAIN_A_MODE;
		} else if (!strcmp(k, "policy") || !strcmp(k, "unattributed") ||
			   !strcmp(k, "fail")) {
			v = xf_action_parse(val, strlen(val));
			attr = !strcmp(k, "policy") ? XFILTER_DOMAIN_A_POLICY :
			       !strcmp(k, "fail") ? XFILTER_DOMAIN_A_FAIL_POLICY :
			       XFILTER_DOMAIN_A_UNATTRIBUTED;
			if (attr == XFILTER_DOMAIN_A_FAIL_POLICY && v > 1)
				v = -1;
		} else if (!strcmp(k, "detect")) {
			v = lookup(detect_names, 3, val);
			attr = XFILTER_DOMAIN_A_DETECT;
		} else if (!strcmp(k, "window") || !strcmp(k, "block-time")) {
			bool win = !strcmp(k, "window");
			long ms = parse_ms(val);

			/* The uapi ranges: window 100..3600000, block 1000..86400000. */
			if (ms < 0 || (win && (ms < 100 || ms > 3600000)) ||
			    (!win && ms < 1000)) {
				snprintf(err, errlen, "bad value '%s' for %s (%s)",
					 val, k, win ? "100ms..3600s" : "1s..86400s");
				return -1;
			}
			if (msg)
				nerr |= nla_put_u32(msg, win ?
					XFILTER_DOMAIN_A_DETECT_WINDOW_MS :
					XFILTER_DOMAIN_A_BLOCK_MS, (uint32_t)ms);
			continue;
		} else if (!strcmp(k, "unattributed-flows")) {
			long n = parse_count(val);

			if (n < 0) {
				snprintf(err, errlen, "bad value '%s' for %s (a count)",
					 val, k);
				return -1;
			}
			if (msg)
				nerr |= nla_put_u32(msg,
					XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED,
					(uint32_t)n);
			continue;
		} else if (!strcmp(k, "ports") || !strcmp(k, "hosts") ||
			   !strcmp(k, "flows")) {
			long n = parse_count(val);

			if (n < 0 || (strcmp(k, "flows") && (n == 1 || n > 64))) {
				snprintf(err, errlen, "bad value '%s' for %s (%s)",
					 val, k, strcmp(k, "flows") ? "0 or 2..64" :
					 "a count 0..1000000");
				return -1;
			}
			if (msg)
				nerr |= nla_put_u32(msg, !strcmp(k, "ports") ?
					XFILTER_DOMAIN_A_DETECT_PORTS :
					!strcmp(k, "hosts") ?
					XFILTER_DOMAIN_A_DETECT_HOSTS :
					XFILTER_DOMAIN_A_DETECT_FLOWS, (uint32_t)n);
			continue;
		} else {
			snprintf(err, errlen, "unknown domain setting '%s' (mode, policy, unattributed, fail, detect, window, ports, hosts, flows, unattributed-flows, block-time)",
				 k);
			return -1;
		}
		if (v < 0) {
			snprintf(err, errlen, "bad value '%s' for %s", val, k);
			return -1;
		}
		if (msg)
			nerr |= nla_put_u8(msg, attr, (uint8_t)v);
	}
	if (nerr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* A time as `domain set` reads it: "10s", or "500ms" when not whole. */
static const char *ms_text(uint32_t ms, char *buf, size_t size)
{
	if (ms % 1000)
		snprintf(buf, size, "%ums", ms);
	else
		snprintf(buf, size, "%us", ms / 1000);
	return buf;
}

/* The settings of a DOMAIN_GET reply as `domain set` writes them. */
int xf_domain_settings_print(struct nlattr **d, char *buf, size_t size)
{
	int mode = d[XFILTER_DOMAIN_A_MODE] ? nla_get_u8(d[XFILTER_DOMAIN_A_MODE]) : -1;
	int det = d[XFILTER_DOMAIN_A_DETECT] ? nla_get_u8(d[XFILTER_DOMAIN_A_DETECT]) : -1;
	static const int act[] = { XFILTER_DOMAIN_A_POLICY,
		XFILTER_DOMAIN_A_UNATTRIBUTED, XFILTER_DOMAIN_A_FAIL_POLICY };
	static const int num[] = { XFILTER_DOMAIN_A_DETECT_WINDOW_MS,
		XFILTER_DOMAIN_A_DETECT_PORTS, XFILTER_DOMAIN_A_DETECT_HOSTS,
		XFILTER_DOMAIN_A_DETECT_FLOWS, XFILTER_DOMAIN_A_DETECT_UNATTRIBUTED,
		XFILTER_DOMAIN_A_BLOCK_MS };
	char win[16], block[16];
	const char *a[3];
	int i;

	if (mode < 0 || mode > 2 || det < 0 || det > 2)
		return -1;
	for (i = 0; i < 3; i++) {
		if (!d[act[i]])
			return -1;
		a[i] = xf_action_name(nla_get_u8(d[act[i]]));
	}
	for (i = 0; i < 6; i++)
		if (!d[num[i]] || nla_len(d[num[i]]) < 4)
			return -1;
	return snprintf(buf, size, "mode %s policy %s unattributed %s fail %s detect %s window %s ports %u hosts %u flows %u unattributed-flows %u block-time %s",
			mode_names[mode], a[0], a[1], a[2], detect_names[det],
			ms_text(nla_get_u32(d[num[0]]), win, sizeof(win)),
			nla_get_u32(d[num[1]]), nla_get_u32(d[num[2]]),
			nla_get_u32(d[num[3]]), nla_get_u32(d[num[4]]),
			ms_text(nla_get_u32(d[num[5]]), block, sizeof(block))) < (int)size ? 0 : -1;
}

int xf_domain_settings_text(const char *text, struct nl_msg *msg, char *err,
			    size_t errlen)
{
	char buf[1024], *argv[XF_SETTINGS_WORDS_MAX + 1], *save = NULL;
	int argc = 0;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "settings longer than %zu bytes", sizeof(buf) - 1);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	for (argv[argc] = strtok_r(buf, " \t", &save); argv[argc];
	     argv[argc] = strtok_r(NULL, " \t", &save)) {
		if (++argc > XF_SETTINGS_WORDS_MAX) {
			snprintf(err, errlen, "more than %d words of settings at '%.48s'",
				 XF_SETTINGS_WORDS_MAX, argv[argc - 1]);
			return -1;
		}
	}
	return xf_domain_settings(argc, argv, msg, err, errlen);
}
