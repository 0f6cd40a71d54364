// SPDX-License-Identifier: GPL-2.0
/*
 * xfnet: the lab's traffic tool, static so that it runs in the busybox
 * guests and in dom0 alike. Every command prints one summary line that
 * tests parse ("key=value ..."), and exits 0 only when everything it tried
 * worked. Addresses are numeric (IPv4 or IPv6); no name service.
 *
 *   xfnet tcp-connect ADDR PORT [-n COUNT] [-t MS] [-H SECS] [-s TEXT] [-i MS]
 *                     [-w FILE]
 *   xfnet tcp-listen PORT [-n COUNT] [-e]        accept (and echo with -e)
 *   xfnet scan ADDR LO-HI [-t MS]                reached=N filtered=N
 *   xfnet udp-spray ADDR LO-HI [-w FILE]         one socket and datagram per
 *                                                port, back to back: many
 *                                                new flows in one batch
 *   xfnet udp-send ADDR PORT [-n COUNT] [-z SIZE] [-r] [-t MS] [-i MS] [-d MS]
 *                  [-b SPORT] [-w FILE] [-W FILE] [-m MODE] [-P PATH] [-F N]
 *   xfnet udp-echo PORT [-n COUNT]
 *   xfnet udp-recv PORT [-n COUNT]               one line per datagram
 *   xfnet tcp-stream ADDR PORT BYTES [-z CHUNK] [-d MS]  throughput sender
 *   xfnet tcp-sink PORT [-n COUNT]               throughput receiver
 *   xfnet fd-hog COUNT                           COUNT processes, each with
 *                                                its highest fd slot open
 *   xfnet fd-recv PATH [-n COUNT] [-z SIZE]      take one connected UDP socket
 *                                                over PATH and send on it
 *
 * -H keeps each connection open SECS seconds (for introspection tests), -r
 * waits for a UDP reply, -t is the per-attempt timeout, -i pauses between
 * connection attempts, -v prints each attempt's connect time, -d makes
 * udp-send and tcp-stream send for MS milliseconds instead of COUNT
 * datagrams or BYTES (tcp-stream then waits at most -t MS for the peer's
 * EOF). -w makes tcp-connect wait, after its first attempt, until FILE
 * exists (a test's "go", so a rule is in place before the rest: no race
 * with a slow machine); udp-send keeps its socket open until FILE exists
 * (its owner can be found however late the lookup comes). -b binds
 * udp-send's socket to a source port (SO_REUSEADDR), so that a new socket
 * can send on an old one's flow; -W makes it wait, bound, until FILE
 * exists before it sends (a socket older than another one on its port).
 * A TCP attempt that ends in RST (refused)
 * still reached the peer: only a silent drop counts
 * as filtered, which is what a dropping rule looks like from the guest.
 * Listeners bind both families ([::], v4-mapped).
 *
 * The attribution tricks of an unprivileged user (tests/kselftest/
 * 48-evasion.sh), all on a socket the user made:
 *   udp-send -m fork-exit   fork, the parent exits, the orphan sends
 *   udp-send -m daemon      fork, setsid, fork again, both ancestors exit
 *   udp-send -m thread      a second thread sends, the first one has ended
 *                           (pthread_exit: the group leader is a zombie)
 *   udp-send -m sendmmsg    all COUNT datagrams in one sendmmsg()
 *   udp-send -m sendto      unconnected (wildcard bound), sendto() each
 *   udp-send -P PATH        hand the connected socket over SCM_RIGHTS to
 *                           the `fd-recv PATH` of another user, close it
 *                           and exit: the other user's process sends
 *   udp-send -F N           N processes (PR_SET_PDEATHSIG) that each hold
 *                           the socket in their highest fd slot, the limit
 *                           raised to the hard one, while it sends
 * Forked senders print the summary line themselves: redirect to a file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>


struct opts {
	long count, timeout_ms, hold_s, size, interval_ms, duration_ms, sport;
	long holders;
	bool echo, reply, verbose;
	const char *text;
	const char *go_file;
	const char *send_file;	/* -W */
	const char *mode;	/* -m: NULL, or one of the tricks above */
	const char *pass_path;	/* -P */
};

/* -w: wait for the test's go file, bounded so a lost test never hangs. */
static void wait_go(const char *path)
{
	int i;

	for (i = 0; i < 6000 && access(path, F_OK); i++)
		usleep(100 * 1000);
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "xfnet: %s '%s'\n", what, arg);
	exit(2);
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		die("bad number", s);
	return v;
}

static socklen_t addr_parse(const char *s, long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return sizeof(*a6);
	}
	die("bad address", s);
	return 0;
}

/* 0: connected, 1: refused (reached the peer), -1: timed out or other. */
static int tcp_connect_one(const struct sockaddr_storage *ss, socklen_t len,
			   long timeout_ms, int *fdp)
{
	struct pollfd p;
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS) {
		err = errno;
		goto out;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, timeout_ms) != 1) {
		err = ETIMEDOUT;
		goto out;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
out:
	if (err) {
		close(fd);
		return err == ECONNREFUSED ? 1 : -1;
	}
	fcntl(fd, F_SETFL, 0);
	*fdp = fd;
	return 0;
}

static int listen_on(int type, long port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket", strerror(errno));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind", strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		die("listen", strerror(errno));
	return fd;
}

/*
 * Send TEXT and a newline in one write and print what an echo server sends
 * back, up to its newline: under load the reply may come in pieces.
 */
static void echo_line(int fd, const char *text, long timeout_ms)
{
	char buf[512];
	size_t len = strlen(text), got = 0;
	long deadline = now_ms() + timeout_ms;

	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	memcpy(buf, text, len);
	buf[len++] = '\n';
	if (write(fd, buf, len) != (ssize_t)len)
		return;
	while (got < sizeof(buf) - 1 && (!got || buf[got - 1] != '\n')) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) != 1)
			break;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	if (got && buf[got - 1] != '\n')
		buf[got++] = '\n';
	fwrite(buf, 1, got, stdout);
}

static int cmd_tcp_connect(const char *addr, long port, struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_parse(addr, port, &ss);
	long ok = 0, refused = 0, fail = 0, i, t0;
	int fd, rc, *held = calloc(o->count, sizeof(int));

	if (!held)
		die("out of memory", addr);
	for (i = 0; i < o->count; i++) {
		held[i] = -1;
		/* -i: one long-lived process making connections over time */
		if (i && o->interval_ms)
			usleep(o->interval_ms * 1000);
		if (i == 1 && o->go_file)
			wait_go(o->go_file);
		t0 = now_us();
		rc = tcp_connect_one(&ss, len, o->timeout_ms, &fd);
		/* -v: the connect time of each attempt, for the benchmarks */
		if (o->verbose)
			printf("connect %ld rc=%d us=%ld\n", i, rc, now_us() - t0);
		switch (rc) {
		case 0:
			ok++;
			if (o->text)
				echo_line(fd, o->text, o->timeout_ms);
			if (o->hold_s)
				held[i] = fd;
			else
				close(fd);
			break;
		case 1:
			refused++;
			break;
		default:
			fail++;
		}
	}
	printf("tcp-connect %s %ld ok=%ld refused=%ld filtered=%ld\n",
	       addr, port, ok, refused, fail);
	fflush(stdout);
	if (o->hold_s)
		sleep(o->hold_s);
	for (i = 0; i < o->count; i++)
		if (held[i] >= 0)
			close(held[i]);
	free(held);
	return ok == o->count ? 0 : 1;
}

static int cmd_scan(const char *addr, const char *range, struct opts *o)
{
	struct sockaddr_storage ss;
	long lo, hi, port, reached = 0, filtered = 0;
	char *dash = strchr(range, '-');
	int fd;

	if (!dash)
		die("bad port range (LO-HI)", range);
	*dash = 0;
	lo = num(range, 1, 65535);
	hi = num(dash + 1, lo, 65535);
	for (port = lo; port <= hi; port++) {
		socklen_t len = addr_parse(addr, port, &ss);

		switch (tcp_connect_one(&ss, len, o->timeout_ms, &fd)) {
		case 0:
			close(fd);
			/* fall through */
		case 1:
			reached++;
			break;
		default:
			filtered++;
		}
	}
	printf("scan %s %ld-%ld reached=%ld filtered=%ld\n", addr, lo, hi,
	       reached, filtered);
	return filtered ? 1 : 0;
}

/*
 * One connected UDP socket per port of LO-HI, one datagram each, sent
 * back to back, then (-w) every socket kept open until FILE exists, so the
 * owner of each flow can be found however late it is looked up.
 */
static int cmd_udp_spray(const char *addr, const char *range, struct opts *o)
{
	static int fds[4096];
	struct sockaddr_storage ss;
	long lo, hi, port, sent = 0;
	char *dash = strchr(range, '-');
	socklen_t len;
	int n = 0, i;

	if (!dash)
		die("bad port range (LO-HI)", range);
	*dash = 0;
	lo = num(range, 1, 65535);
	hi = num(dash + 1, lo, lo + 4095 > 65535 ? 65535 : lo + 4095);
	for (port = lo; port <= hi; port++) {
		len = addr_parse(addr, port, &ss);
		fds[n] = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[n] < 0)
			die("socket", strerror(errno));
		if (connect(fds[n], (struct sockaddr *)&ss, len) < 0)
			die("connect", strerror(errno));
		n++;
	}
	for (i = 0; i < n; i++)
		if (send(fds[i], "spray", 5, 0) == 5)
			sent++;
	printf("udp-spray %s %ld-%ld sent=%ld\n", addr, lo, hi, sent);
	fflush(stdout);
	if (o->go_file)
		wait_go(o->go_file);
	return sent == n ? 0 : 1;
}

static int cmd_tcp_listen(long port, struct opts *o)
{
	int lfd = listen_on(SOCK_STREAM, port), fd;
	pid_t parent = getpid();
	char buf[4096];
	ssize_t n;
	long i;

	printf("listening tcp %ld\n", port);
	fflush(stdout);
	/* -e: one process per connection, so that clients holding their
	 * connection open are all echoed at once (not one after another). */
	if (o->echo)
		signal(SIGCHLD, SIG_IGN);
	for (i = 0; !o->count || i < o->count; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (o->echo) {
			pid_t pid = fork();

			if (pid > 0) {
				close(fd);
				continue;
			}
			if (pid == 0)
				close(lfd);
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			if (o->echo && write(fd, buf, n) != n)
				break;
			if (!o->echo)
				fwrite(buf, 1, n, stdout);
		}
		fflush(stdout);
		close(fd);
		if (o->echo && getpid() != parent)
			_exit(0);
	}
	return 0;
}

struct udp_sender {
	const char *cmd, *addr;	/* the summary line's first words */
	long port;
	int fd;
	struct sockaddr_storage dst;	/* -m sendto: the socket is unconnected */
	socklen_t dst_len;
	struct opts *o;
};

/* -m sendmmsg: COUNT datagrams in one call (more if it sends part). */
static long udp_sendmmsg(int fd, char *buf, long size, long count)
{
	struct mmsghdr *m = calloc(count, sizeof(*m));
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	long sent = 0, i;
	int n;

	if (!m)
		die("out of memory", "sendmmsg");
	for (i = 0; i < count; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < count) {
		n = sendmmsg(fd, m + sent, count - sent, 0);
		if (n <= 0)
			break;
		sent += n;
	}
	free(m);
	return sent;
}

/* The datagrams of udp-send (or fd-recv) and the summary line. */
static int udp_send_all(struct udp_sender *u)
{
	struct opts *o = u->o;
	long sent = 0, errors = 0, replies = 0, i, t0 = now_ms();
	bool to = o->mode && !strcmp(o->mode, "sendto");
	char *buf = calloc(1, o->size + 1);

	if (!buf)
		die("out of memory", u->addr);
	memset(buf, 'x', o->size);
	if (o->mode && !strcmp(o->mode, "sendmmsg")) {
		sent = udp_sendmmsg(u->fd, buf, o->size, o->count);
		errors = o->count - sent;
		i = o->count;
		goto done;
	}
	for (i = 0; o->duration_ms ? now_ms() - t0 < o->duration_ms :
				     i < o->count; i++) {
		ssize_t n;

		/* before each datagram: the socket is bound (connect) first */
		if (o->interval_ms)
			usleep(o->interval_ms * 1000);
		n = to ? sendto(u->fd, buf, o->size, 0,
				(struct sockaddr *)&u->dst, u->dst_len) :
			 send(u->fd, buf, o->size, 0);
		if (n == o->size)
			sent++;
		else
			errors++;
		if (o->reply) {
			struct pollfd p = { .fd = u->fd, .events = POLLIN };

			if (poll(&p, 1, o->timeout_ms) == 1 &&
			    recv(u->fd, buf, o->size, 0) >= 0)
				replies++;
		}
	}
done:
	printf("%s %s %ld sent=%ld errors=%ld replies=%ld ms=%ld\n", u->cmd,
	       u->addr, u->port, sent, errors, replies, now_ms() - t0);
	fflush(stdout);
	if (o->go_file)
		wait_go(o->go_file);
	free(buf);
	close(u->fd);
	if (o->reply)
		return replies == i ? 0 : 1;
	return sent == i ? 0 : 1;
}

/* A forked sender goes on once its parent is gone (it has been reparented). */
static void wait_orphan(pid_t parent)
{
	int i;

	for (i = 0; i < 6000 && getppid() == parent; i++)
		usleep(10 * 1000);
}

static void *udp_thread(void *arg)
{
	exit(udp_send_all(arg));
}

/* -P: the socket to fd-recv over PATH; ours is closed before we return. */
static int udp_pass(struct udp_sender *u, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char c[CMSG_SPACE(sizeof(int))] = { 0 }, one = 'x';
	struct iovec iov = { .iov_base = &one, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c, .msg_controllen = sizeof(c),
	};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int us = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(a.sun_path))
		die("unix socket path too long", path);
	strcpy(a.sun_path, path);
	if (us < 0 || connect(us, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect", path);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &u->fd, sizeof(int));
	if (sendmsg(us, &m, 0) != 1)
		die("sendmsg SCM_RIGHTS", strerror(errno));
	/* fd-recv sends once it sees our end closed: ours first. */
	close(u->fd);
	close(us);
	printf("%s %s %ld passed=1 path=%s\n", u->cmd, u->addr, u->port, path);
	return 0;
}

/*
 * -F N: N processes holding the socket in their highest fd slot (and the
 * seven below it), the fd limit raised to the hard one, alive until the
 * sender exits. Returns once all are in place.
 */
/* The fd limit raised to the hard one; the highest fd slot it allows. */
static int raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit", strerror(errno));
	return rl.rlim_max > 1048576 ? 1048575 : (int)rl.rlim_max - 1;
}

static void udp_holders(int fd, long n)
{
	pid_t parent = getpid();
	int ready[2], top, null, j;
	long i;
	char c;

	top = raise_fd_limit();
	if (top < 16 || pipe(ready))
		die("fd limit or pipe", strerror(errno));
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", strerror(errno));
		if (pid)
			continue;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		null = open("/dev/null", O_RDWR);

		/* No pipe of the caller's: its reader must see EOF. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(1);
		for (j = 0; j < 8; j++)
			if (dup2(fd, top - j) < 0)
				_exit(1);
		close(fd);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			die("holders", "not all in place");
	close(ready[0]);
}

static int cmd_udp_send(const char *addr, long port, struct opts *o)
{
	struct udp_sender u = { .cmd = "udp-send", .addr = addr, .port = port, .o = o };
	const char *m = o->mode;
	pid_t parent = getpid(), pid;
	pthread_t t;

	u.dst_len = addr_parse(addr, port, &u.dst);
	if (m && strcmp(m, "fork-exit") && strcmp(m, "daemon") &&
	    strcmp(m, "thread") && strcmp(m, "sendmmsg") && strcmp(m, "sendto"))
		die("unknown -m mode (fork-exit, daemon, thread, sendmmsg, sendto)", m);
	if (m && !strcmp(m, "sendmmsg") && (o->duration_ms || o->reply))
		die("-m sendmmsg sends COUNT datagrams: no -d or -r with", m);
	u.fd = socket(u.dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u.fd < 0)
		die("socket", strerror(errno));
	if (o->sport) {
		/* One flow across several invocations (a test's later hit). */
		struct sockaddr_storage src;
		socklen_t slen = addr_parse(u.dst.ss_family == AF_INET6 ? "::" :
					    "0.0.0.0", o->sport, &src);
		int one = 1;

		setsockopt(u.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(u.fd, (struct sockaddr *)&src, slen) < 0)
			die("bind", strerror(errno));
	}
	if ((!m || strcmp(m, "sendto")) &&
	    connect(u.fd, (struct sockaddr *)&u.dst, u.dst_len) < 0)
		die("connect", strerror(errno));
	if (o->send_file)
		wait_go(o->send_file);
	if (o->pass_path)
		return udp_pass(&u, o->pass_path);
	if (o->holders)
		udp_holders(u.fd, o->holders);
	if (m && !strcmp(m, "thread")) {
		if (pthread_create(&t, NULL, udp_thread, &u))
			die("pthread_create", m);
		pthread_exit(NULL);	/* the thread exits the process */
	}
	if (m && !strcmp(m, "fork-exit")) {
		pid = fork();
		if (pid < 0)
			die("fork", strerror(errno));
		if (pid)
			_exit(0);
		wait_orphan(parent);
	}
	if (m && !strcmp(m, "daemon")) {
		pid = fork();
		if (pid < 0)
			die("fork", strerror(errno));
		if (pid) {
			waitpid(pid, NULL, 0);
			_exit(0);
		}
		setsid();
		parent = getpid();
		pid = fork();
		if (pid < 0)
			die("fork", strerror(errno));
		if (pid)
			_exit(0);
		wait_orphan(parent);
	}
	return udp_send_all(&u);
}

/*
 * fd-recv PATH: a unix listener (any user may connect) takes one socket
 * over SCM_RIGHTS from udp-send -P, waits until the sender has closed its
 * end (and its copy of the socket), then sends COUNT datagrams on it.
 */
static int cmd_fd_recv(const char *path, struct opts *o)
{
	struct udp_sender u = { .cmd = "fd-recv", .addr = path, .o = o, .fd = -1 };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char c[CMSG_SPACE(sizeof(int))] = { 0 }, one;
	struct iovec iov = { .iov_base = &one, .iov_len = 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c, .msg_controllen = sizeof(c),
	};
	struct cmsghdr *h;
	int l, conn;

	if (strlen(path) >= sizeof(a.sun_path))
		die("unix socket path too long", path);
	strcpy(a.sun_path, path);
	unlink(path);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    chmod(path, 0777) < 0 || listen(l, 1) < 0)
		die("unix listener", path);
	conn = accept(l, NULL, NULL);
	if (conn < 0 || recvmsg(conn, &m, 0) != 1)
		die("recvmsg", path);
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS)
		die("no socket passed over", path);
	memcpy(&u.fd, CMSG_DATA(h), sizeof(int));
	while (read(conn, &one, 1) > 0)
		;
	close(conn);
	close(l);
	unlink(path);
	return udp_send_all(&u);
}

static int cmd_udp_echo(long port, struct opts *o)
{
	int fd = listen_on(SOCK_DGRAM, port);
	struct sockaddr_storage from;
	socklen_t flen;
	char buf[65536];
	ssize_t n;
	long i;

	printf("listening udp %ld\n", port);
	fflush(stdout);
	for (i = 0; !o->count || i < o->count; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n >= 0)
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen);
	}
	return 0;
}

/* One line per datagram received: who sent it, how long it was. */
static int cmd_udp_recv(long port, struct opts *o)
{
	int fd = listen_on(SOCK_DGRAM, port);
	struct sockaddr_storage from;
	char buf[65536], a[INET6_ADDRSTRLEN];
	socklen_t flen;
	ssize_t n;
	long i;

	printf("listening udp %ld\n", port);
	fflush(stdout);
	for (i = 0; !o->count || i < o->count; i++) {
		struct sockaddr_in6 *f6 = (struct sockaddr_in6 *)&from;

		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			continue;
		inet_ntop(AF_INET6, &f6->sin6_addr, a, sizeof(a));
		printf("udp-recv from=%s sport=%u len=%ld\n", a,
		       ntohs(f6->sin6_port), (long)n);
		fflush(stdout);
	}
	return 0;
}

static int cmd_tcp_stream(const char *addr, long port, long bytes, struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_parse(addr, port, &ss);
	long left = bytes, sent = 0, t0 = now_ms(), ms;
	struct timeval tv = { .tv_usec = 500000 };
	char *buf = malloc(o->size);
	int fd;

	if (!buf)
		die("out of memory", addr);
	memset(buf, 'x', o->size);
	if (tcp_connect_one(&ss, len, o->timeout_ms, &fd) != 0) {
		printf("tcp-stream %s %ld failed\n", addr, port);
		return 1;
	}
	/* -d: a stalled peer must not keep a write blocked past the end */
	if (o->duration_ms)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (o->duration_ms ? now_ms() - t0 < o->duration_ms : left > 0) {
		long chunk = o->duration_ms || left > o->size ? o->size : left;
		ssize_t n = write(fd, buf, chunk);

		if (n < 0 && o->duration_ms && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		left -= n;
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	/* the peer's EOF: everything sent has been received */
	tv.tv_sec = o->timeout_ms / 1000;
	tv.tv_usec = o->timeout_ms % 1000 * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (read(fd, buf, o->size) > 0)
		;
	ms = now_ms() - t0;
	close(fd);
	printf("tcp-stream %s %ld bytes=%ld ms=%ld kbps=%ld\n", addr, port,
	       sent, ms, ms ? sent * 8 / ms : 0);
	free(buf);
	return o->duration_ms ? !sent : left ? 1 : 0;
}

static int cmd_tcp_sink(long port, struct opts *o)
{
	int lfd = listen_on(SOCK_STREAM, port), fd;
	static char buf[65536];
	long i, total, t0;
	ssize_t n;

	printf("listening tcp %ld\n", port);
	fflush(stdout);
	for (i = 0; !o->count || i < o->count; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		t0 = now_ms();
		total = 0;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		close(fd);
		printf("tcp-sink %ld bytes=%ld ms=%ld\n", port, total, now_ms() - t0);
		fflush(stdout);
	}
	return 0;
}

/*
 * The attribution issue's budget trick, as an unprivileged user can play
 * it: COUNT processes that raise their fd limit to the hard one and open
 * its last slot, so every fd table is as large as it may get. They stay in
 * the background (until killed) once all are in place; prints
 * "hogs=N top_fd=FD".
 */
static int cmd_fd_hog(long count)
{
	int ready[2], top, i;
	char c;

	top = raise_fd_limit();
	if (pipe(ready))
		die("pipe", strerror(errno));
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", strerror(errno));
		if (!pid) {
			int null = open("/dev/null", O_RDWR);

			/* Hold no pipe of the caller's: it must see EOF. */
			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
			    dup2(null, 2) < 0 || dup2(0, top) < 0)
				_exit(1);
			close(ready[0]);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			close(ready[1]);
			setsid();
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	for (i = 0; i < count; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	printf("hogs=%d top_fd=%d\n", i, top);
	return i == count ? 0 : 1;
}

static void usage(void)
{
	fputs("usage: xfnet tcp-connect|tcp-listen|scan|udp-send|udp-spray|udp-echo|udp-recv|"
	      "tcp-stream|tcp-sink|fd-hog|fd-recv ARGS [-n COUNT] [-t MS] [-H SECS] "
	      "[-z SIZE] [-s TEXT] [-e] [-r] [-d MS] [-m MODE] [-P PATH] [-F N]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .timeout_ms = 2000, .size = 64 };
	char *pos[4];
	int npos = 0, i;

	if (argc < 2)
		usage();
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1] || a[2]) {
			if (npos == 4)
				die("too many arguments at", a);
			pos[npos++] = argv[i];
			continue;
		}
		if (a[1] == 'e') {
			o.echo = true;
			continue;
		}
		if (a[1] == 'r') {
			o.reply = true;
			continue;
		}
		if (a[1] == 'v') {
			o.verbose = true;
			continue;
		}
		if (i + 1 >= argc)
			die("option needs a value", a);
		switch (a[1]) {
		case 'n': o.count = num(argv[++i], 0, 10000000); break;
		case 't': o.timeout_ms = num(argv[++i], 1, 600000); break;
		case 'H': o.hold_s = num(argv[++i], 0, 86400); break;
		case 'i': o.interval_ms = num(argv[++i], 0, 600000); break;
		case 'd': o.duration_ms = num(argv[++i], 1, 600000); break;
		case 'z': o.size = num(argv[++i], 1, 65000); break;
		case 's': o.text = argv[++i]; break;
		case 'w': o.go_file = argv[++i]; break;
		case 'W': o.send_file = argv[++i]; break;
		case 'b': o.sport = num(argv[++i], 1, 65535); break;
		case 'm': o.mode = argv[++i]; break;
		case 'P': o.pass_path = argv[++i]; break;
		case 'F': o.holders = num(argv[++i], 1, 4096); break;
		default: die("unknown option", a);
		}
	}
#define NEED(n) do { if (npos != (n)) usage(); } while (0)
	if (!strcmp(argv[1], "tcp-connect")) {
		NEED(2);
		if (!o.count)
			usage();
		return cmd_tcp_connect(pos[0], num(pos[1], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "scan")) {
		NEED(2);
		return cmd_scan(pos[0], pos[1], &o);
	}
	if (!strcmp(argv[1], "udp-spray")) {
		NEED(2);
		return cmd_udp_spray(pos[0], pos[1], &o);
	}
	if (!strcmp(argv[1], "tcp-listen")) {
		NEED(1);
		if (o.count == 1)
			o.count = 0;
		return cmd_tcp_listen(num(pos[0], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "udp-send")) {
		NEED(2);
		return cmd_udp_send(pos[0], num(pos[1], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "udp-recv")) {
		NEED(1);
		if (o.count == 1)
			o.count = 0;
		return cmd_udp_recv(num(pos[0], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "udp-echo")) {
		NEED(1);
		if (o.count == 1)
			o.count = 0;
		return cmd_udp_echo(num(pos[0], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "tcp-stream")) {
		NEED(3);
		if (o.size == 64)
			o.size = 16384;
		return cmd_tcp_stream(pos[0], num(pos[1], 1, 65535),
				      num(pos[2], 1, 1L << 40), &o);
	}
	if (!strcmp(argv[1], "tcp-sink")) {
		NEED(1);
		if (o.count == 1)
			o.count = 0;
		return cmd_tcp_sink(num(pos[0], 1, 65535), &o);
	}
	if (!strcmp(argv[1], "fd-recv")) {
		NEED(1);
		return cmd_fd_recv(pos[0], &o);
	}
	if (!strcmp(argv[1], "fd-hog")) {
		NEED(1);
		return cmd_fd_hog(num(pos[0], 1, 4096));
	}
	die("unknown command", argv[1]);
	return 2;
}
