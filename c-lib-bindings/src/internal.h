/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde's internals: the connection, the request encoder and the reply decoder. Nothing here
 * is exported (the library is built with -fvisibility=hidden; only SONDE_API symbols are seen).
 */
#ifndef SONDE_INTERNAL_H
#define SONDE_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <sonde/sonde.h>

/* A growable byte buffer: a request being built (header reserved) or a reply read. */
struct sonde_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom; /* an append failed: the request is not sent */
};

/* A reader of a reply body; a read past the end sets bad and returns zeros. */
struct sonde_rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

struct sonde {
	int fd;
	uint32_t seq;
	pid_t pid;
	uint32_t max_frame;
	char agent[128];
	/* 0, or the error that left the stream unusable (short read, timeout, desynchronised
	 * reply): every later request fails with it. */
	int broken;
	int io_timeout_ms;
	/* Serialises requests with their replies, and guards req, rep, last_err and msg. */
	pthread_mutex_t lock;
	struct sonde_buf req, rep;
	/* Bytes received and not yet consumed: a reply usually arrives whole in one recv. */
	uint8_t *in;
	size_t in_pos, in_len, in_cap;
	int rcvtimeo_ms; /* SO_RCVTIMEO now set on fd (0: none yet) */
	int last_err;
	char msg[1024];
};

/* Records err and a message for sonde_strerror; returns err. Caller holds s->lock. */
int sonde__fail(struct sonde *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Starts a request in s->req (the header is filled by sonde__xact). */
void sonde__begin(struct sonde *s);
void sonde__put_u8(struct sonde_buf *b, uint8_t v);
void sonde__put_u16(struct sonde_buf *b, uint16_t v);
void sonde__put_u32(struct sonde_buf *b, uint32_t v);
void sonde__put_u64(struct sonde_buf *b, uint64_t v);
/* str: u16 length + UTF-8; blob: u32 length + bytes. Return -ENAMETOOLONG / -E2BIG (and record
 * the message) when the value does not fit its length field or a frame. */
int sonde__put_str(struct sonde *s, const char *what, const char *str);
int sonde__put_blob(struct sonde *s, const char *what, const void *p, size_t n);

/*
 * Sends s->req as op and reads its reply into rep (s->rep, or a ring buffer's own buffer).
 * Returns the reply's status: >= 0 with *body on the rest of the payload, or a negative errno
 * with the agent's message recorded. wait_ms is added to the I/O timeout (ops that wait).
 * Caller holds s->lock.
 */
int sonde__xact(struct sonde *s, uint16_t op, struct sonde_buf *rep, struct sonde_rd *body, int wait_ms);

uint8_t sonde__get_u8(struct sonde_rd *r);
uint16_t sonde__get_u16(struct sonde_rd *r);
uint32_t sonde__get_u32(struct sonde_rd *r);
uint64_t sonde__get_u64(struct sonde_rd *r);
/* A str (u16 length) copied into dst of size n, cut and NUL-terminated (dst may be NULL). */
void sonde__get_str(struct sonde_rd *r, char *dst, size_t n);
/* A str32 or blob (u32 length) in place: *p points into the reply, not NUL-terminated. */
uint32_t sonde__get_blob(struct sonde_rd *r, const uint8_t **p);
/* A str (u16 length) in place. */
uint16_t sonde__get_str_ref(struct sonde_rd *r, const uint8_t **p);
/* Checks that the body was read exactly: -EPROTO (and the stream marked broken) otherwise. */
int sonde__end(struct sonde *s, struct sonde_rd *r, const char *op);

/* An entry of LIST / INFO of that kind. */
void sonde__get_info(struct sonde_rd *r, int kind, struct sonde_info *info);

/* Argument checks shared by the API: each records a message naming the function. */
int sonde__check_handle(struct sonde *s, const char *fn, int h);

#define SONDE_LOCK(s) pthread_mutex_lock(&(s)->lock)
#define SONDE_UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

#endif
