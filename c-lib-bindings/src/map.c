/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map elements over the socket: lookup, update, delete, next key, dump, the JSON dump. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHECK_S(s)                    \
	do {                          \
		if (!(s))             \
			return -EINVAL; \
	} while (0)

static int check_buf(struct sonde *s, const char *fn, const char *what, const void *p, size_t n)
{
	if (!p)
		return sonde__fail(s, -EINVAL, "%s: %s is NULL", fn, what);
	if (!n)
		return sonde__fail(s, -EINVAL, "%s: %s size is 0", fn, what);
	return 0;
}

/* A reply whose body is one blob of exactly size bytes (a key or a value): into dst. 0 or -errno. */
static int take_blob(struct sonde *s, struct sonde_rd *r, const char *op, const char *fn, const char *what,
		     void *dst, size_t size)
{
	const uint8_t *p;
	uint32_t n = sonde__get_blob(r, &p);
	int st = sonde__end(s, r, op);

	if (st)
		return st;
	if (n != size)
		return sonde__fail(s, -EINVAL, "%s: the %s is %u bytes, the caller's buffer %zu", fn, what, n, size);
	memcpy(dst, p, n);
	return 0;
}

int sonde_map_lookup_elem(struct sonde *s, int map, const void *key, size_t key_sz, void *value,
			  size_t value_sz)
{
	static const char fn[] = "sonde_map_lookup_elem";
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, map)) || (st = check_buf(s, fn, "key", key, key_sz)) ||
	    (st = check_buf(s, fn, "value", value, value_sz)))
		goto out;
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)map);
	if ((st = sonde__put_blob(s, "key", key, key_sz)))
		goto out;
	st = sonde__xact(s, SONDE_OP_MAP_LOOKUP, &s->rep, &r, 0);
	if (st >= 0)
		st = take_blob(s, &r, "MAP_LOOKUP", fn, "value", value, value_sz);
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_map_update_elem(struct sonde *s, int map, const void *key, size_t key_sz, const void *value,
			  size_t value_sz, __u64 flags)
{
	static const char fn[] = "sonde_map_update_elem";
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, map)) || (st = check_buf(s, fn, "key", key, key_sz)) ||
	    (st = check_buf(s, fn, "value", value, value_sz)))
		goto out;
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)map);
	sonde__put_u64(&s->req, flags);
	if ((st = sonde__put_blob(s, "key", key, key_sz)) || (st = sonde__put_blob(s, "value", value, value_sz)))
		goto out;
	st = sonde__xact(s, SONDE_OP_MAP_UPDATE, &s->rep, &r, 0);
	if (st >= 0)
		st = sonde__end(s, &r, "MAP_UPDATE");
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_map_delete_elem(struct sonde *s, int map, const void *key, size_t key_sz)
{
	static const char fn[] = "sonde_map_delete_elem";
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, map)) || (st = check_buf(s, fn, "key", key, key_sz)))
		goto out;
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)map);
	if ((st = sonde__put_blob(s, "key", key, key_sz)))
		goto out;
	st = sonde__xact(s, SONDE_OP_MAP_DELETE, &s->rep, &r, 0);
	if (st >= 0)
		st = sonde__end(s, &r, "MAP_DELETE");
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_map_get_next_key(struct sonde *s, int map, const void *key, void *next_key, size_t key_sz)
{
	static const char fn[] = "sonde_map_get_next_key";
	struct sonde_rd r;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, map)) || (st = check_buf(s, fn, "next_key", next_key, key_sz)))
		goto out;
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)map);
	if ((st = sonde__put_blob(s, "key", key, key ? key_sz : 0)))
		goto out;
	st = sonde__xact(s, SONDE_OP_MAP_NEXT_KEY, &s->rep, &r, 0);
	if (st >= 0)
		st = take_blob(s, &r, "MAP_NEXT_KEY", fn, "key", next_key, key_sz);
out:
	SONDE_UNLOCK(s);
	return st;
}

int sonde_map_dump(struct sonde *s, int map, unsigned max, sonde_map_entry_fn cb, void *ctx)
{
	static const char fn[] = "sonde_map_dump";
	struct sonde_buf rep = { 0 };
	struct sonde_rd r;
	const uint8_t *k, *v;
	uint32_t n, i;
	int st;

	CHECK_S(s);
	SONDE_LOCK(s);
	if ((st = sonde__check_handle(s, fn, map)))
		goto unlock;
	if (!cb) {
		st = sonde__fail(s, -EINVAL, "%s: cb is NULL", fn);
		goto unlock;
	}
	sonde__begin(s);
	sonde__put_u32(&s->req, (uint32_t)map);
	sonde__put_u32(&s->req, max);
	/* Own reply buffer: cb may call into s. */
	st = sonde__xact(s, SONDE_OP_MAP_DUMP, &rep, &r, 0);
	if (st >= 0) {
		struct sonde_rd chk = r;

		n = sonde__get_u32(&chk);
		for (i = 0; i < n && !chk.bad; i++) {
			sonde__get_blob(&chk, &k);
			sonde__get_blob(&chk, &v);
		}
		st = sonde__end(s, &chk, "MAP_DUMP");
	}
unlock:
	SONDE_UNLOCK(s);
	if (st < 0)
		goto out;
	n = sonde__get_u32(&r);
	for (i = 0; i < n; i++) {
		uint32_t kn = sonde__get_blob(&r, &k);
		uint32_t vn = sonde__get_blob(&r, &v);

		if ((st = cb(ctx, k, kn, v, vn)))
			goto out;
	}
	st = (int)n;
out:
	free(rep.p);
	return st;
}

char *sonde_dump_json(struct sonde *s, const char *name)
{
	struct sonde_rd r;
	const uint8_t *j;
	char *out = NULL;
	int st;

	if (!s) {
		errno = EINVAL;
		return NULL;
	}
	SONDE_LOCK(s);
	sonde__begin(s);
	if ((st = sonde__put_str(s, "name", name)))
		goto done;
	st = sonde__xact(s, SONDE_OP_DUMP_JSON, &s->rep, &r, 0);
	if (st < 0)
		goto done;
	uint32_t n = sonde__get_blob(&r, &j);
	if ((st = sonde__end(s, &r, "DUMP_JSON")))
		goto done;
	out = malloc((size_t)n + 1);
	if (!out) {
		st = sonde__fail(s, -ENOMEM, "sonde_dump_json: out of memory");
		goto done;
	}
	memcpy(out, j, n);
	out[n] = 0;
done:
	SONDE_UNLOCK(s);
	if (!out)
		errno = -st;
	return out;
}
