/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The C consumer's own capacity, without the JVM: a fake agent thread answers the four requests
 * sonde_ring_buffer_new makes (HELLO, INFO, GET_BY_ID, RINGBUF_SHM, then CLOSE), and a C producer
 * thread writes 64-byte records into the file ring exactly as the agent's mirror does (header
 * and bytes, then prod with a release store; it waits for space by an acquire load of cons).
 * What is measured is libsonde's shared-memory consumer, the same code as against the agent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sonde/sonde.h>
#include "consumer_only.h"

#define DATA_SIZE (16u << 20)

struct fake {
	int lfd;
	char ring_path[128];
	uint8_t *mem;
	long records;
};

static void put(uint8_t *b, size_t *n, const void *p, size_t k)
{
	memcpy(b + *n, p, k);
	*n += k;
}

static void reply(int fd, uint16_t op, uint32_t seq, const uint8_t *body, size_t n)
{
	uint8_t f[512];
	int32_t status = 0;
	struct sonde_frame_header h = { (uint32_t)(8 + 4 + n), SONDE_VERSION, op | SONDE_REPLY, seq };

	memcpy(f, &h, sizeof(h));
	memcpy(f + SONDE_HEADER, &status, 4);
	memcpy(f + SONDE_HEADER + 4, body, n);
	send(fd, f, SONDE_HEADER + 4 + n, MSG_NOSIGNAL);
}

static void *agent_main(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	uint8_t in[4096], b[512];

	for (;;) {
		uint32_t len;
		struct sonde_frame_header h;
		size_t n = 0;

		if (fd < 0 || recv(fd, &len, 4, MSG_WAITALL) != 4 || len > sizeof(in) - 4 ||
		    recv(fd, in + 4, len, MSG_WAITALL) != (ssize_t)len)
			break;
		memcpy(in, &len, 4);
		memcpy(&h, in, sizeof(h));
		uint32_t u32, one = 1, rb = 27, ks = 0, vs = 0, max = DATA_SIZE, flags = 0, id = 1, handle = 2;
		uint16_t u16;
		uint64_t u64;
		switch (h.op) {
		case SONDE_OP_HELLO:
			u16 = SONDE_VERSION, put(b, &n, &u16, 2);
			u64 = (uint64_t)getpid(), put(b, &n, &u64, 8);
			u16 = 4, put(b, &n, &u16, 2), put(b, &n, "fake", 4);
			u32 = SONDE_MAX_FRAME, put(b, &n, &u32, 4);
			break;
		case SONDE_OP_INFO: /* kind MAP: id, obj_id, name, type, key, value, max, flags */
			b[n++] = SONDE_KIND_MAP;
			put(b, &n, &id, 4), put(b, &n, &one, 4);
			u16 = 6, put(b, &n, &u16, 2), put(b, &n, "events", 6);
			put(b, &n, &rb, 4), put(b, &n, &ks, 4), put(b, &n, &vs, 4), put(b, &n, &max, 4), put(b, &n, &flags, 4);
			break;
		case SONDE_OP_GET_BY_ID:
			put(b, &n, &handle, 4);
			break;
		case SONDE_OP_RINGBUF_SHM:
			u16 = (uint16_t)strlen(f->ring_path), put(b, &n, &u16, 2), put(b, &n, f->ring_path, u16);
			u32 = DATA_SIZE, put(b, &n, &u32, 4);
			break;
		default: /* CLOSE */
			break;
		}
		reply(fd, h.op, h.seq, b, n);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The mirror's protocol, in C: one record at a time, prod published after each. */
static void *producer_main(void *arg)
{
	struct fake *f = arg;
	uint64_t *cons = (uint64_t *)(f->mem + SONDE_SHM_OFF_CONS), *prod = (uint64_t *)(f->mem + SONDE_SHM_OFF_PROD);
	uint8_t *data = f->mem + SONDE_SHM_OFF_DATA;
	uint64_t pos = 0, rec[8] = { 0 };
	const uint64_t size = 64 + SONDE_RB_HEADER;

	for (long i = 0; i < f->records; i++) {
		/* Pairs with the consumer's release store of cons (src/ringbuf.c). */
		while (DATA_SIZE - (pos - __atomic_load_n(cons, __ATOMIC_ACQUIRE)) < size)
			__builtin_ia32_pause();
		uint32_t at = (uint32_t)(pos & (DATA_SIZE - 1)), len = 64, pad = 0;
		uint32_t start = (at + SONDE_RB_HEADER) & (DATA_SIZE - 1), first = DATA_SIZE - start;

		rec[0] = (uint64_t)i;
		memcpy(data + at, &len, 4);
		memcpy(data + at + 4, &pad, 4);
		if (first >= 64) {
			memcpy(data + start, rec, 64);
		} else {
			memcpy(data + start, rec, first);
			memcpy(data, (uint8_t *)rec + first, 64 - first);
		}
		pos += size;
		/* Pairs with the consumer's acquire load of prod. */
		__atomic_store_n(prod, pos, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct tally {
	uint64_t next, bad, n;
};

static int count(void *ctx, void *data, size_t size)
{
	struct tally *t = ctx;
	uint64_t seq;

	memcpy(&seq, data, 8);
	t->bad += size != 64 || seq != t->next;
	t->next = seq + 1;
	t->n++;
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int consumer_only(const char *dir, long records)
{
	struct fake f = { .records = records };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	pthread_t at, pt;
	struct tally t = { 0 };
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/fake.sock", dir);
	snprintf(f.ring_path, sizeof(f.ring_path), "%s/fake.ring", dir);
	fd = open(f.ring_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, SONDE_SHM_OFF_DATA + DATA_SIZE))
		return -errno;
	f.mem = mmap(NULL, SONDE_SHM_OFF_DATA + DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f.mem == MAP_FAILED)
		return -errno;
	f.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(f.lfd, (struct sockaddr *)&a, sizeof(a)) || listen(f.lfd, 1))
		return -errno;
	pthread_create(&at, NULL, agent_main, &f);
	struct sonde *s = sonde_open_path(a.sun_path);
	struct sonde_ring_buffer *rb = s ? sonde_ring_buffer_new(s, 1, count, &t, SONDE_RB_FORCE_SHM) : NULL;

	if (!rb) {
		printf("consumer alone: %s\n", s ? sonde_strerror(s, -errno) : strerror(errno));
		return -1;
	}
	double t0 = now_s();

	pthread_create(&pt, NULL, producer_main, &f);
	while (t.n < (uint64_t)records && now_s() - t0 < 60)
		sonde_ring_buffer_poll(rb, 100);
	double secs = now_s() - t0;

	pthread_join(pt, NULL);
	printf("%-24s %9llu records in %.3f s = %5.2f M records/s consumed (%llu bad); C producer thread, no JVM\n",
	       "shm, consumer alone", (unsigned long long)t.n, secs, t.n / secs / 1e6, (unsigned long long)t.bad);
	sonde_ring_buffer_free(rb);
	sonde_close(s);
	pthread_join(at, NULL);
	close(f.lfd);
	munmap(f.mem, SONDE_SHM_OFF_DATA + DATA_SIZE);
	unlink(a.sun_path);
	unlink(f.ring_path);
	return 0;
}
