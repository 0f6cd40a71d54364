/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real etcd for the host tests and benchmarks (Debian's etcd-server):
 * started on a temporary directory (etcd_dir, from mkdtemp) and free
 * localhost ports, killed like a crash; and a wait for what the policy
 * watcher's copy holds. Shared by tests/unit/test_store.c and
 * tests/bench/fleet-bench.c.
 */
#ifndef XF_TEST_ETCD_LAB_H
#define XF_TEST_ETCD_LAB_H

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "etcd.h"
#include "policy.h"

#define WAIT_S 60	/* a bound for a failure, not a timing window */

static char etcd_dir[] = "/tmp/xf_etcd.XXXXXX";
static int peer_port;

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static pid_t etcd_start(int port)
{
	char data[128], client[64], peer[64], cluster[96], log[128];
	pid_t pid;
	int fd;

	snprintf(data, sizeof(data), "%s/data", etcd_dir);
	snprintf(client, sizeof(client), "http://127.0.0.1:%d", port);
	snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", peer_port);
	snprintf(cluster, sizeof(cluster), "xftest=%s", peer);
	snprintf(log, sizeof(log), "%s/etcd.log", etcd_dir);
	pid = fork();
	if (pid)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execlp("etcd", "etcd", "--name", "xftest", "--data-dir", data,
	       "--listen-client-urls", client, "--advertise-client-urls", client,
	       "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
	       "--initial-cluster", cluster, (char *)NULL);
	_exit(127);
}

static void etcd_kill(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);	/* a crash, not a clean stop */
		waitpid(pid, NULL, 0);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* etcd answers a range on port (it is a condition: polled, bounded). */
static bool etcd_up(int port, pid_t pid)
{
	char url[64], err[256];
	struct xf_kv_list l;
	struct xf_etcd e;
	double end = now_s() + WAIT_S;
	bool up = false;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	if (xf_etcd_init(&e, url, err, sizeof(err)))
		return false;
	while (!up && now_s() < end && waitpid(pid, NULL, WNOHANG) == 0) {
		up = !xf_etcd_range(&e, "/", &l);
		if (up)
			xf_kv_list_free(&l);
		else
			usleep(100000);
	}
	xf_etcd_free(&e);
	return up;
}

/*
 * Waits until done(w, arg), called under w->lock, holds: woken by the
 * watcher's eventfd, at most WAIT_S seconds (a bound for a failure).
 */
static bool watch_wait(struct xf_policy_watch *w,
		       bool (*done)(struct xf_policy_watch *w, const void *arg),
		       const void *arg)
{
	struct pollfd p = { .fd = w->efd, .events = POLLIN };
	double end = now_s() + WAIT_S;
	bool ok;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		ok = done(w, arg);
		pthread_mutex_unlock(&w->lock);
		if (ok || now_s() >= end)
			return ok;
		if (poll(&p, 1, 1000) > 0)
			xf_policy_watch_ack(w);
	}
}

#endif /* XF_TEST_ETCD_LAB_H */
