/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tests that need no JVM: argument checks, and the client's behaviour against a fake agent that
 * misbehaves (closes after HELLO, answers with a garbled frame, an ERROR frame).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sonde/sonde.h>
#include "harness.h"
#include "tests.h"

/* The header struct agrees with the offsets (the Java test checks the offsets against the
 * agent's descriptor). */
_Static_assert(sizeof(struct sonde_frame_header) == SONDE_HEADER, "header size");
_Static_assert(offsetof(struct sonde_frame_header, length) == SONDE_OFF_LENGTH, "length");
_Static_assert(offsetof(struct sonde_frame_header, version) == SONDE_OFF_VERSION, "version");
_Static_assert(offsetof(struct sonde_frame_header, op) == SONDE_OFF_OP, "op");
_Static_assert(offsetof(struct sonde_frame_header, seq) == SONDE_OFF_SEQ, "seq");

enum fake_mode { FAKE_CLOSE_AFTER_HELLO, FAKE_GARBLED_REPLY, FAKE_ERROR_FRAME, FAKE_REFUSE };

struct fake {
	int lfd;
	enum fake_mode mode;
	char path[108];
};

static int read_frame(int fd, uint8_t *buf, size_t cap)
{
	uint32_t len;

	if (recv(fd, &len, 4, MSG_WAITALL) != 4 || len + 4 > cap)
		return -1;
	memcpy(buf, &len, 4);
	return recv(fd, buf + 4, len, MSG_WAITALL) == (ssize_t)len ? (int)len + 4 : -1;
}

static void send_reply(int fd, uint16_t op, uint32_t seq, int32_t status, const void *body, size_t n)
{
	uint8_t f[256];
	struct sonde_frame_header h = { (uint32_t)(8 + 4 + n), SONDE_VERSION, op, seq };

	memcpy(f, &h, sizeof(h));
	memcpy(f + SONDE_HEADER, &status, 4);
	memcpy(f + SONDE_HEADER + 4, body, n);
	send(fd, f, SONDE_HEADER + 4 + n, MSG_NOSIGNAL);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	uint8_t buf[4096], body[64];
	struct sonde_frame_header h;
	int fd = accept(f->lfd, NULL, NULL);
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (read_frame(fd, buf, sizeof(buf)) < 0)
		goto out;
	memcpy(&h, buf, sizeof(h));
	/* HELLO reply: proto u16, pid u64, agent str, max_frame u32 */
	uint16_t proto = SONDE_VERSION;
	uint64_t pid = 4242;
	uint16_t alen = 4;
	uint32_t maxf = SONDE_MAX_FRAME;
	memcpy(body + n, &proto, 2), n += 2;
	memcpy(body + n, &pid, 8), n += 8;
	memcpy(body + n, &alen, 2), n += 2;
	memcpy(body + n, "fake", 4), n += 4;
	memcpy(body + n, &maxf, 4), n += 4;
	send_reply(fd, h.op | SONDE_REPLY, h.seq, 0, body, n);
	if (f->mode == FAKE_CLOSE_AFTER_HELLO)
		goto out;
	if (f->mode == FAKE_REFUSE) {
		/* An ERROR frame unasked, then close: the client's next write may fail, and it
		 * still reads why. */
		send_reply(fd, SONDE_OP_ERROR, 0, -EACCES, "fake: refused", 13);
		goto out;
	}
	if (read_frame(fd, buf, sizeof(buf)) < 0)
		goto out;
	memcpy(&h, buf, sizeof(h));
	if (f->mode == FAKE_GARBLED_REPLY)
		send_reply(fd, h.op | SONDE_REPLY, h.seq + 7, 0, "", 0); /* wrong seq */
	else
		send_reply(fd, SONDE_OP_ERROR, 0, -EPROTO, "fake: bad frame", 15);
out:
	close(fd);
	return NULL;
}

static struct sonde *fake_open(struct fake *f, pthread_t *t, enum fake_mode mode, const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	f->mode = mode;
	snprintf(f->path, sizeof(f->path), "%s/fake.sock", dir);
	unlink(f->path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(f->lfd, 1))
		return NULL;
	pthread_create(t, NULL, fake_main, f);
	return sonde_open_path(f->path);
}

static void fake_close(struct fake *f, pthread_t t, struct sonde *s)
{
	sonde_close(s);
	if (t)
		pthread_join(t, NULL);
	close(f->lfd);
	unlink(f->path);
}

void test_offline(const char *dir)
{
	struct fake f;
	pthread_t t;
	struct sonde *s;
	__u64 k = 1, v;
	int rc;

	/* NULL and bad arguments: errors, no crash. */
	CHECK_EQ(NULL, sonde_object_open_file(NULL, "x", NULL), -EINVAL);
	CHECK_EQ(NULL, sonde_map_lookup_elem(NULL, 1, &k, 8, &v, 8), -EINVAL);
	CHECK_EQ(NULL, sonde_ring_buffer_poll(NULL, 0), -EINVAL);
	sonde_close(NULL);
	sonde_ring_buffer_free(NULL);
	errno = 0;
	CHECK(sonde_open_path(NULL) == NULL && errno == EINVAL, "errno %d", errno);
	errno = 0;
	CHECK(sonde_open_path("/nonexistent/sonde.sock") == NULL && errno == ENOENT, "errno %d", errno);
	errno = 0;
	CHECK(sonde_open_pid(-3) == NULL && errno == EINVAL, "errno %d", errno);

	/* The agent closes after HELLO: -ECONNRESET with a message, then -EPIPE. */
	s = fake_open(&f, &t, FAKE_CLOSE_AFTER_HELLO, dir);
	CHECK(s != NULL, "open fake: %s", strerror(errno));
	if (s) {
		CHECK_EQ(s, sonde_pid(s), 4242);
		CHECK(!strcmp(sonde_agent_version(s), "fake"), "agent %s", sonde_agent_version(s));
		rc = sonde_map_lookup_elem(s, 1, &k, 8, &v, 8);
		CHECK(rc == -ECONNRESET || rc == -EPIPE, "rc %d", rc);
		CHECK(strstr(sonde_strerror(s, rc), "closed") != NULL, "message '%s'", sonde_strerror(s, rc));
		CHECK_EQ(s, sonde_map_lookup_elem(s, 1, &k, 8, &v, 8), -EPIPE);
		/* Local checks still answer before any I/O. */
		CHECK_EQ(s, sonde_map_lookup_elem(s, 1, NULL, 8, &v, 8), -EINVAL);
		CHECK(strstr(sonde_strerror(s, -EINVAL), "key is NULL") != NULL, "'%s'", sonde_strerror(s, -EINVAL));
		CHECK_EQ(s, sonde_map_lookup_elem(s, 1, &k, 0, &v, 8), -EINVAL);
		CHECK_EQ(s, sonde_detach(s, -2), -EBADF);
		CHECK_EQ(s, sonde_get_by_id(s, 9, 1), -EINVAL);
		CHECK_EQ(s, sonde_attach(s, 1, NULL, 0, 0x80), -EINVAL);
		CHECK(sonde_ring_buffer_new(s, 1, NULL, NULL, 0) == NULL && errno == EINVAL, "errno %d", errno);
	}
	fake_close(&f, t, s);

	/* The agent refuses and closes: its ERROR frame is read even when the write fails. */
	s = fake_open(&f, &t, FAKE_REFUSE, dir);
	CHECK(s != NULL, "open fake: %s", strerror(errno));
	if (s) {
		pthread_join(t, NULL); /* the fake has closed its end */
		rc = sonde_stats(s, 0, &(struct sonde_stats){ 0 });
		CHECK_EQ(s, rc, -EACCES);
		CHECK(!strcmp(sonde_strerror(s, rc), "fake: refused"), "'%s'", sonde_strerror(s, rc));
		CHECK_EQ(s, sonde_stats(s, 0, &(struct sonde_stats){ 0 }), -EPIPE);
		t = 0;
	}
	fake_close(&f, t, s);

	/* A reply with the wrong seq: -EPROTO naming it. */
	s = fake_open(&f, &t, FAKE_GARBLED_REPLY, dir);
	CHECK(s != NULL, "open fake: %s", strerror(errno));
	if (s) {
		rc = sonde_stats(s, 0, &(struct sonde_stats){ 0 });
		CHECK_EQ(s, rc, -EPROTO);
		CHECK(strstr(sonde_strerror(s, rc), "seq") != NULL, "'%s'", sonde_strerror(s, rc));
	}
	fake_close(&f, t, s);

	/* An ERROR frame: its status and message. */
	s = fake_open(&f, &t, FAKE_ERROR_FRAME, dir);
	CHECK(s != NULL, "open fake: %s", strerror(errno));
	if (s) {
		rc = sonde_handle_close(s, 3);
		CHECK_EQ(s, rc, -EPROTO);
		CHECK(!strcmp(sonde_strerror(s, rc), "fake: bad frame"), "'%s'", sonde_strerror(s, rc));
	}
	fake_close(&f, t, s);
}
