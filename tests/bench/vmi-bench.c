// SPDX-License-Identifier: GPL-2.0
/*
 * Guest introspection cost on a dump (scripts/make-dump.sh):
 *
 *   vmi-bench DUMP_DIR [ROUNDS]
 *
 * Measures, over the same guest memory:
 *   walk       one full listing (every process, every inet socket)
 *   lookup     5-tuple -> struct sock through the guest's hash tables
 *              (sk_uid attribution: the uid, no process)
 *   scan       lookup + owner process by fd-table pointer scan
 *   hinted     lookup + owner through a checked (task, fd) hint, as the
 *              daemon has after a first answer for that socket
 *   sock-creds lookup + xf_vmi_owner(): uid/gid/euid from the socket
 *              file's f_cred and the cgroup path, no task (what uid and
 *              cgroup rules need)
 *   sock-task  the same plus the task holding the socket, searched
 *              through open-fd bitmaps, the socket's uid first (pid and
 *              comm rules), no hint: compare with scan
 *   walkfind   the same answer from a full walk that stops at the socket
 * "cold" variants flush the backend's translation cache before each flow;
 * the others keep it warm, as a running daemon would.
 * Prints one line per measure: name, flows, median us, p99 us, max us,
 * guest reads per flow. Under callgrind, --toggle-collect=bench_* counts
 * only the measured function; XF_BENCH_ONLY=walk|lookup|scan|hinted|
 * sock_creds|sock_task|walkfind skips the other measures.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/vmi_dump.h"
#include "rule.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *only;

static bool want(const char *name)
{
	return !only || !strcmp(only, name);
}

static void report(const char *name, double *t, size_t n, uint64_t reads,
		   size_t fails)
{
	if (!n)
		return;
	qsort(t, n, sizeof(*t), cmp_d);
	printf("%-14s %6zu %10.2f %10.2f %10.2f %10.1f %s\n", name, n, t[n / 2],
	       t[n * 99 / 100], t[n - 1], (double)reads / n,
	       fails ? "FAILURES" : "");
}

/* Not static: callgrind's --toggle-collect needs the names. */
__attribute__((noinline)) int bench_walk(struct xf_guest *g, struct dump_walk *w)
{
	return xf_vmi_walk(&g->vmi, dump_on_proc, dump_on_sock, w);
}

__attribute__((noinline)) int bench_lookup(struct xf_guest *g, const struct xf_vmi_tuple *t,
		 struct xf_vmi_sock *s)
{
	return xf_vmi_sock_lookup(&g->vmi, t, s);
}

__attribute__((noinline)) int bench_fast(struct xf_guest *g, const struct xf_vmi_tuple *t,
	       struct xf_vmi_proc *p, uint64_t hint_task, int32_t hint_fd)
{
	struct xf_vmi_sock s;
	int32_t fd;
	int r = xf_vmi_sock_lookup(&g->vmi, t, &s);

	if (r)
		return r;
	if (!s.file)
		return XF_VMI_ENOENT;
	return xf_vmi_file_owner(&g->vmi, s.file, hint_task, hint_fd, p, &fd);
}

/* The two owner paths, apart for callgrind's --toggle-collect. */
__attribute__((noinline)) int bench_scan(struct xf_guest *g,
					 const struct xf_vmi_tuple *t,
					 struct xf_vmi_proc *p)
{
	return bench_fast(g, t, p, 0, -1);
}

__attribute__((noinline)) int bench_hinted(struct xf_guest *g,
					   const struct xf_vmi_tuple *t,
					   struct xf_vmi_proc *p,
					   uint64_t task, int32_t fd)
{
	return bench_fast(g, t, p, task, fd);
}

/* The hinted path plus the owner's executable path (xfilterd's answer). */
__attribute__((noinline)) int bench_exe(struct xf_guest *g, struct xf_vmi_proc *p)
{
	return xf_vmi_exe(&g->vmi, p->task, &p->owner);
}

__attribute__((noinline)) int bench_hinted_exe(struct xf_guest *g,
					       const struct xf_vmi_tuple *t,
					       struct xf_vmi_proc *p,
					       uint64_t task, int32_t fd)
{
	int r = bench_fast(g, t, p, task, fd);

	return r ? r : bench_exe(g, p);
}

/*
 * The owner from the socket itself (xf_vmi_owner): credentials and cgroup
 * only (what uid/euid/gid/cgroup rules need), or also the task (pid, comm
 * rules), searched without a hint.
 */
__attribute__((noinline)) int bench_owner(struct xf_guest *g,
					  const struct xf_vmi_tuple *t,
					  struct xf_vmi_proc *p, uint32_t need)
{
	struct xf_vmi_sock s;
	int32_t fd;
	int r = xf_vmi_sock_lookup(&g->vmi, t, &s);

	if (r)
		return r;
	if (!s.file)
		return XF_VMI_ENOENT;
	r = xf_vmi_owner(&g->vmi, &s, need, 0, -1, p, &fd);
	if (r)
		return r;
	if (need & XF_RF_TASK)
		return p->owner.flags & XF_OWNER_F_TASK ? 0 : XF_VMI_ENOENT;
	return 0;
}

struct find {
	uint64_t sk;
	uint32_t tgid;
};

static int find_sock(void *arg, const struct xf_vmi_proc *p,
		     const struct xf_vmi_sock *s)
{
	struct find *f = arg;

	if (s->sk != f->sk)
		return 0;
	f->tgid = p->owner.tgid;
	return 1;
}

__attribute__((noinline)) int bench_walkfind(struct xf_guest *g, struct find *f)
{
	return xf_vmi_walk(&g->vmi, NULL, find_sock, f);
}

int main(int argc, char **argv)
{
	struct dump_walk w = { 0 };
	struct xf_guest g;
	size_t rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 5, i, k, n = 0;
	size_t *pick, fails;
	double *t;
	uint64_t r0;
	struct xf_vmi_proc p;

	only = getenv("XF_BENCH_ONLY");
	if (argc < 2 || dump_open(&g, argv[1])) {
		fprintf(stderr, "usage: vmi-bench DUMP_DIR [ROUNDS] (a make-dump.sh directory)\n");
		return 2;
	}
	if (bench_walk(&g, &w)) {
		fprintf(stderr, "walk failed\n");
		return 1;
	}
	/* Flows: every socket the kernel would deliver to (hashed). */
	pick = calloc(w.nsocks, sizeof(*pick));
	for (i = 0; i < w.nsocks; i++) {
		const struct xf_vmi_sock *s = &w.socks[i].s;

		if (s->lport && !(s->proto == 6 && s->state == 7))
			pick[n++] = i;
	}
	t = calloc(n > rounds ? n : rounds, sizeof(*t));
	printf("# %s: %zu processes, %zu inet sockets, %zu hashed flows\n", argv[1],
	       w.nprocs, w.nsocks, n);
	printf("%-14s %6s %10s %10s %10s %10s\n", "measure", "n", "median_us",
	       "p99_us", "max_us", "reads");

	r0 = g.vmi.reads;
	for (k = 0; k < rounds && want("walk"); k++) {
		struct dump_walk w2 = { 0 };
		double t0 = now_us();

		bench_walk(&g, &w2);
		t[k] = now_us() - t0;
		dump_walk_free(&w2);
	}
	if (want("walk"))
		report("walk", t, rounds, g.vmi.reads - r0, 0);

	for (int cold = 0; cold < 2; cold++) {
		static const char *const names[2][6] = {
			{ "lookup", "scan", "hinted", "hinted+exe", "sock-creds",
			  "sock-task" },
			{ "lookup-cold", "scan-cold", "hinted-cold", "hinted+exe-cold",
			  "sock-creds-cold", "sock-task-cold" },
		};

		/* 1: sock only */
		fails = 0;
		if (!want("lookup"))
			goto owner;
		r0 = g.vmi.reads;
		for (i = 0; i < n; i++) {
			struct xf_vmi_tuple tu;
			struct xf_vmi_sock s;
			double t0;

			dump_tuple(&w.socks[pick[i]].s, &tu);
			if (cold)
				xf_mem_tlb_flush(g.mem);
			t0 = now_us();
			fails += bench_lookup(&g, &tu, &s) != 0;
			t[i] = now_us() - t0;
		}
		report(names[cold][0], t, n, g.vmi.reads - r0, fails);
owner:
		/* 2: sock + owner by scan; 3: with hint; 4: and its exe */
		/* 5: xf_vmi_owner, creds + cgroup; 6: and the task */
		for (int hinted = 0; hinted < 5; hinted++) {
			static const char *const only_names[5] = {
				"scan", "hinted", "hinted_exe", "sock_creds",
				"sock_task"
			};

			if (!want(only_names[hinted]))
				continue;
			fails = 0;
			r0 = g.vmi.reads;
			for (i = 0; i < n; i++) {
				const struct dump_sock *ds = &w.socks[pick[i]];
				struct xf_vmi_tuple tu;
				uint64_t task = 0;
				double t0;
				size_t j;

				if (hinted == 1 || hinted == 2)
					for (j = 0; j < w.nprocs && !task; j++)
						if (w.procs[j].owner.tgid == ds->tgid)
							task = w.procs[j].task;
				dump_tuple(&ds->s, &tu);
				if (cold)
					xf_mem_tlb_flush(g.mem);
				t0 = now_us();
				if (hinted >= 3)
					fails += bench_owner(&g, &tu, &p, hinted == 3 ?
							     XF_RF_SOCKET : XF_RF_SOCKET | XF_RF_PID) != 0;
				else if (hinted == 2)
					fails += bench_hinted_exe(&g, &tu, &p, task,
								  ds->s.fd) != 0;
				else if (hinted)
					fails += bench_hinted(&g, &tu, &p, task,
							      ds->s.fd) != 0;
				else
					fails += bench_scan(&g, &tu, &p) != 0;
				t[i] = now_us() - t0;
			}
			report(names[cold][1 + hinted], t, n, g.vmi.reads - r0, fails);
		}
	}

	/* A full walk per flow is slow: a sample of flows. */
	if (want("walkfind")) {
		size_t m = n < 200 ? n : 200;

		fails = 0;
		r0 = g.vmi.reads;
		for (i = 0; i < m; i++) {
			const struct dump_sock *ds = &w.socks[pick[i * n / m]];
			struct find f = { ds->s.sk, 0 };
			double t0 = now_us();

			bench_walkfind(&g, &f);
			t[i] = now_us() - t0;
			fails += f.tgid == 0;
		}
		report("walkfind", t, m, g.vmi.reads - r0, fails);
	}
	printf("# backend: %llu page walks, %llu translation cache hits\n",
	       (unsigned long long)g.mem->stats_walks,
	       (unsigned long long)g.mem->stats_hits);
	dump_walk_free(&w);
	xf_guest_close(&g);
	free(pick);
	free(t);
	return 0;
}
