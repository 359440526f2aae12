/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * funccount: counts calls of the Java methods matching a pattern in a running JVM, as BCC's
 * funccount counts kernel functions, and prints the busiest.
 *
 *     funccount [-i interval] [-d duration] [-n top] [-s socket] <pid> <pattern>
 *     funccount 4242 'com.shop.*::pay*'
 *
 * The pattern is a target as in a SEC name, "kprobe.multi/" optional. The probe
 * (bpf/funccount.bpf.c) is built into this binary and loaded from memory; it counts hits by
 * bpf_get_func_ip, and SYM turns each address back into a method name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sonde/sonde.h>

/* The probe object, embedded at build time (the Makefile passes its path). */
#define STR2(x) #x
#define STR(x) STR2(x)
__asm__(".section .rodata\n"
	".balign 8\n"
	"funccount_obj: .incbin \"" STR(FUNCCOUNT_BPF_O) "\"\n"
	"funccount_obj_end:\n"
	".previous\n");
extern const char funccount_obj[], funccount_obj_end[];

struct entry {
	__u64 ip, count;
};

/* Set once SIGINT (Ctrl-C) or SIGTERM came: the counts are printed and the tool ends. */
static bool stop;

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Reads every (ip, count) of the map, sorted by count. Returns the number or -errno. */
static int collect(struct sonde *s, int map, struct entry **out)
{
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	__u64 key, next;
	const void *prev = NULL;
	int rc;

	while ((rc = sonde_map_get_next_key(s, map, prev, &next, sizeof(next))) == 0) {
		if (n == cap) {
			struct entry *g = realloc(e, (cap = cap ? cap * 2 : 64) * sizeof(*e));

			if (!g) {
				free(e);
				return -ENOMEM;
			}
			e = g;
		}
		e[n].ip = next;
		rc = sonde_map_lookup_elem(s, map, &next, sizeof(next), &e[n].count, sizeof(e[n].count));
		if (rc == 0)
			n++;
		else if (rc != -ENOENT) /* deleted since: skip it */
			break;
		key = next;
		prev = &key;
	}
	if (rc != -ENOENT) {
		free(e);
		return rc;
	}
	qsort(e, n, sizeof(*e), by_count);
	*out = e;
	return (int)n;
}

static int print_top(struct sonde *s, int map, int top, int clear)
{
	struct entry *e = NULL;
	char name[512];
	int n = collect(s, map, &e), i;

	if (n < 0)
		return n;
	printf("%-60s %12s\n", "FUNC", "COUNT");
	for (i = 0; i < n && i < top; i++) {
		if (sonde_sym(s, e[i].ip, name, sizeof(name), NULL) < 0)
			snprintf(name, sizeof(name), "0x%llx", (unsigned long long)e[i].ip);
		printf("%-60s %12llu\n", name, (unsigned long long)e[i].count);
	}
	for (i = 0; clear && i < n; i++)
		sonde_map_delete_elem(s, map, &e[i].ip, sizeof(e[i].ip));
	free(e);
	fflush(stdout);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: funccount [-i interval] [-d duration] [-n top] [-s socket] <pid> <pattern>\n"
			"  counts calls of the Java methods matching pattern (e.g. 'com.shop.*::pay*')\n");
	exit(2);
}

/*
 * Waits until t (CLOCK_MONOTONIC) or until one of sigs (blocked) comes, whichever is first. The
 * signals stay blocked and are taken here: one that came before the wait began is pending and
 * ends it at once (a handler that sets a flag, checked before sleeping, can let a signal come in
 * between and be slept through).
 */
static void wait_until(const sigset_t *sigs, const struct timespec *t)
{
	while (!stop) {
		struct timespec now, left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = t->tv_sec - now.tv_sec;
		left.tv_nsec = t->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
			left.tv_sec--, left.tv_nsec += 1000000000L;
		if (left.tv_sec < 0)
			return;
		if (sigtimedwait(sigs, NULL, &left) > 0)
			stop = true;
		else if (errno == EAGAIN)
			return; /* t came */
		/* EINTR (another signal, e.g. SIGCONT after a stop): wait on */
	}
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *pattern;
	double interval = 0, duration = 0;
	int top = 10, opt, obj, prog, map, link, rc = 1;
	char target[1024];
	struct sonde_info info;
	struct sonde *s;
	pid_t pid;

	while ((opt = getopt(argc, argv, "i:d:n:s:h")) != -1) {
		switch (opt) {
		case 'i': interval = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'n': top = atoi(optarg); break;
		case 's': sock = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || interval < 0 || duration < 0 || top <= 0)
		usage();
	pid = (pid_t)atoi(argv[optind]);
	pattern = argv[optind + 1];
	if (!strncmp(pattern, "kprobe", 6))
		snprintf(target, sizeof(target), "%s", pattern);
	else
		snprintf(target, sizeof(target), "kprobe.multi/%s", pattern);

	s = sock ? sonde_open_path(sock) : sonde_open_pid(pid);
	if (!s) {
		fprintf(stderr, "funccount: cannot connect to JVM %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	obj = sonde_object_open_mem(s, funccount_obj, (size_t)(funccount_obj_end - funccount_obj), "funccount");
	if (obj < 0) {
		fprintf(stderr, "funccount: loading the probe: %s\n", sonde_strerror(s, obj));
		goto out;
	}
	prog = sonde_program_find(s, obj, "funccount");
	map = sonde_map_find(s, obj, "counts");
	if (prog < 0 || map < 0) {
		fprintf(stderr, "funccount: the probe object: %s\n", sonde_strerror(s, prog < 0 ? prog : map));
		goto out;
	}
	link = sonde_attach(s, prog, target, 0, 0);
	if (link < 0) {
		fprintf(stderr, "funccount: attaching to %s: %s\n", pattern, sonde_strerror(s, link));
		goto out;
	}
	/*
	 * Ctrl-C and SIGTERM are blocked before "Tracing" is printed and taken by wait_until, so
	 * that one sent the moment the line is seen (as a script or a test does) ends the tool with
	 * its counts printed. Before, they kill it: nothing is counted yet, and closing the
	 * connection releases the object and the link.
	 */
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (sonde_info(s, link, &info) == 0)
		printf("Tracing %u methods for \"%s\"... Hit Ctrl-C to end.\n", info.methods, pattern);
	fflush(stdout);

	struct timespec now, end, next;

	clock_gettime(CLOCK_MONOTONIC, &now);
	end = now;
	end.tv_sec += (time_t)duration;
	end.tv_nsec += (long)((duration - (time_t)duration) * 1e9);
	if (end.tv_nsec >= 1000000000L)
		end.tv_sec++, end.tv_nsec -= 1000000000L;
	for (;;) {
		double step = interval > 0 ? interval : duration > 0 ? duration : 3600;

		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_sec += (time_t)step;
		next.tv_nsec += (long)((step - (time_t)step) * 1e9);
		if (next.tv_nsec >= 1000000000L)
			next.tv_sec++, next.tv_nsec -= 1000000000L;
		if (duration > 0 && (next.tv_sec > end.tv_sec || (next.tv_sec == end.tv_sec && next.tv_nsec > end.tv_nsec)))
			next = end;
		wait_until(&sigs, &next);
		clock_gettime(CLOCK_MONOTONIC, &now);
		bool done = stop || (duration > 0 && (now.tv_sec > end.tv_sec ||
						      (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)));
		if (interval > 0 || done) {
			if (stop)
				printf("\n");
			int err = print_top(s, map, top, interval > 0);

			if (err < 0) {
				fprintf(stderr, "funccount: reading the counts: %s\n", sonde_strerror(s, err));
				goto out;
			}
		}
		if (done)
			break;
	}
	sonde_detach(s, link);
	rc = 0;
out:
	sonde_close(s); /* releases the object and any link left */
	return rc;
}
