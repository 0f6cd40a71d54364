// SPDX-License-Identifier: GPL-2.0
/*
 * The userland filter's own figures for `xfctl stats`: xfilterd keeps them
 * in /run/xfilter/xfilterd.stats (see userspace/xfilterd/stats.c); absent
 * when no daemon runs. Printed after the module's counters: JSON members
 * ("xfilterd":{...}) or an indented block.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rule_text.h"
#include "xfctl.h"

#define XFD_STATS_FILE "/run/xfilter/xfilterd.stats"

void xfctl_print_daemon_stats(FILE *out)
{
	xfctl_print_daemon_stats_file(out, XFD_STATS_FILE);
}

/* The fleet store's line (xfilterd --etcd): "store etcd connected=N ...". */
struct store_line {
	int connected;
	long long revision;
	unsigned long long disconnects, resyncs, events, keys, applied,
			   replaced, bad;
};

static bool read_store(FILE *f, struct store_line *st)
{
	char line[512];
	bool found = false;

	rewind(f);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "store etcd connected=%d revision=%lld disconnects=%llu resyncs=%llu events=%llu keys=%llu applied=%llu replaced=%llu bad=%llu",
			       &st->connected, &st->revision, &st->disconnects,
			       &st->resyncs, &st->events, &st->keys,
			       &st->applied, &st->replaced, &st->bad) == 9;
	return found;
}

static void print_store(FILE *out, bool found, const struct store_line *st)
{
	if (xfctl_opts.json && !found) {
		fprintf(out, "\"store\":null,");
	} else if (xfctl_opts.json) {
		fprintf(out, "\"store\":{\"kind\":\"etcd\",\"connected\":%s,\"revision\":%lld,\"disconnects\":%llu,\"resyncs\":%llu,\"events\":%llu,\"keys\":%llu,\"guests_applied\":%llu,\"replaced\":%llu,\"bad\":%llu},",
			st->connected ? "true" : "false", st->revision,
			st->disconnects, st->resyncs, st->events, st->keys,
			st->applied, st->replaced, st->bad);
	} else if (found) {
		fprintf(out, "store            etcd %s, revision %lld, %llu keys, %llu guests applied; %llu disconnects, %llu full reads, %llu events, %llu replaced, %llu bad\n",
			st->connected ? "connected" : "DISCONNECTED", st->revision,
			st->keys, st->applied, st->disconnects, st->resyncs,
			st->events, st->replaced, st->bad);
	}
}

void xfctl_print_daemon_stats_file(FILE *out, const char *path)
{
	struct store_line st = { 0 };
	bool store;
	unsigned long long batches = 0, flows = 0;
	unsigned int b[3] = { 0 }, s[3] = { 0 }, samples = 0;
	char line[512];
	bool running;
	int pid = 0, ndom = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (!xfctl_opts.json)
			fprintf(out, "xfilterd         not running\n");
		else
			fprintf(out, ",\"xfilterd\":null");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "pid %d", &pid);
		sscanf(line, "batches %llu", &batches);
		sscanf(line, "flows %llu", &flows);
		sscanf(line, "batch_us %u %u %u", &b[0], &b[1], &b[2]);
		sscanf(line, "syn_us %u %u %u", &s[0], &s[1], &s[2]);
		sscanf(line, "samples %u", &samples);
	}
	running = pid > 0 && kill(pid, 0) == 0;
	store = read_store(f, &st);
	if (xfctl_opts.json) {
		fprintf(out, ",\"xfilterd\":{\"pid\":%d,\"running\":%s,\"batches\":%llu,\"flows\":%llu,"
			"\"batch_us\":{\"p50\":%u,\"p99\":%u,\"max\":%u},"
			"\"syn_to_verdict_us\":{\"p50\":%u,\"p99\":%u,\"max\":%u},\"samples\":%u,",
			pid, running ? "true" : "false", batches, flows, b[0], b[1],
			b[2], s[0], s[1], s[2], samples);
		print_store(out, store, &st);
		fputs("\"domains\":[", out);
	} else {
		fprintf(out, "xfilterd         pid %d%s, %llu batches, %llu flows\n",
			pid, running ? "" : " (not running)", batches, flows);
		fprintf(out, "batch_latency    p50 %u us  p99 %u us  max %u us\n",
			b[0], b[1], b[2]);
		fprintf(out, "syn_to_verdict   p50 %u us  p99 %u us  max %u us (%u samples)\n",
			s[0], s[1], s[2], samples);
		print_store(out, store, &st);
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned int id;
		char name[64], state[16];

		if (sscanf(line, "domain %u %63s %15s", &id, name, state) != 3)
			continue;
		line[strcspn(line, "\n")] = 0;
		/* Guest names come from xenstore: escape them. */
		if (xfctl_opts.json) {
			fprintf(out, "%s{\"domid\":%u,\"name\":", ndom ? "," : "",
				id);
			xf_json_str(out, name);
			fprintf(out, ",\"state\":");
			xf_json_str(out, state);
			fputc('}', out);
		} else {
			char q[XF_TEXT_QUOTE_MAX(sizeof(line))];

			xf_text_quote(line, strlen(line), q, sizeof(q));
			fprintf(out, "  %s\n", q);
		}
		ndom++;
	}
	if (xfctl_opts.json)
		fputs("]}", out);
	fclose(f);
}
