/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring-buffer consumer: records from a file ring that the agent mirrors the map into
 * (RINGBUF_SHM), consumed as libbpf consumes a kernel ring buffer, or fetched over the socket
 * (RINGBUF_POLL) where the agent offers no shared memory.
 *
 * Shared memory, assumptions and guarantees:
 * - One producer (the agent's mirror thread) and one consumer (this struct; poll is not called
 *   from two threads at once). Positions are u64 byte counts that only grow; the record at
 *   position p is at data[p & mask].
 * - The producer writes a record's header and bytes, then stores prod with release; the consumer
 *   loads prod with acquire, so every byte below prod is written and visible. The consumer stores
 *   cons with release after it is done with a record's bytes; the producer loads cons with
 *   acquire before reusing that space, so it never overwrites bytes the callback still reads.
 * - Records are delivered in order, each once; a DISCARD record is skipped; a record that wraps
 *   around the end of data is copied into a scratch buffer so the callback sees it contiguous
 *   (the kernel maps data twice instead; a file has no double mapping).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"

#define BPF_MAP_TYPE_RINGBUF 27
/* Busy-wait this many checks of prod before sleeping, then sleep 1 µs doubling up to 1 ms. Few:
 * on a small machine a spinning consumer takes the CPU the producer and the agent's mirror need
 * (4000 checks cost 0.78 s of CPU per 10M records against 0.35 s with 100, notes/libsonde.md). */
#define SPIN_CHECKS 100
#define SLEEP_MIN_NS 1000L
#define SLEEP_MAX_NS 1000000L

struct sonde_ring_buffer {
	struct sonde *s;
	int map;            /* our own handle on the map: closing it stops the agent's mirror */
	sonde_ring_sample_fn cb;
	void *ctx;
	bool shm;
	/* shared memory */
	int fd;
	uint8_t *base;
	size_t map_len;
	uint64_t *cons_pos; /* written by us (release), read by the mirror (acquire) */
	const uint64_t *prod_pos; /* written by the mirror (release), read by us (acquire) */
	uint8_t *data;
	uint64_t mask;
	uint8_t *scratch;   /* data_size bytes, for records that wrap */
	int broken;         /* a corrupt ring: every poll fails with it */
	/* socket */
	struct sonde_buf rep;
	uint64_t dropped;
};

static int shm_setup(struct sonde_ring_buffer *rb)
{
	struct sonde *s = rb->s;
	char path[4096];
	struct sonde_rd r;
	struct stat stb;
	uint32_t size;
	int st;

	SONDE_LOCK(s);
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)rb->map);
	st = sonde__xact(s, SONDE_OP_RINGBUF_SHM, &s->rep, &r, 0);
	if (st >= 0) {
		sonde__get_str(&r, path, sizeof(path));
		size = sonde__get_u32(&r);
		st = sonde__end(s, &r, "RINGBUF_SHM");
	}
	if (st < 0)
		goto out;
	if (size < 16 || (size & (size - 1)) || size > (1u << 31)) {
		st = sonde__fail(s, -EPROTO, "RINGBUF_SHM: data_size %u is not a power of two >= 16", size);
		goto out;
	}
	rb->fd = open(path, O_RDWR | O_CLOEXEC);
	if (rb->fd < 0) {
		st = sonde__fail(s, -errno, "RINGBUF_SHM: open %s: %s", path, strerror(errno));
		goto out;
	}
	rb->map_len = SONDE_SHM_OFF_DATA + (size_t)size;
	if (fstat(rb->fd, &stb) < 0 || (size_t)stb.st_size < rb->map_len) {
		st = sonde__fail(s, -EPROTO, "RINGBUF_SHM: %s is %lld bytes, the ring needs %zu", path,
				 (long long)stb.st_size, rb->map_len);
		goto out;
	}
	rb->base = mmap(NULL, rb->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, rb->fd, 0);
	if (rb->base == MAP_FAILED) {
		rb->base = NULL;
		st = sonde__fail(s, -errno, "RINGBUF_SHM: mmap %s: %s", path, strerror(errno));
		goto out;
	}
	rb->scratch = malloc(size);
	if (!rb->scratch) {
		st = sonde__fail(s, -ENOMEM, "RINGBUF_SHM: out of memory");
		goto out;
	}
	rb->cons_pos = (uint64_t *)(rb->base + SONDE_SHM_OFF_CONS);
	rb->prod_pos = (const uint64_t *)(rb->base + SONDE_SHM_OFF_PROD);
	rb->data = rb->base + SONDE_SHM_OFF_DATA;
	rb->mask = size - 1;
	rb->shm = true;
	st = 0;
out:
	SONDE_UNLOCK(s);
	return st;
}

static void shm_teardown(struct sonde_ring_buffer *rb)
{
	if (rb->base)
		munmap(rb->base, rb->map_len);
	if (rb->fd >= 0)
		close(rb->fd);
	free(rb->scratch);
	rb->base = NULL;
	rb->fd = -1;
	rb->scratch = NULL;
	rb->shm = false;
}

struct sonde_ring_buffer *sonde_ring_buffer_new(struct sonde *s, int map, sonde_ring_sample_fn cb,
						void *ctx, unsigned flags)
{
	struct sonde_ring_buffer *rb;
	struct sonde_info info;
	int st;

	if (!s || !cb || (flags & ~(unsigned)(SONDE_RB_FORCE_SHM | SONDE_RB_FORCE_SOCKET)) ||
	    (flags & SONDE_RB_FORCE_SHM && flags & SONDE_RB_FORCE_SOCKET)) {
		if (s) {
			SONDE_LOCK(s);
			sonde__fail(s, -EINVAL, "sonde_ring_buffer_new: %s",
				    !cb ? "cb is NULL" : "bad flags (FORCE_SHM and FORCE_SOCKET exclude each other)");
			SONDE_UNLOCK(s);
		}
		errno = EINVAL;
		return NULL;
	}
	st = sonde_info(s, map, &info);
	if (st < 0)
		goto fail;
	if (info.kind != SONDE_KIND_MAP || info.map_type != BPF_MAP_TYPE_RINGBUF) {
		SONDE_LOCK(s);
		st = sonde__fail(s, -EINVAL, "sonde_ring_buffer_new: handle %d is not a ring buffer map (%s)",
				 map, info.kind == SONDE_KIND_MAP ? info.name : "not a map");
		SONDE_UNLOCK(s);
		goto fail;
	}
	rb = calloc(1, sizeof(*rb));
	if (!rb) {
		st = -ENOMEM;
		goto fail;
	}
	rb->s = s;
	rb->cb = cb;
	rb->ctx = ctx;
	rb->fd = -1;
	/* A handle of our own: freeing the consumer closes it, which stops the mirror. */
	rb->map = sonde_get_by_id(s, SONDE_KIND_MAP, info.id);
	if (rb->map < 0) {
		st = rb->map;
		free(rb);
		goto fail;
	}
	if (!(flags & SONDE_RB_FORCE_SOCKET)) {
		st = shm_setup(rb);
		if (st < 0) {
			shm_teardown(rb);
			/* EBUSY: the ring has a consumer; the socket would say so too. */
			if (flags & SONDE_RB_FORCE_SHM || st == -EBUSY || st == -EBADF || rb->s->broken) {
				sonde_ring_buffer_free(rb);
				goto fail;
			}
			/* The agent may have started a mirror that we cannot map (another /dev/shm,
			 * e.g. across containers): closing the handle that asked stops it, or the
			 * socket polls would be refused with -EBUSY. */
			sonde_handle_close(s, rb->map);
			rb->map = sonde_get_by_id(s, SONDE_KIND_MAP, info.id);
			if (rb->map < 0) {
				st = rb->map;
				free(rb);
				goto fail;
			}
		}
	}
	return rb;
fail:
	errno = -st;
	return NULL;
}

int sonde_ring_buffer_is_shm(const struct sonde_ring_buffer *rb)
{
	return rb ? rb->shm : -EINVAL;
}

__u64 sonde_ring_buffer_dropped(const struct sonde_ring_buffer *rb)
{
	return rb ? rb->dropped : 0;
}

/* Consumes every committed record below prod. Returns the records passed to cb, or cb's
 * negative return, or -EBADMSG on a corrupt header. */
static int shm_consume(struct sonde_ring_buffer *rb)
{
	const uint64_t size = rb->mask + 1;
	/* Only this consumer writes cons, so a plain read of our own last store is enough. */
	uint64_t cons = __atomic_load_n(rb->cons_pos, __ATOMIC_RELAXED);
	int n = 0;

	if (rb->broken)
		return rb->broken;
	for (;;) {
		/* Pairs with the mirror's release store of prod after it wrote the records
		 * (agent: the RINGBUF_SHM mirror). */
		uint64_t prod = __atomic_load_n(rb->prod_pos, __ATOMIC_ACQUIRE);

		if (cons == prod)
			return n;
		while (cons != prod) {
			/* A header never wraps: records are 8-aligned and size is a power of two >= 16. */
			uint32_t hdr = *(const volatile uint32_t *)(rb->data + (cons & rb->mask));
			uint32_t len = hdr & ~(SONDE_RB_BUSY_BIT | SONDE_RB_DISCARD_BIT);
			uint64_t total = ((uint64_t)len + SONDE_RB_HEADER + 7) & ~7ull;
			int err = 0;

			/* The mirror publishes prod only after a record is complete, so BUSY below
			 * prod would mean a producer that does not follow the protocol. */
			if (hdr & SONDE_RB_BUSY_BIT || total > size || total > prod - cons) {
				rb->broken = -EBADMSG;
				return n ? n : rb->broken;
			}
			if (!(hdr & SONDE_RB_DISCARD_BIT)) {
				uint64_t off = (cons + SONDE_RB_HEADER) & rb->mask;
				void *p = rb->data + off;

				if (off + len > size) {
					size_t first = (size_t)(size - off);

					memcpy(rb->scratch, rb->data + off, first);
					memcpy(rb->scratch + first, rb->data, len - first);
					p = rb->scratch;
				}
				err = rb->cb(rb->ctx, p, len);
				if (err >= 0)
					n++;
			}
			cons += total;
			/* Pairs with the mirror's acquire load of cons before it reuses this space:
			 * the callback's reads of the record happen before the overwrite. */
			__atomic_store_n(rb->cons_pos, cons, __ATOMIC_RELEASE);
			if (err < 0)
				return err;
			if (n == 0x7fffffff)
				return n;
		}
	}
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int shm_poll(struct sonde_ring_buffer *rb, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ns() + (long long)timeout_ms * 1000000LL;
	long sleep_ns = SLEEP_MIN_NS;
	int spins = 0;
	int n = shm_consume(rb);

	if (n != 0 || timeout_ms == 0)
		return n;
	for (;;) {
		/* Pairs with the mirror's release store of prod, as in shm_consume. */
		if (__atomic_load_n(rb->prod_pos, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(rb->cons_pos, __ATOMIC_RELAXED)) {
			n = shm_consume(rb);
			if (n != 0)
				return n;
		}
		if (spins < SPIN_CHECKS) {
			spins++;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
			continue;
		}
		long long left = deadline < 0 ? SLEEP_MAX_NS : deadline - now_ns();

		if (left <= 0)
			return 0;
		struct timespec ts = { 0, left < sleep_ns ? left : sleep_ns };

		nanosleep(&ts, NULL);
		if (sleep_ns < SLEEP_MAX_NS)
			sleep_ns *= 2;
	}
}

/* One RINGBUF_POLL request; the callbacks run with the connection unlocked. */
static int sock_poll_once(struct sonde_ring_buffer *rb, unsigned wait_ms)
{
	struct sonde *s = rb->s;
	struct sonde_rd r, chk;
	const uint8_t *p;
	uint32_t n, i;
	int st;

	SONDE_LOCK(s);
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)rb->map);
	sonde__put_u32(&s->req, 0);
	sonde__put_u32(&s->req, wait_ms);
	st = sonde__xact(s, SONDE_OP_RINGBUF_POLL, &rb->rep, &r, (int)wait_ms);
	if (st >= 0) {
		chk = r;
		n = sonde__get_u32(&chk);
		sonde__get_u64(&chk);
		for (i = 0; i < n && !chk.bad; i++)
			sonde__get_blob(&chk, &p);
		st = sonde__end(s, &chk, "RINGBUF_POLL");
	}
	SONDE_UNLOCK(s);
	if (st < 0)
		return st;
	n = sonde__get_u32(&r);
	rb->dropped = sonde__get_u64(&r);
	for (i = 0; i < n; i++) {
		uint32_t len = sonde__get_blob(&r, &p);
		/* The reply buffer is ours until the next poll: the record may be handed out in place. */
		int err = rb->cb(rb->ctx, (void *)p, len);

		if (err < 0)
			return err;
	}
	return (int)n;
}

/* The agent caps one wait (10 s in ControlConnection); longer or unbounded waits are several
 * requests of at most 1 s each. */
static int sock_poll(struct sonde_ring_buffer *rb, int timeout_ms)
{
	long long end = timeout_ms < 0 ? -1 : now_ns() + (long long)timeout_ms * 1000000LL;
	int n;

	if (timeout_ms == 0)
		return sock_poll_once(rb, 0);
	do {
		long long left_ms = end < 0 ? 1000 : (end - now_ns()) / 1000000LL;

		if (left_ms <= 0)
			return 0;
		n = sock_poll_once(rb, (unsigned)(left_ms < 1000 ? left_ms : 1000));
	} while (n == 0);
	return n;
}

int sonde_ring_buffer_poll(struct sonde_ring_buffer *rb, int timeout_ms)
{
	if (!rb)
		return -EINVAL;
	return rb->shm ? shm_poll(rb, timeout_ms) : sock_poll(rb, timeout_ms);
}

int sonde_ring_buffer_consume(struct sonde_ring_buffer *rb)
{
	return sonde_ring_buffer_poll(rb, 0);
}

void sonde_ring_buffer_free(struct sonde_ring_buffer *rb)
{
	if (!rb)
		return;
	shm_teardown(rb);
	if (rb->map > 0)
		sonde_handle_close(rb->s, rb->map);
	free(rb->rep.p);
	free(rb);
}
