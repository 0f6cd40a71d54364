// SPDX-License-Identifier: GPL-2.0
/*
 * xfflood: new flows as fast as one process can make them, for the lab's
 * flood test (tests/kselftest/42-floods.sh). Static, for the guests.
 *
 *   xfflood syn A.B.C NADDR PORTLO-PORTHI SECS
 *	non-blocking connect() to A.B.C.(1..NADDR), ports in the range, each
 *	socket closed right after its SYN left: every attempt is a new flow
 *   xfflood udp ADDR PORTLO-PORTHI SECS
 *	one datagram per new socket (a new source port) to the ports of the
 *	range in turn: no two datagrams are one flow until the range wraps
 *
 * Prints "xfflood MODE sent=N secs=S rate=R" (R: new flows per second).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void usage(void)
{
	fputs("usage: xfflood syn A.B.C NADDR LO-HI SECS | udp ADDR LO-HI SECS\n", stderr);
	exit(2);
}

static void range(const char *s, unsigned *lo, unsigned *hi)
{
	if (sscanf(s, "%u-%u", lo, hi) != 2 || !*lo || *hi > 65535 || *lo > *hi)
		usage();
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned lo, hi, naddr = 1;
	double t0, secs;
	long sent = 0, fails = 0;
	int syn;

	if (argc < 5)
		usage();
	syn = !strcmp(argv[1], "syn");
	if (!syn && strcmp(argv[1], "udp"))
		usage();
	if (syn) {
		if (argc != 6)
			usage();
		naddr = atoi(argv[3]);
		if (!naddr || naddr > 254)
			usage();
		range(argv[4], &lo, &hi);
		secs = atof(argv[5]);
	} else {
		if (argc != 5 || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
			usage();
		range(argv[3], &lo, &hi);
		secs = atof(argv[4]);
	}
	srandom(getpid());
	t0 = now();
	while (now() - t0 < secs) {
		int fd, i;

		for (i = 0; i < 64; i++) {
			if (syn)
				sa.sin_port = htons(lo + random() % (hi - lo + 1));
			else
				sa.sin_port = htons(lo + (sent + fails) % (hi - lo + 1));
			if (syn) {
				char a[32];

				snprintf(a, sizeof(a), "%s.%u", argv[2], 1 + (unsigned)random() % naddr);
				if (inet_pton(AF_INET, a, &sa.sin_addr) != 1)
					usage();
				fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
				if (fd < 0) {
					fails++;
					continue;
				}
				if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
				    errno != EINPROGRESS)
					fails++;
				else
					sent++;
			} else {
				fd = socket(AF_INET, SOCK_DGRAM, 0);
				if (fd < 0) {
					fails++;
					continue;
				}
				if (sendto(fd, "flood", 5, MSG_DONTWAIT,
					   (struct sockaddr *)&sa, sizeof(sa)) == 5)
					sent++;
				else
					fails++;
			}
			close(fd);
		}
	}
	secs = now() - t0;
	printf("xfflood %s sent=%ld fails=%ld secs=%.1f rate=%.0f\n", argv[1],
	       sent, fails, secs, sent / secs);
	return sent ? 0 : 1;
}
