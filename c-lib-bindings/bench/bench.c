/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde's benchmark: sonde-bench <sonde-agent.jar> <build dir> [records] [seconds]
 *
 * 1. Baseline: SondeTarget.emit(seq) called `records` times by one thread, unprobed.
 * 2. The same with bench.bpf.o's on_emit attached: one 64-byte bpf_ringbuf_output per call
 *    (one record per hit, no bpf_loop), consumed here through shared memory (RINGBUF_SHM), then
 *    over the socket (RINGBUF_POLL). Consumer rate = records / (last record - command sent).
 *    Then 200,000 records emitted with no consumer (the producer alone, probed) and drained:
 *    the C consumer's own rate.
 * 3. Map lookups over the socket: one 8-byte key of a hash map, back to back for `seconds`.
 * 4. The same consumer fed by a C producer thread through a fake agent (bench/consumer_only.c).
 * The JVM gets JAVA_HOME's java (else /usr/bin/java).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <sonde/sonde.h>
#include "../test/harness.h"
#include "consumer_only.h"

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

/* CPU ticks (user + system) per thread of the JVM, from /proc/<pid>/task/<tid>/stat. */
struct snap {
	int n;
	int tid[512];
	long ticks[512];
	char comm[512][16];
};

static void snapshot(struct snap *sn)
{
	char path[512], buf[1024];
	DIR *d;
	struct dirent *de;

	sn->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)jvm.pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)) && sn->n < 512) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)jvm.pid, de->d_name);
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		char *open = strchr(buf, '('), *close = strrchr(buf, ')');
		unsigned long ut, st;

		if (!open || !close || close - open > 16)
			continue;
		/* after ") ": state is field 3; utime and stime are fields 14 and 15 */
		if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
			continue;
		sn->tid[sn->n] = atoi(de->d_name);
		sn->ticks[sn->n] = (long)(ut + st);
		snprintf(sn->comm[sn->n], 16, "%.*s", (int)(close - open - 1), open + 1);
		sn->n++;
	}
	closedir(d);
}

/* CPU seconds that the threads named prefix* used between two snapshots (a thread born in
 * between counts whole). */
static double cpu_between(const struct snap *a, const struct snap *b, const char *prefix)
{
	long ticks = 0;

	for (int i = 0; i < b->n; i++) {
		long before = 0;

		if (strncmp(b->comm[i], prefix, strlen(prefix)))
			continue;
		for (int j = 0; j < a->n; j++)
			if (a->tid[j] == b->tid[i])
				before = a->ticks[j];
		ticks += b->ticks[i] - before;
	}
	return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long long emit(long n, long start)
{
	char line[256];
	long long ns = -1;

	child_send(&jvm, "emit %ld %ld", n, start);
	if (child_expect(&jvm, "ok emit", line, sizeof(line), 600000) == 0)
		sscanf(line, "ok emit %*d %lld", &ns);
	return ns;
}

/*
 * Runs `cmd calls start` in the target while consuming (per_call records per call); prints the
 * consumer's and the producer's rates. prefill: the command runs to its end before the consumer
 * starts, so the records wait in the map's ring and the time measured is the mirror's and the
 * consumer's alone.
 */
static void ring_run(struct sonde *s, int ring, const char *cmd, long calls, long per_call, bool prefill,
		     unsigned flags, const char *label)
{
	struct count c = { 0 };
	struct sonde_ring_buffer *rb = NULL;
	long n = calls * per_call;
	char line[256], ok[32];
	long long t0, producer_ns = -1;
	bool done = false;

	snprintf(ok, sizeof(ok), "ok %s %%*d %%lld", cmd);
	if (prefill) {
		child_send(&jvm, "%s %ld 0", cmd, calls);
		while (!done && child_line(&jvm, line, sizeof(line), 600000) == 0)
			done = sscanf(line, ok, &producer_ns) == 1;
	}
	rb = sonde_ring_buffer_new(s, ring, on_record, &c, flags);
	if (!rb) {
		printf("%s: no consumer: %s\n", label, sonde_strerror(s, -errno));
		return;
	}
	static struct snap before, after;
	double self0;

	snapshot(&before);
	self0 = self_cpu();

	t0 = now_ns();
	if (!prefill)
		child_send(&jvm, "%s %ld 0", cmd, calls);
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
		if (!done && child_line(&jvm, line, sizeof(line), 0) == 0 && sscanf(line, ok, &producer_ns) == 1)
			done = true;
	}
	while (!done && child_line(&jvm, line, sizeof(line), 60000) == 0)
		done = sscanf(line, ok, &producer_ns) == 1;
	double secs = (c.last_ns - t0) / 1e9;
	printf("%-24s %9llu records in %.3f s = %5.2f M records/s consumed (%llu lost, %llu out of order); "
	       "producer %.3f s = %.2f M records/s\n",
	       label, (unsigned long long)c.records, secs, c.records / secs / 1e6,
	       (unsigned long long)(n - (long)c.records), (unsigned long long)c.out_of_order,
	       producer_ns / 1e9, n / (producer_ns / 1e9) / 1e6);
	double self1 = self_cpu();

	snapshot(&after);
	double main_s = cpu_between(&before, &after, "java"), mirror_s = cpu_between(&before, &after, "sonde-ringbuf");

	printf("%-24s cpu s: producer (main) thread %.2f, agent's mirror thread %.2f, C consumer %.2f (%.0f ns/record, waiting included)\n",
	       "", main_s, mirror_s, self1 - self0, (self1 - self0) * 1e9 / (c.records ? c.records : 1));
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
	emit(n, 0);
	long long base = emit(n, 0);
	printf("%-22s %10ld calls   in %.3f s = %6.2f M calls/s (unprobed)\n", "baseline", n, base / 1e9,
	       n / (base / 1e9) / 1e6);

	/* 2. probed, consumed */
	int link = sonde_attach(s, prog, NULL, 0, 0);
	int burst = sonde_program_find(s, obj, "on_burst");
	int blink = burst > 0 ? sonde_attach(s, burst, NULL, 0, 0) : burst;

	if (link < 0 || blink < 0) {
		fprintf(stderr, "attach: %s\n", sonde_strerror(s, link < 0 ? link : blink));
		return 1;
	}
	ring_run(s, ring, "emit", n / 5, 1, false, SONDE_RB_FORCE_SHM, "shm emit (warm-up)");
	ring_run(s, ring, "emit", n, 1, false, SONDE_RB_FORCE_SHM, "shm emit");
	ring_run(s, ring, "burst", n / 64 / 5, 64, false, SONDE_RB_FORCE_SHM, "shm burst (warm-up)");
	ring_run(s, ring, "burst", n / 64, 64, false, SONDE_RB_FORCE_SHM, "shm burst");
	/* The records wait in the map's ring; the mirror starts copying them when the consumer is
	 * created, before the clock starts: this is the C consumer's own rate (at least). */
	ring_run(s, ring, "emit", 200000, 1, true, SONDE_RB_FORCE_SHM, "shm drain of 200000");
	ring_run(s, ring, "emit", n / 10, 1, false, SONDE_RB_FORCE_SOCKET, "socket emit");
	sonde_detach(s, link);
	sonde_detach(s, blink);

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

	/* 4. the consumer alone, fed by a C producer (no JVM) */
	consumer_only(tmp, n);

	child_send(&jvm, "quit");
	child_wait(&jvm, 20000);
	snprintf(line, sizeof(line), "rm -rf '%s'", tmp);
	return system(line) == 0 ? 0 : 1;
}
