// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the throw-away QEMU guest that scripts/make-dump.sh dumps.
 *
 * It builds a known workload (processes under several users, threads,
 * TCP/UDP sockets over IPv4 and IPv6 in every state the walker decodes),
 * then records ground truth from the kernel's own /proc view (fd links
 * joined with /proc/net/{tcp,tcp6,udp,udp6}) on the console between
 * markers, and sleeps so the host can take dump-guest-memory.
 *
 * The truth (tests/guest/xftruth.c, compiled in) is in the JSON schema
 * of `xfctl -j ps`, one process per line, so the host test compares like
 * with like.
 *
 * Kernel command line knobs: xf.procs=N (workload processes), xf.socks=N
 * (inet sockets in total, roughly), xf.fat=N (sockets of one big process),
 * xf.idle=N (processes with no socket: a guest with many processes whose
 * sockets are as many as in a small one, for the benchmark's sizes).
 * Built static by make-dump.sh; never runs on the host.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int nprocs = 40, nsocks = 160, nfat = 100, nidle;

static void die(const char *what)
{
	printf("XF_FAIL %s: %s\n", what, strerror(errno));
	fflush(stdout);
	for (;;)
		pause();
}

static void read_cmdline(void)
{
	char buf[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(buf, sizeof(buf), f))
		return;
	fclose(f);
	if ((p = strstr(buf, "xf.procs=")))
		nprocs = atoi(p + 9);
	if ((p = strstr(buf, "xf.socks=")))
		nsocks = atoi(p + 9);
	if ((p = strstr(buf, "xf.fat=")))
		nfat = atoi(p + 7);
	if ((p = strstr(buf, "xf.idle=")))
		nidle = atoi(p + 8);
}

/*
 * With make-dump.sh -v the initramfs carries qemu_fw_cfg.ko: loaded, it
 * hands the kernel's VMCOREINFO to QEMU's vmcoreinfo device, and the dump
 * then carries a VMCOREINFO note (KERNELOFFSET: the KASLR slide).
 */
static void load_fw_cfg(void)
{
	int fd = open("/qemu_fw_cfg.ko", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (syscall(SYS_finit_module, fd, "", 0) < 0)
		printf("XF_NOTE qemu_fw_cfg: %s\n", strerror(errno));
	close(fd);
}

/* Our fixed ports are below 50000: keep ephemeral ones out of their way. */
static void port_range(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "w");

	if (f) {
		fputs("50000 60999\n", f);
		fclose(f);
	}
}

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo");
	close(s);
}

/* ---- workload ---------------------------------------------------------- */

static int sock_bound(int fam, int type, const char *addr, int port)
{
	int s = socket(fam, type, 0), one = 1, tries;

	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (tries = 0; tries < 50; tries++) {
		int r;

		if (fam == AF_INET) {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_port = htons(port) };
			inet_pton(AF_INET, addr, &a.sin_addr);
			r = bind(s, (void *)&a, sizeof(a));
		} else {
			struct sockaddr_in6 a = { .sin6_family = AF_INET6,
						  .sin6_port = htons(port) };
			inet_pton(AF_INET6, addr, &a.sin6_addr);
			r = bind(s, (void *)&a, sizeof(a));
		}
		if (r == 0)
			return s;
		usleep(100000);	/* ::1 may need a moment after lo is up */
	}
	die("bind");
	return -1;
}

static void sock_connect(int s, int fam, const char *addr, int port)
{
	int r;

	if (fam == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(port) };
		inet_pton(AF_INET, addr, &a.sin_addr);
		r = connect(s, (void *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6,
					  .sin6_port = htons(port) };
		inet_pton(AF_INET6, addr, &a.sin6_addr);
		r = connect(s, (void *)&a, sizeof(a));
	}
	if (r < 0)
		die("connect");
}

/* A connected TCP pair inside one process: listener, client, accepted. */
static int tcp_pair(int lfam, const char *laddr, int cfam, const char *caddr,
		    int port, int keep_listener)
{
	int l = sock_bound(lfam, SOCK_STREAM, laddr, port), c, a;

	if (listen(l, 16) < 0)
		die("listen");
	c = socket(cfam, SOCK_STREAM, 0);
	if (c < 0)
		die("socket");
	sock_connect(c, cfam, caddr, port);
	a = accept(l, NULL, NULL);
	if (a < 0)
		die("accept");
	if (!keep_listener) {
		close(l);
		return 2;
	}
	return 3;
}

/* Returns how many sockets it made. */
static int make_socket(int kind, int port)
{
	int s;

	switch (kind) {
	case 0:
		s = sock_bound(AF_INET, SOCK_STREAM, "127.0.0.1", port);
		listen(s, 8);
		return 1;
	case 1:
		s = sock_bound(AF_INET6, SOCK_STREAM, "::", port);
		listen(s, 8);
		return 1;
	case 2:
		return tcp_pair(AF_INET, "127.0.0.1", AF_INET, "127.0.0.1", port, 1);
	case 3:
		return tcp_pair(AF_INET6, "::1", AF_INET6, "::1", port, 1);
	case 4:
		sock_bound(AF_INET, SOCK_DGRAM, "0.0.0.0", port);
		return 1;
	case 5:
		s = sock_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", port);
		sock_connect(s, AF_INET, "127.0.0.1", 53);
		return 1;
	case 6:
		sock_bound(AF_INET6, SOCK_DGRAM, "::1", port);
		return 1;
	case 7:
		s = sock_bound(AF_INET6, SOCK_DGRAM, "::1", port);
		sock_connect(s, AF_INET6, "::1", 53);
		return 1;
	case 8:		/* never bound: CLOSE, in no hash table */
		if (socket(AF_INET, SOCK_STREAM, 0) < 0)
			die("socket");
		return 1;
	case 9:
		if (socket(AF_INET6, SOCK_DGRAM, 0) < 0)
			die("socket");
		return 1;
	case 10:	/* IPv6 client to an IPv4 listener: v4-mapped */
		return tcp_pair(AF_INET, "127.0.0.1", AF_INET6,
				"::ffff:127.0.0.1", port, 0);
	case 11:	/* dual-stack listener, IPv4 client: mapped child */
		return tcp_pair(AF_INET6, "::", AF_INET, "127.0.0.1", port, 1);
	case 12:	/* bound, not listening: CLOSE but in bhash */
		sock_bound(AF_INET, SOCK_STREAM, "127.0.0.1", port);
		return 1;
	default:	/* UDP, wildcard IPv6 */
		sock_bound(AF_INET6, SOCK_DGRAM, "::", port);
		return 1;
	}
}
#define NKINDS 14

static void *thread_sleep(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static const unsigned int uids[] = { 0, 1001, 1002, 8, 65534 };

static void workload_child(int i, int quota, int ready_fd)
{
	char name[32];
	unsigned int uid = uids[i % 5], euid = uid, gid;
	int made = 0, port = 20000 + i * 16, j;

	if (i % 13 == 6)
		euid = 1002, uid = 1001;	/* ruid != euid */
	snprintf(name, sizeof(name), "wl-%u-%d", uid, i);
	prctl(PR_SET_NAME, name);	/* truncated to 15 */
	for (j = 0; made < quota; j++) {
		int kind = (i * 5 + j) % NKINDS;

		/* Ports: 16 per process, plus a block for the fat one. */
		made += make_socket(kind, j < 16 ? port + j : 40000 + j);
	}
	/* gid differs from uid so that a swapped field shows. */
	gid = uid ? uid + 100 : 0;
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, euid, euid) < 0)
		die("setresuid");
	if (i % 4 == 1) {
		pthread_t t;
		int k;

		for (k = 0; k < 2; k++)
			pthread_create(&t, NULL, thread_sleep, NULL);
	}
	if (i % 10 == 3 && fork() == 0) {
		/* A child sharing every socket of its parent. */
		snprintf(name, sizeof(name), "wl-kid-%d", i);
		prctl(PR_SET_NAME, name);	/* truncated to 15 */
		if (write(ready_fd, "k", 1) != 1)
			die("write");
		close(ready_fd);
		for (;;)
			pause();
	}
	if (write(ready_fd, "r", 1) != 1)
		die("write");
	close(ready_fd);
	for (;;)
		pause();
}

/*
 * Idle processes: forked from /init, no socket, under the workload's
 * users, nothing but pause(). Each costs the guest a kernel stack, a
 * task_struct and a few page tables (tens of KiB): ten thousand fit in
 * make-dump.sh's memory.
 */
static void start_idle(void)
{
	int i;

	for (i = 0; i < nidle; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork (idle)");
		if (pid == 0) {
			unsigned int uid = uids[i % 5];

			prctl(PR_SET_NAME, "wl-idle");
			if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
				die("setresuid (idle)");
			for (;;)
				pause();
		}
	}
}

static void start_busybox(const char *user_uid, char *const argv[], int ready_fd)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		unsigned int uid = atoi(user_uid);

		close(ready_fd);
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			die("setuid");
		execv(argv[0], argv);
		die("execv");
	}
}

static void start_workload(void)
{
	int p[2], i, want = 0, per = nprocs ? nsocks / nprocs : 0;
	char c;

	if (pipe(p) < 0)
		die("pipe");
	for (i = 0; i < nprocs; i++) {
		int quota = i == 0 ? nfat : per;
		pid_t pid = fork();

		want += (i % 10 == 3) ? 2 : 1;
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[0]);
			workload_child(i, quota, p[1]);
		}
	}
	close(p[1]);
	for (i = 0; i < want; i++)
		if (read(p[0], &c, 1) != 1)
			die("ready pipe");
	close(p[0]);
	{
		char *httpd[] = { "/bin/httpd", "-f", "-p", "127.0.0.1:8080", NULL };
		char *nc[] = { "/bin/nc", "-l", "-p", "9000", NULL };
		char *sleep[] = { "/bin/sleep", "100000", NULL };

		start_busybox("8", httpd, -1);
		start_busybox("1002", nc, -1);
		start_busybox("1001", sleep, -1);
	}
	sleep(3);	/* let the busybox daemons bind */
}

#define XF_TRUTH_NO_MAIN
#include "../guest/xftruth.c"

int main(void)
{
	mkdir("/proc", 0755);
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		die("mount /proc");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	read_cmdline();
	lo_up();
	port_range();
	load_fw_cfg();
	printf("XF_WORKLOAD procs=%d socks=%d fat=%d idle=%d\n", nprocs, nsocks,
	       nfat, nidle);
	fflush(stdout);
	/*
	 * Idle first: the task list is in creation order, so a search for
	 * the workload's sockets walks past all of them, as in a guest whose
	 * long-running processes came before the one that connects.
	 */
	start_idle();
	start_workload();
	sleep(2);	/* let boot-time kernel threads settle */
	truth();
	printf("XF_READY\n");
	fflush(stdout);
	for (;;)
		pause();
}
