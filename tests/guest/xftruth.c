// SPDX-License-Identifier: GPL-2.0
/*
 * xftruth: ground truth for the introspection tests, taken inside a guest
 * from the kernel's own /proc view: every process (/proc/PID/status and
 * comm) with its inet sockets (fd links joined with
 * /proc/net/{tcp,tcp6,udp,udp6}), one JSON object per line in the schema
 * of `xfctl -j ps`, between XF_TRUTH_BEGIN and XF_TRUTH_END lines.
 *
 * Sockets that no /proc/net table lists (bound-only TCP, never-bound
 * sockets) are asked directly instead: a duplicate of the owner's fd
 * (pidfd_getfd) gives family, protocol, local and peer address and TCP
 * state (tagged "via": "pidfd"); if even that fails they are
 * {"fd": N, "unhashed": true}. unix/netlink/packet/raw sockets are left
 * out (they are in their own /proc/net tables, which we also read).
 *
 * Static, for the lab's busybox guests; also compiled into the dump
 * guest's /init (tests/dump/guest-init.c) with XF_TRUTH_NO_MAIN.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct truth_sock {
	unsigned long ino;
	const char *proto;
	int v6;
	char laddr[64], raddr[64];
	unsigned int lport, rport, st;
};

static struct truth_sock *tsocks;
static int ntsocks, captsocks;
static unsigned long *otherino;	/* unix, netlink, packet, raw */
static int nother, capother;

static const char *tcp_state_name(unsigned int st)
{
	static const char *const n[] = { "UNKNOWN", "ESTABLISHED", "SYN_SENT",
		"SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
		"CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV" };

	return st < sizeof(n) / sizeof(n[0]) ? n[st] : "UNKNOWN";
}

/* /proc/net/tcp6 prints each 32-bit word of the address in host order. */
static void proc_addr(const char *hex, int v6, char *out)
{
	uint32_t w[4];
	int i;

	for (i = 0; i < (v6 ? 4 : 1); i++) {
		char tmp[9];

		memcpy(tmp, hex + 8 * i, 8);
		tmp[8] = 0;
		w[i] = strtoul(tmp, NULL, 16);
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, w, out, 64);
}

static void load_net(const char *path, const char *proto, int v6)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char la[40], ra[40];
		unsigned int lp, rp, st;
		unsigned long ino;
		struct truth_sock *t;

		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %*s %*s %lu",
			   la, &lp, ra, &rp, &st, &ino) != 6)
			continue;
		if (ntsocks == captsocks) {
			captsocks = captsocks ? 2 * captsocks : 1024;
			tsocks = realloc(tsocks, captsocks * sizeof(*tsocks));
		}
		t = &tsocks[ntsocks++];
		t->ino = ino;
		t->proto = proto;
		t->v6 = v6;
		proc_addr(la, v6, t->laddr);
		proc_addr(ra, v6, t->raddr);
		t->lport = lp;
		t->rport = rp;
		t->st = st;
	}
	fclose(f);
}

/* Inodes of non-inet sockets, found in their own /proc/net tables. */
static void load_other(const char *path, int col)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tok = strtok(line, " \t\n");
		int c;

		for (c = 0; tok && c < col; c++)
			tok = strtok(NULL, " \t\n");
		if (!tok)
			continue;
		if (nother == capother) {
			capother = capother ? 2 * capother : 1024;
			otherino = realloc(otherino, capother * sizeof(*otherino));
		}
		otherino[nother++] = strtoul(tok, NULL, 10);
	}
	fclose(f);
}

static int status_field(const char *status, const char *key, unsigned int *a,
			unsigned int *b)
{
	const char *p = strstr(status, key);

	return p && sscanf(p + strlen(key), "%u %u", a, b) >= 1;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/*
 * A socket /proc/net does not list (bound-only TCP, never-bound sockets):
 * ask the socket itself through a duplicate of the owner's fd.
 */
static int truth_pidfd_sock(int pid, int fd)
{
	struct sockaddr_storage a = { 0 }, b = { 0 };
	socklen_t al = sizeof(a), bl = sizeof(b), il = sizeof(int);
	int pfd, s, dom = 0, proto = 0, v6, st = 7;
	char la[64], ra[64];
	unsigned int lp, rp = 0;

	pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return -1;
	s = syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (s < 0)
		return -1;
	if (getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &il) < 0 ||
	    getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &proto, &il) < 0 ||
	    (dom != AF_INET && dom != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    getsockname(s, (void *)&a, &al) < 0) {
		close(s);
		return -1;
	}
	v6 = dom == AF_INET6;
	if (getpeername(s, (void *)&b, &bl) < 0)
		b.ss_family = dom;	/* unconnected: any address, port 0 */
	if (proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			st = ti.tcpi_state;
	} else if (bl && b.ss_family == dom && getpeername(s, (void *)&b, &bl) == 0) {
		st = 1;
	}
	close(s);
	if (v6) {
		struct sockaddr_in6 *x = (void *)&a, *y = (void *)&b;

		inet_ntop(AF_INET6, &x->sin6_addr, la, sizeof(la));
		inet_ntop(AF_INET6, &y->sin6_addr, ra, sizeof(ra));
		lp = ntohs(x->sin6_port);
		rp = ntohs(y->sin6_port);
	} else {
		struct sockaddr_in *x = (void *)&a, *y = (void *)&b;

		inet_ntop(AF_INET, &x->sin_addr, la, sizeof(la));
		inet_ntop(AF_INET, &y->sin_addr, ra, sizeof(ra));
		lp = ntohs(x->sin_port);
		rp = ntohs(y->sin_port);
	}
	printf("\"family\": \"%s\", \"proto\": \"%s\", \"state\": \"%s\", \"laddr\": \"%s\", \"lport\": %u, \"raddr\": \"%s\", \"rport\": %u, \"via\": \"pidfd\"}",
	       v6 ? "inet6" : "inet", proto == IPPROTO_TCP ? "tcp" : "udp",
	       tcp_state_name(st), la, lp, ra, rp);
	return 0;
}

static void truth_process(int pid)
{
	char path[64], status[4096], comm[64] = "", link[128], exe[4097];
	unsigned int tgid = 0, ppid = 0, uid = 0, euid = 0, gid = 0, dummy;
	int fds[4096], nfds = 0, i, first = 1, fd;
	ssize_t n;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, status, sizeof(status) - 1);
	close(fd);
	if (n <= 0)
		return;
	status[n] = 0;
	status_field(status, "\nTgid:", &tgid, &dummy);
	status_field(status, "\nPPid:", &ppid, &dummy);
	status_field(status, "\nUid:", &uid, &euid);
	status_field(status, "\nGid:", &gid, &dummy);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (n > 0)
			comm[n - 1] = 0;	/* trailing newline */
	}
	printf("{\"pid\": %d, \"tgid\": %u, \"ppid\": %u, \"uid\": %u, \"gid\": %u, \"euid\": %u, \"comm\": ",
	       pid, tgid, ppid, uid, gid, euid);
	json_str(comm);
	/* "" for kernel threads (no mm): readlink fails with ENOENT */
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	printf(", \"exe\": ");
	json_str(exe);
	printf(", \"sockets\": [");
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && (de = readdir(d)) && nfds < 4096)
		if (de->d_name[0] != '.')
			fds[nfds++] = atoi(de->d_name);
	if (d)
		closedir(d);
	qsort(fds, nfds, sizeof(int), cmp_int);
	for (i = 0; i < nfds; i++) {
		unsigned long ino;
		int k, other = 0;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fds[i]);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		for (k = 0; k < ntsocks && tsocks[k].ino != ino; k++)
			;
		if (k == ntsocks) {
			int o;

			for (o = 0; o < nother && otherino[o] != ino; o++)
				;
			other = o < nother;
		}
		if (other)
			continue;
		printf("%s{\"fd\": %d, ", first ? "" : ", ", fds[i]);
		first = 0;
		if (k == ntsocks) {
			if (truth_pidfd_sock(pid, fds[i]) < 0)
				printf("\"unhashed\": true}");
			continue;
		}
		printf("\"family\": \"%s\", \"proto\": \"%s\", \"state\": \"%s\", \"laddr\": \"%s\", \"lport\": %u, \"raddr\": \"%s\", \"rport\": %u}",
		       tsocks[k].v6 ? "inet6" : "inet", tsocks[k].proto,
		       tcp_state_name(tsocks[k].st), tsocks[k].laddr,
		       tsocks[k].lport, tsocks[k].raddr, tsocks[k].rport);
	}
	printf("]}\n");
}

static void truth(void)
{
	DIR *d;
	struct dirent *de;

	ntsocks = nother = 0;
	load_net("/proc/net/tcp", "tcp", 0);
	load_net("/proc/net/tcp6", "tcp", 1);
	load_net("/proc/net/udp", "udp", 0);
	load_net("/proc/net/udp6", "udp", 1);
	load_other("/proc/net/unix", 6);
	load_other("/proc/net/netlink", 8);
	load_other("/proc/net/packet", 8);
	load_other("/proc/net/raw", 9);
	load_other("/proc/net/raw6", 9);
	printf("XF_TRUTH_BEGIN\n");
	d = opendir("/proc");
	while (d && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			truth_process(atoi(de->d_name));
	closedir(d);
	printf("XF_TRUTH_END\n");
	fflush(stdout);
}

#ifndef XF_TRUTH_NO_MAIN
int main(void)
{
	truth();
	return 0;
}
#endif
