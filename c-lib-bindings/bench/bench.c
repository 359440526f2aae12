/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde's benchmark: sonde-bench <sonde-agent.jar> <build dir> [records] [seconds]
 *
 * 1. Baseline: SondeTarget.emit(seq) called `records` times by one thread, unprobed.
 * 2. The same with bench.bpf.o's on_emit attached: one 64-byte bpf_ringbuf_output per call
 *    (one record per hit, no bpf_loop), consumed here through shared memory (RINGBUF_SHM), then
 *    over the socket (RINGBUF_POLL). Consumer rate = records / (last record - command sent).
 * 3. Map lookups over the socket: one 8-byte key of a hash map, back to back for `seconds`.
 * The JVM gets JAVA_HOME's java (else /usr/bin/java).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sonde/sonde.h>
#include "../test/harness.h"

struct count {
	__u64 next, records, out_of_order;
	long long last_ns;
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct count *c = ctx;
	__u64 seq;

	if (size != 64)
		return -EBADMSG;
	memcpy(&seq, data, 8);
	if (seq != c->next)
		c->out_of_order++;
	c->next = seq + 1;
	c->records++;
	return 0;
}

static struct child jvm;

static long long emit(long n, long start)
{
	char line[256];
	long long ns = -1;

	child_send(&jvm, "emit %ld %ld", n, start);
	if (child_expect(&jvm, "ok emit", line, sizeof(line), 600000) == 0)
		sscanf(line, "ok emit %*d %lld", &ns);
	return ns;
}

/* Emits n records from start while consuming; prints the rates. */
static void ring_run(struct sonde *s, int ring, long n, long start, unsigned flags, const char *label)
{
	struct count c = { .next = (__u64)start };
	struct sonde_ring_buffer *rb = sonde_ring_buffer_new(s, ring, on_record, &c, flags);
	char line[256];
	long long t0, producer_ns = -1;
	bool done = false;

	if (!rb) {
		printf("%s: no consumer: %s\n", label, sonde_strerror(s, -errno));
		return;
	}
	t0 = now_ns();
	child_send(&jvm, "emit %ld %ld", n, start);
	long long idle_since = now_ns();
	while (!done || c.records < (__u64)n) {
		int got = sonde_ring_buffer_poll(rb, 100);

		if (got < 0) {
			printf("%s: poll: %s\n", label, sonde_strerror(s, got));
			break;
		}
		if (got > 0) {
			c.last_ns = now_ns();
			idle_since = c.last_ns;
		} else if (now_ns() - idle_since > 2000000000LL) {
			break; /* 2 s without a record: the rest was dropped */
		}
		if (!done && child_line(&jvm, line, sizeof(line), 0) == 0 &&
		    sscanf(line, "ok emit %*d %lld", &producer_ns) == 1)
			done = true;
	}
	while (!done && child_line(&jvm, line, sizeof(line), 60000) == 0)
		done = sscanf(line, "ok emit %*d %lld", &producer_ns) == 1;
	double secs = (c.last_ns - t0) / 1e9;
	printf("%-22s %10llu records in %.3f s = %6.2f M records/s consumed (%llu lost, %llu out of order); "
	       "producer %.3f s = %.2f M calls/s\n",
	       label, (unsigned long long)c.records, secs, c.records / secs / 1e6,
	       (unsigned long long)(n - (long)c.records), (unsigned long long)c.out_of_order,
	       producer_ns / 1e9, n / (producer_ns / 1e9) / 1e6);
	sonde_ring_buffer_free(rb);
}

int main(int argc, char **argv)
{
	char agent[1200], cp[600], sock[] = "/tmp/sonde-bench-XXXXXX/s.sock", line[256], obj_path[600];
	char tmp[] = "/tmp/sonde-bench-XXXXXX", java[600];
	long n = argc > 3 ? atol(argv[3]) : 10000000;
	double secs = argc > 4 ? atof(argv[4]) : 3;
	const char *home = getenv("JAVA_HOME");
	struct sonde *s;

	if (argc < 3) {
		fprintf(stderr, "usage: sonde-bench <sonde-agent.jar> <build dir> [records] [seconds]\n");
		return 2;
	}
	if (!mkdtemp(tmp))
		return 2;
	snprintf(sock, sizeof(sock), "%s/s.sock", tmp);
	snprintf(java, sizeof(java), "%s/bin/java", home && *home ? home : "/usr");
	snprintf(agent, sizeof(agent), "-javaagent:%s=socket=%s", argv[1], sock);
	snprintf(cp, sizeof(cp), "%s/classes", argv[2]);
	snprintf(obj_path, sizeof(obj_path), "%s/bpf/bench.bpf.o", argv[2]);
	snprintf(line, sizeof(line), "%s/jvm.log", tmp);
	char *jargv[] = { java, agent, "-cp", cp, "SondeTarget", NULL };

	if (child_start(&jvm, jargv, line) || child_expect(&jvm, "ready", line, sizeof(line), 60000) ||
	    !wait_for_path(sock, 60000)) {
		fprintf(stderr, "the JVM did not start\n");
		child_dump_log(&jvm);
		return 1;
	}
	s = sonde_open_path(sock);
	if (!s) {
		fprintf(stderr, "connect: %s\n", strerror(errno));
		return 1;
	}
	int obj = sonde_object_open_file(s, obj_path, NULL);
	int prog = sonde_program_find(s, obj, "on_emit");
	int ring = sonde_map_find(s, obj, "events");
	int table = sonde_map_find(s, obj, "table");

	if (obj < 0 || prog < 0 || ring < 0 || table < 0) {
		fprintf(stderr, "load: %s\n", sonde_strerror(s, obj < 0 ? obj : prog < 0 ? prog : ring < 0 ? ring : table));
		return 1;
	}
	printf("sonde-bench: %ld records of 64 bytes, one producer thread; agent %s\n", n, sonde_agent_version(s));

	/* 1. the producer alone (warmed up first) */
	emit(n, 0);
	long long base = emit(n, 0);
	printf("%-22s %10ld calls   in %.3f s = %6.2f M calls/s (unprobed)\n", "baseline", n, base / 1e9,
	       n / (base / 1e9) / 1e6);

	/* 2. probed, consumed */
	int link = sonde_attach(s, prog, NULL, 0, 0);
	if (link < 0) {
		fprintf(stderr, "attach: %s\n", sonde_strerror(s, link));
		return 1;
	}
	ring_run(s, ring, n / 5, 0, SONDE_RB_FORCE_SHM, "shm (warm-up)");
	ring_run(s, ring, n, 0, SONDE_RB_FORCE_SHM, "shm");
	ring_run(s, ring, n / 10, 0, SONDE_RB_FORCE_SOCKET, "socket");
	sonde_detach(s, link);

	/* 3. map lookups over the socket */
	__u64 key = 1, val = 42, out = 0;
	long lookups = 0;

	sonde_map_update_elem(s, table, &key, 8, &val, 8, 0);
	for (int i = 0; i < 10000; i++)
		sonde_map_lookup_elem(s, table, &key, 8, &out, 8);
	long long t0 = now_ns(), end = t0 + (long long)(secs * 1e9), t;
	do {
		for (int i = 0; i < 1000; i++) {
			if (sonde_map_lookup_elem(s, table, &key, 8, &out, 8) || out != 42) {
				fprintf(stderr, "lookup failed\n");
				return 1;
			}
		}
		lookups += 1000;
		t = now_ns();
	} while (t < end);
	printf("%-22s %10ld lookups in %.3f s = %6.0f lookups/s (%.1f us each, one thread)\n", "map lookup", lookups,
	       (t - t0) / 1e9, lookups / ((t - t0) / 1e9), (t - t0) / 1e3 / lookups);

	sonde_close(s);
	child_send(&jvm, "quit");
	child_wait(&jvm, 20000);
	snprintf(line, sizeof(line), "rm -rf '%s'", tmp);
	return system(line) == 0 ? 0 : 1;
}
