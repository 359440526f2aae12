/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Objects, programs, links and every other handle-level request: load, find, attach, detach,
 * close, info and list, stats, pins, symbols, methods, the trace pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CHECK_S(s)                    \
	do {                          \
		if (!(s))             \
			return -EINVAL; \
	} while (0)

/* Sends the request built in s->req; on success reads "handle u32, id u32" (the id is dropped:
 * sonde_info gives it). */
static int handle_reply(struct sonde *s, uint16_t op, const char *name)
{
	struct sonde_rd r;
	int st = sonde__xact(s, op, &s->rep, &r, 0);

	if (st < 0)
		return st;
	uint32_t h = sonde__get_u32(&r);
	(void)sonde__get_u32(&r);
	st = sonde__end(s, &r, name);
	if (st)
		return st;
	if (h == 0 || h > INT_MAX)
		return sonde__fail(s, -EPROTO, "%s: the agent returned handle %u", name, h);
	return (int)h;
}

/* Sends the request built in s->req and expects an empty reply body. */
static int empty_reply(struct sonde *s, uint16_t op, const char *name)
{
	struct sonde_rd r;
	int st = sonde__xact(s, op, &s->rep, &r, 0);

	if (st < 0)
		return st;
	return sonde__end(s, &r, name);
}

int sonde_object_open_file(struct sonde *s, const char *path, const char *name)
{
	char abs[PATH_MAX];
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!path || !*path) {
		st = sonde__fail(s, -EINVAL, "sonde_object_open_file: no path");
		goto out;
	}
	/* The agent resolves paths in the JVM's working directory, not ours. */
	if (path[0] != '/') {
		if (!realpath(path, abs)) {
			st = sonde__fail(s, -errno, "sonde_object_open_file: %s: %s", path, strerror(errno));
			goto out;
		}
		path = abs;
	}
	sonde__begin(s);
	if ((st = sonde__put_str(s, "object name", name)) || (st = sonde__put_str(s, "path", path)))
		goto out;
	st = handle_reply(s, SONDE_OP_OBJ_LOAD_PATH, "OBJ_LOAD_PATH");
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_object_open_mem(struct sonde *s, const void *elf, size_t size, const char *name)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!elf || !size) {
		st = sonde__fail(s, -EINVAL, "sonde_object_open_mem: %s", elf ? "size is 0" : "elf is NULL");
		goto out;
	}
	sonde__begin(s);
	if ((st = sonde__put_str(s, "object name", name)) || (st = sonde__put_blob(s, "object", elf, size)))
		goto out;
	st = handle_reply(s, SONDE_OP_OBJ_LOAD_BYTES, "OBJ_LOAD_BYTES");
out:
	SONDE_UNLOCK(s);
	return st;
}

static int find(struct sonde *s, uint16_t op, const char *fn, int obj, const char *name)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, obj)))
		goto out;
	if (!name || !*name) {
		st = sonde__fail(s, -EINVAL, "%s: no name", fn);
		goto out;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)obj);
	if ((st = sonde__put_str(s, "name", name)))
		goto out;
	st = handle_reply(s, op, fn);
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_program_find(struct sonde *s, int obj, const char *name)
{
	return find(s, SONDE_OP_PROG_FIND, "sonde_program_find", obj, name);
}

int sonde_map_find(struct sonde *s, int obj, const char *name)
{
	return find(s, SONDE_OP_MAP_FIND, "sonde_map_find", obj, name);
}

int sonde_attach(struct sonde *s, int prog, const char *target, __u64 cookie, unsigned flags)
{
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, "sonde_attach", prog)))
		goto out;
	if (flags & ~(unsigned)SONDE_ATTACH_PENDING) {
		st = sonde__fail(s, -EINVAL, "sonde_attach: unknown flags 0x%x", flags & ~(unsigned)SONDE_ATTACH_PENDING);
		goto out;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)prog);
	sonde__put_u64(&s->req, cookie);
	sonde__put_u32(&s->req, flags);
	if ((st = sonde__put_str(s, "target", target)))
		goto out;
	st = sonde__xact(s, SONDE_OP_ATTACH, &s->rep, &r, 0);
	if (st < 0)
		goto out;
	uint32_t h = sonde__get_u32(&r);
	(void)sonde__get_u32(&r); /* id */
	(void)sonde__get_u32(&r); /* methods: sonde_info */
	if (!(st = sonde__end(s, &r, "ATTACH")))
		st = h && h <= INT_MAX ? (int)h : sonde__fail(s, -EPROTO, "ATTACH: the agent returned handle %u", h);
out:
	SONDE_UNLOCK(s);
	return st;
}

static int one_handle(struct sonde *s, uint16_t op, const char *fn, int h)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!(st = sonde__check_handle(s, fn, h))) {
		sonde__begin(s);
		sonde__put_u32(&s->req, (uint32_t)h);
		st = empty_reply(s, op, fn);
	}
	SONDE_UNLOCK(s);
	return st;
}

int sonde_detach(struct sonde *s, int link)
{
	return one_handle(s, SONDE_OP_DETACH, "sonde_detach", link);
}

int sonde_handle_close(struct sonde *s, int handle)
{
	return one_handle(s, SONDE_OP_CLOSE, "sonde_handle_close", handle);
}

static bool kind_ok(int kind)
{
	return kind >= SONDE_KIND_OBJECT && kind <= SONDE_KIND_LINK;
}

int sonde_get_by_id(struct sonde *s, int kind, __u32 id)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!kind_ok(kind)) {
		st = sonde__fail(s, -EINVAL, "sonde_get_by_id: kind %d is not 1..4", kind);
	} else {
		struct sonde_rd r;

		sonde__begin(s);
		sonde__put_u8(&s->req, (uint8_t)kind);
		sonde__put_u32(&s->req, id);
		st = sonde__xact(s, SONDE_OP_GET_BY_ID, &s->rep, &r, 0);
		if (st >= 0) {
			uint32_t h = sonde__get_u32(&r);

			if (!(st = sonde__end(s, &r, "GET_BY_ID")))
				st = h && h <= INT_MAX ? (int)h : sonde__fail(s, -EPROTO, "GET_BY_ID: handle %u", h);
		}
	}
	SONDE_UNLOCK(s);
	return st;
}

static void get_stats(struct sonde_rd *r, struct sonde_stats *st)
{
	st->run_cnt = sonde__get_u64(r);
	st->run_time_ns = sonde__get_u64(r);
	st->nmissed = sonde__get_u64(r);
	st->faults = sonde__get_u64(r);
}

void sonde__get_info(struct sonde_rd *r, int kind, struct sonde_info *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->id = sonde__get_u32(r);
	switch (kind) {
	case SONDE_KIND_OBJECT:
		sonde__get_str(r, in->name, sizeof(in->name));
		in->progs = sonde__get_u16(r);
		in->maps = sonde__get_u16(r);
		in->refs = sonde__get_u32(r);
		break;
	case SONDE_KIND_PROG:
		in->obj_id = sonde__get_u32(r);
		sonde__get_str(r, in->name, sizeof(in->name));
		sonde__get_str(r, in->section, sizeof(in->section));
		in->prog_type = sonde__get_u8(r);
		in->insns = sonde__get_u32(r);
		get_stats(r, &in->stats);
		break;
	case SONDE_KIND_MAP:
		in->obj_id = sonde__get_u32(r);
		sonde__get_str(r, in->name, sizeof(in->name));
		in->map_type = sonde__get_u32(r);
		in->key_size = sonde__get_u32(r);
		in->value_size = sonde__get_u32(r);
		in->max_entries = sonde__get_u32(r);
		in->map_flags = sonde__get_u32(r);
		break;
	case SONDE_KIND_LINK:
		in->prog_id = sonde__get_u32(r);
		sonde__get_str(r, in->target, sizeof(in->target));
		in->cookie = sonde__get_u64(r);
		in->methods = sonde__get_u32(r);
		in->open = sonde__get_u8(r);
		sonde__get_str(r, in->pinned, sizeof(in->pinned));
		get_stats(r, &in->stats);
		break;
	default:
		r->bad = true;
	}
}

int sonde_info(struct sonde *s, int handle, struct sonde_info *info)
{
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, "sonde_info", handle)))
		goto out;
	if (!info) {
		st = sonde__fail(s, -EINVAL, "sonde_info: info is NULL");
		goto out;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)handle);
	st = sonde__xact(s, SONDE_OP_INFO, &s->rep, &r, 0);
	if (st >= 0) {
		int kind = sonde__get_u8(&r);

		if (!kind_ok(kind)) {
			s->broken = -EPROTO;
			st = sonde__fail(s, -EPROTO, "INFO: the agent sent kind %d", kind);
			goto out;
		}
		sonde__get_info(&r, kind, info);
		st = sonde__end(s, &r, "INFO");
	}
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_list(struct sonde *s, int kind, sonde_info_fn cb, void *ctx)
{
	struct sonde_buf rep = { 0 };
	struct sonde_rd r;
	struct sonde_info *in = NULL;
	uint32_t n, i;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!kind_ok(kind) || !cb) {
		st = sonde__fail(s, -EINVAL, "sonde_list: %s", cb ? "kind is not 1..4" : "cb is NULL");
		SONDE_UNLOCK(s);
		return st;
	}
	sonde__begin(s);
	sonde__put_u8(&s->req, (uint8_t)kind);
	/* The reply goes to a buffer of its own: cb may call into s. */
	st = sonde__xact(s, SONDE_OP_LIST, &rep, &r, 0);
	SONDE_UNLOCK(s);
	if (st < 0)
		goto out;
	in = malloc(sizeof(*in));
	if (!in) {
		st = -ENOMEM;
		goto out;
	}
	/* Decode everything before calling back, so a malformed reply reaches no callback. */
	struct sonde_rd chk = r;
	n = sonde__get_u32(&chk);
	for (i = 0; i < n && !chk.bad; i++)
		sonde__get_info(&chk, kind, in);
	SONDE_LOCK(s);
	st = sonde__end(s, &chk, "LIST");
	SONDE_UNLOCK(s);
	if (st)
		goto out;
	n = sonde__get_u32(&r);
	for (i = 0; i < n; i++) {
		sonde__get_info(&r, kind, in);
		if ((st = cb(ctx, in)))
			goto out;
	}
	st = (int)n;
out:
	free(in);
	free(rep.p);
	return st;
}

int sonde_stats(struct sonde *s, int handle, struct sonde_stats *stats)
{
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (handle < 0 || !stats) {
		st = sonde__fail(s, handle < 0 ? -EBADF : -EINVAL, "sonde_stats: %s",
				 handle < 0 ? "negative handle" : "stats is NULL");
		goto out;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)handle);
	st = sonde__xact(s, SONDE_OP_STATS, &s->rep, &r, 0);
	if (st >= 0) {
		get_stats(&r, stats);
		st = sonde__end(s, &r, "STATS");
	}
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_pin(struct sonde *s, int handle, const char *name)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, "sonde_pin", handle)))
		goto out;
	if (!name || !*name) {
		st = sonde__fail(s, -EINVAL, "sonde_pin: no name");
		goto out;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)handle);
	if (!(st = sonde__put_str(s, "pin name", name)))
		st = empty_reply(s, SONDE_OP_PIN, "PIN");
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_unpin(struct sonde *s, const char *name)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!name || !*name) {
		st = sonde__fail(s, -EINVAL, "sonde_unpin: no name");
	} else {
		sonde__begin(s);
		if (!(st = sonde__put_str(s, "pin name", name)))
			st = empty_reply(s, SONDE_OP_UNPIN, "UNPIN");
	}
	SONDE_UNLOCK(s);
	return st;
}

int sonde_release(struct sonde *s)
{
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	sonde__begin(s);
	st = empty_reply(s, SONDE_OP_RELEASE, "RELEASE");
	SONDE_UNLOCK(s);
	return st;
}

int sonde_get_pinned(struct sonde *s, const char *name, int *kind)
{
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!name || !*name) {
		st = sonde__fail(s, -EINVAL, "sonde_get_pinned: no name");
		goto out;
	}
	sonde__begin(s);
	if ((st = sonde__put_str(s, "pin name", name)))
		goto out;
	st = sonde__xact(s, SONDE_OP_GET_PINNED, &s->rep, &r, 0);
	if (st >= 0) {
		uint32_t h = sonde__get_u32(&r);
		int k = sonde__get_u8(&r);

		if (!(st = sonde__end(s, &r, "GET_PINNED"))) {
			st = h && h <= INT_MAX ? (int)h : sonde__fail(s, -EPROTO, "GET_PINNED: handle %u", h);
			if (st > 0 && kind)
				*kind = k;
		}
	}
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_sym(struct sonde *s, __u64 addr, char *buf, size_t size, int *line)
{
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!buf || !size) {
		st = sonde__fail(s, -EINVAL, "sonde_sym: %s", buf ? "size is 0" : "buf is NULL");
		goto out;
	}
	sonde__begin(s);
	sonde__put_u64(&s->req, addr);
	st = sonde__xact(s, SONDE_OP_SYM, &s->rep, &r, 0);
	if (st >= 0) {
		sonde__get_str(&r, buf, size);
		int32_t l = (int32_t)sonde__get_u32(&r);

		if (!(st = sonde__end(s, &r, "SYM")) && line)
			*line = l;
	}
out:
	SONDE_UNLOCK(s);
	return st;
}

/* Copies a str of the reply into a NUL-terminated heap string. */
static char *dup_str(struct sonde_rd *r)
{
	const uint8_t *p;
	uint16_t n = sonde__get_str_ref(r, &p);
	char *d = malloc((size_t)n + 1);

	if (d) {
		memcpy(d, p, n);
		d[n] = 0;
	}
	return d;
}

int sonde_methods(struct sonde *s, const char *pattern, sonde_method_fn cb, void *ctx)
{
	struct sonde_buf rep = { 0 };
	struct sonde_rd r;
	uint32_t n, i;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!pattern || !*pattern || !cb) {
		st = sonde__fail(s, -EINVAL, "sonde_methods: %s", cb ? "no pattern" : "cb is NULL");
		SONDE_UNLOCK(s);
		return st;
	}
	sonde__begin(s);
	if (!(st = sonde__put_str(s, "pattern", pattern)))
		st = sonde__xact(s, SONDE_OP_METHODS, &rep, &r, 0);
	if (st >= 0) {
		struct sonde_rd chk = r;

		n = sonde__get_u32(&chk);
		for (i = 0; i < n && !chk.bad; i++) {
			const uint8_t *p;

			sonde__get_str_ref(&chk, &p);
			sonde__get_u64(&chk);
			sonde__get_str_ref(&chk, &p);
		}
		st = sonde__end(s, &chk, "METHODS");
	}
	SONDE_UNLOCK(s);
	if (st < 0)
		goto out;
	n = sonde__get_u32(&r);
	for (i = 0; i < n; i++) {
		char *sym = dup_str(&r);
		uint64_t addr = sonde__get_u64(&r);
		char *params = dup_str(&r);

		st = sym && params ? cb(ctx, sym, addr, params) : -ENOMEM;
		free(sym);
		free(params);
		if (st)
			goto out;
	}
	st = (int)n;
out:
	free(rep.p);
	return st;
}

int sonde_trace_read(struct sonde *s, unsigned max, unsigned timeout_ms, sonde_line_fn cb, void *ctx)
{
	struct sonde_buf rep = { 0 };
	struct sonde_rd r;
	uint32_t n, i;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if (!cb) {
		st = sonde__fail(s, -EINVAL, "sonde_trace_read: cb is NULL");
		SONDE_UNLOCK(s);
		return st;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, max);
	sonde__put_u32(&s->req, timeout_ms);
	st = sonde__xact(s, SONDE_OP_TRACE_READ, &rep, &r, (int)(timeout_ms > 600000 ? 600000 : timeout_ms));
	if (st >= 0) {
		struct sonde_rd chk = r;
		const uint8_t *p;

		n = sonde__get_u32(&chk);
		for (i = 0; i < n && !chk.bad; i++)
			sonde__get_str_ref(&chk, &p);
		st = sonde__end(s, &chk, "TRACE_READ");
	}
	SONDE_UNLOCK(s);
	if (st < 0)
		goto out;
	n = sonde__get_u32(&r);
	for (i = 0; i < n; i++) {
		char *line = dup_str(&r);

		st = line ? cb(ctx, line) : -ENOMEM;
		free(line);
		if (st)
			goto out;
	}
	st = (int)n;
out:
	free(rep.p);
	return st;
}
