/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The connection: connect and HELLO, one request and its reply (frames of
 * notes/control-protocol.md), errors and their messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "internal.h"

#define CLIENT_NAME "libsonde 0.1"
/* How long a reply may take beyond what the op itself waits. */
#define IO_TIMEOUT_MS 30000

int sonde__fail(struct sonde *s, int err, const char *fmt, ...)
{
	va_list ap;

	s->last_err = err;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return err;
}

const char *sonde_strerror(struct sonde *s, int err)
{
	if (s && err < 0 && err == s->last_err && s->msg[0])
		return s->msg;
	return strerror(err < 0 ? -err : err);
}

pid_t sonde_pid(const struct sonde *s)
{
	return s ? s->pid : -1;
}

const char *sonde_agent_version(const struct sonde *s)
{
	return s ? s->agent : NULL;
}

int sonde__check_handle(struct sonde *s, const char *fn, int h)
{
	if (h <= 0)
		return sonde__fail(s, -EBADF, "%s: %d is not a handle%s", fn, h,
				   h < 0 ? " (an error code passed on?)" : "");
	return 0;
}

/* ---- encoding ---- */

static void put(struct sonde_buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *q;

		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* The wire is little-endian, as is every target of this library (x86-64, aarch64). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "libsonde assumes a little-endian host");

void sonde__put_u8(struct sonde_buf *b, uint8_t v) { put(b, &v, 1); }
void sonde__put_u16(struct sonde_buf *b, uint16_t v) { put(b, &v, 2); }
void sonde__put_u32(struct sonde_buf *b, uint32_t v) { put(b, &v, 4); }
void sonde__put_u64(struct sonde_buf *b, uint64_t v) { put(b, &v, 8); }

void sonde__begin(struct sonde *s)
{
	static const uint8_t zero[SONDE_HEADER];

	s->req.len = 0;
	s->req.oom = false;
	put(&s->req, zero, sizeof(zero));
}

int sonde__put_str(struct sonde *s, const char *what, const char *str)
{
	size_t n = str ? strlen(str) : 0;

	if (n > 0xffff)
		return sonde__fail(s, -ENAMETOOLONG, "%s is %zu bytes, a str holds at most 65535", what, n);
	sonde__put_u16(&s->req, (uint16_t)n);
	put(&s->req, str, n);
	return 0;
}

int sonde__put_blob(struct sonde *s, const char *what, const void *p, size_t n)
{
	if (n > s->max_frame - 64)
		return sonde__fail(s, -E2BIG, "%s is %zu bytes, more than a frame of %u holds", what, n,
				   s->max_frame);
	sonde__put_u32(&s->req, (uint32_t)n);
	put(&s->req, p, n);
	return 0;
}

/* ---- decoding ---- */

static const uint8_t *take(struct sonde_rd *r, size_t n)
{
	static const uint8_t zero[8];
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return zero;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t sonde__get_u8(struct sonde_rd *r) { return *take(r, 1); }

uint16_t sonde__get_u16(struct sonde_rd *r)
{
	uint16_t v;
	memcpy(&v, take(r, 2), 2);
	return v;
}

uint32_t sonde__get_u32(struct sonde_rd *r)
{
	uint32_t v;
	memcpy(&v, take(r, 4), 4);
	return v;
}

uint64_t sonde__get_u64(struct sonde_rd *r)
{
	uint64_t v;
	memcpy(&v, take(r, 8), 8);
	return v;
}

uint16_t sonde__get_str_ref(struct sonde_rd *r, const uint8_t **p)
{
	uint16_t n = sonde__get_u16(r);

	*p = take(r, n);
	return r->bad ? 0 : n;
}

void sonde__get_str(struct sonde_rd *r, char *dst, size_t size)
{
	const uint8_t *p;
	uint16_t n = sonde__get_str_ref(r, &p);

	if (!dst || !size)
		return;
	if (n >= size)
		n = (uint16_t)(size - 1);
	memcpy(dst, p, n);
	dst[n] = 0;
}

uint32_t sonde__get_blob(struct sonde_rd *r, const uint8_t **p)
{
	uint32_t n = sonde__get_u32(r);

	*p = take(r, n);
	return r->bad ? 0 : n;
}

int sonde__end(struct sonde *s, struct sonde_rd *r, const char *op)
{
	if (!r->bad && r->off == r->len)
		return 0;
	s->broken = -EPROTO;
	return sonde__fail(s, -EPROTO, "%s: the agent's reply is %s (%zu bytes); protocol mismatch?",
			   op, r->bad ? "shorter than its fields" : "longer than its fields", r->len);
}

/* ---- I/O ---- */

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#define IN_CAP 65536

/* Sets SO_RCVTIMEO when it differs: each recv blocks at most that long. */
static void set_rcvtimeo(struct sonde *s, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (s->rcvtimeo_ms == ms)
		return;
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0)
		s->rcvtimeo_ms = ms;
}

/*
 * Reads exactly n bytes before deadline (ms, CLOCK_MONOTONIC): from what an earlier recv left in
 * s->in, then by blocking recv (bounded by SO_RCVTIMEO, set by sonde__xact). One recv of up to
 * IN_CAP bytes usually brings a whole reply: a request costs one send and one recv.
 * 0 or a negative errno.
 */
/*
 * recv, but first a few non-blocking tries: a reply to a small request usually arrives within
 * microseconds, and a thread that blocks at once pays the wake-up of an idle CPU (tens of
 * microseconds on a virtual machine) on every request. Bounded: at most SPIN_TRIES syscalls.
 */
#define SPIN_TRIES 64

static ssize_t recv_spin(int fd, void *buf, size_t len)
{
	for (int i = 0; i < SPIN_TRIES; i++) {
		ssize_t got = recv(fd, buf, len, MSG_DONTWAIT);

		if (got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return got;
	}
	return recv(fd, buf, len, 0);
}

static int read_full(struct sonde *s, void *dst, size_t n, long long deadline, const char *what)
{
	uint8_t *p = dst;

	while (n) {
		size_t have = s->in_len - s->in_pos;
		ssize_t got;

		if (have) {
			size_t k = have < n ? have : n;

			memcpy(p, s->in + s->in_pos, k);
			s->in_pos += k;
			p += k;
			n -= k;
			continue;
		}
		if (now_ms() >= deadline)
			return sonde__fail(s, -ETIMEDOUT, "no reply from the agent within %d ms (%s)",
					   s->rcvtimeo_ms, what);
		if (n >= s->in_cap) {
			got = recv_spin(s->fd, p, n);
			if (got > 0) {
				p += got;
				n -= (size_t)got;
				continue;
			}
		} else {
			got = recv_spin(s->fd, s->in, s->in_cap);
			if (got > 0) {
				s->in_pos = 0;
				s->in_len = (size_t)got;
				continue;
			}
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue; /* SO_RCVTIMEO passed: the deadline check above decides */
		if (got < 0 && errno == ECONNRESET)
			return sonde__fail(s, -ECONNRESET, "the agent closed the connection (reset, %s)", what);
		if (got < 0)
			return sonde__fail(s, -errno, "reading the control socket: %s", strerror(errno));
		return sonde__fail(s, -ECONNRESET, "the agent closed the connection (%s)", what);
	}
	return 0;
}

static int write_full(struct sonde *s, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			return sonde__fail(s, -e, "writing the control socket: %s%s", strerror(e),
					   e == EPIPE || e == ECONNRESET ? " (the agent closed the connection)" : "");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int set_broken(struct sonde *s, int err)
{
	if (!s->broken)
		s->broken = err;
	return err;
}

int sonde__xact(struct sonde *s, uint16_t op, struct sonde_buf *rep, struct sonde_rd *body, int wait_ms)
{
	struct sonde_frame_header h;
	uint32_t seq, length;
	long long deadline;
	int32_t status;
	int err;

	if (s->broken)
		return sonde__fail(s, s->broken == -ECONNRESET ? -EPIPE : s->broken,
				   "the connection is unusable after an earlier error (%s)", strerror(-s->broken));
	if (s->req.oom)
		return sonde__fail(s, -ENOMEM, "out of memory building a request");
	seq = ++s->seq;
	h.length = (uint32_t)(s->req.len - SONDE_OFF_VERSION);
	h.version = SONDE_VERSION;
	h.op = op;
	h.seq = seq;
	memcpy(s->req.p, &h, sizeof(h));
	int timeout = s->io_timeout_ms + (wait_ms > 0 ? wait_ms : 0);

	set_rcvtimeo(s, timeout);
	deadline = now_ms() + timeout;
	err = write_full(s, s->req.p, s->req.len);
	if (err) {
		/* The agent may have said why before it closed (an ERROR frame, e.g. -EACCES): read
		 * what is pending; the peer is gone, so recv does not block. */
		uint8_t f[1024];
		int werr = err;

		set_broken(s, err);
		if (read_full(s, &length, 4, deadline, "frame length") == 0 && length >= 12 &&
		    length <= sizeof(f) && read_full(s, f, length, deadline, "ERROR frame") == 0) {
			uint16_t ver, fop; /* f: ver u16, op u16, seq u32, status i32, message */

			memcpy(&ver, f, 2);
			memcpy(&fop, f + 2, 2);
			memcpy(&status, f + 8, 4);
			if (ver == SONDE_VERSION && fop == SONDE_OP_ERROR && status < 0)
				return sonde__fail(s, status, "%.*s", (int)(length - 12), (const char *)f + 12);
		}
		return sonde__fail(s, werr, "writing the control socket: the agent closed the connection");
	}
	err = read_full(s, &length, 4, deadline, "frame length");
	if (err)
		return set_broken(s, err);
	if (length < SONDE_HEADER - SONDE_OFF_VERSION + 4 || length > s->max_frame) {
		set_broken(s, -EPROTO);
		return sonde__fail(s, -EPROTO, "the agent sent a frame of length %u (outside %d..%u)",
				   length, SONDE_HEADER - SONDE_OFF_VERSION + 4, s->max_frame);
	}
	rep->len = 0;
	if (rep->cap < length + 4) {
		uint8_t *q = realloc(rep->p, length + 4);

		if (!q)
			return set_broken(s, sonde__fail(s, -ENOMEM, "out of memory for a reply of %u bytes", length));
		rep->p = q;
		rep->cap = length + 4;
	}
	memcpy(rep->p, &length, 4);
	err = read_full(s, rep->p + 4, length, deadline, "frame body");
	if (err)
		return set_broken(s, err);
	rep->len = length + 4;
	memcpy(&h, rep->p, sizeof(h));
	memcpy(&status, rep->p + SONDE_HEADER, 4);
	body->p = rep->p + SONDE_HEADER + 4;
	body->len = rep->len - SONDE_HEADER - 4;
	body->off = 0;
	body->bad = false;

	if (h.version != SONDE_VERSION) {
		set_broken(s, -EPROTO);
		return sonde__fail(s, -EPROTO, "the agent speaks protocol version %u, libsonde %d",
				   h.version, SONDE_VERSION);
	}
	if (h.op == SONDE_OP_ERROR) {
		/* The agent closes the connection after an ERROR frame. */
		set_broken(s, -ECONNRESET);
		return sonde__fail(s, status < 0 ? status : -EPROTO, "%.*s", (int)body->len,
				   (const char *)body->p);
	}
	if (h.op != (op | SONDE_REPLY) || h.seq != seq) {
		set_broken(s, -EPROTO);
		return sonde__fail(s, -EPROTO, "reply op 0x%04x seq %u to request op 0x%04x seq %u",
				   h.op, h.seq, op, seq);
	}
	if (status < 0) {
		if (body->len)
			return sonde__fail(s, status, "%.*s", (int)body->len, (const char *)body->p);
		return sonde__fail(s, status, "%s", strerror(-status));
	}
	return status;
}

/* ---- open / close ---- */

static int hello(struct sonde *s)
{
	struct sonde_rd r;
	int st;

	sonde__begin(s);
	sonde__put_str(s, "client", CLIENT_NAME);
	st = sonde__xact(s, SONDE_OP_HELLO, &s->rep, &r, 0);
	if (st < 0)
		return st;
	uint16_t proto = sonde__get_u16(&r);
	s->pid = (pid_t)sonde__get_u64(&r);
	sonde__get_str(&r, s->agent, sizeof(s->agent));
	uint32_t max_frame = sonde__get_u32(&r);
	st = sonde__end(s, &r, "HELLO");
	if (st)
		return st;
	if (proto != SONDE_VERSION)
		return sonde__fail(s, -EPROTO, "the agent speaks protocol %u, libsonde %d", proto, SONDE_VERSION);
	if (max_frame >= SONDE_HEADER + 16 && max_frame <= SONDE_MAX_FRAME)
		s->max_frame = max_frame;
	return 0;
}

struct sonde *sonde_open_path(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct sonde *s;
	int err;

	if (!path || !*path) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(addr.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->max_frame = SONDE_MAX_FRAME;
	s->io_timeout_ms = IO_TIMEOUT_MS;
	s->in_cap = IN_CAP;
	s->in = malloc(IN_CAP);
	if (!s->in) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		err = errno;
		goto fail;
	}
	err = -hello(s);
	if (err)
		goto fail;
	return s;
fail:
	sonde_close(s);
	errno = err;
	return NULL;
}

/* XDG_RUNTIME_DIR from the JVM's own environment (/proc/<pid>/environ) into dir; 0 if found. */
static int jvm_runtime_dir(pid_t pid, char *dir, size_t size)
{
	static const char key[] = "XDG_RUNTIME_DIR=";
	char path[64], env[16384];
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = 0;
	for (i = 0; i < n; i += strlen(env + i) + 1) {
		if (!strncmp(env + i, key, sizeof(key) - 1) && env[i + sizeof(key) - 1]) {
			snprintf(dir, size, "%s", env + i + sizeof(key) - 1);
			return 0;
		}
	}
	return -1;
}

struct sonde *sonde_open_pid(pid_t pid)
{
	char path[256], dir[200];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (pid <= 0) {
		errno = EINVAL;
		return NULL;
	}
	/* Where the agent puts its socket by default, as ControlServer.findSocket looks: our
	 * $XDG_RUNTIME_DIR, the JVM's own, then /tmp (java.io.tmpdir on Linux). */
	if (xdg && *xdg) {
		snprintf(path, sizeof(path), "%s/sonde-%d.sock", xdg, (int)pid);
		if (stat(path, &st) == 0)
			return sonde_open_path(path);
	}
	if (jvm_runtime_dir(pid, dir, sizeof(dir)) == 0) {
		snprintf(path, sizeof(path), "%s/sonde-%d.sock", dir, (int)pid);
		if (stat(path, &st) == 0)
			return sonde_open_path(path);
	}
	snprintf(path, sizeof(path), "/tmp/sonde-%d.sock", (int)pid);
	return sonde_open_path(path);
}

void sonde_close(struct sonde *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s->req.p);
	free(s->rep.p);
	free(s->in);
	free(s);
}
