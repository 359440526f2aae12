/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde against a real agent: SondeTarget in a JVM with sonde-agent.jar, the probe
 * test/bpf/count.bpf.c. Every count is exact because the target calls its methods only when told.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sonde/sonde.h>
#include "tests.h"

#define MAGIC 0x5344524543ull
#define WAIT_MS 20000

struct record {
	__u64 seq;
	__u64 magic;
	__u64 ip;
	__u64 fill[5];
};

/* What a ring consumer saw: records must come in seq order, each intact. */
struct seen {
	__u64 next;     /* the seq expected next */
	long count;
	long bad;       /* wrong size, order or content */
	__u64 ip;
	char first_bad[160];
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *sn = ctx;
	struct record r = { 0 };
	__u64 want = sn->next;
	bool ok = size == sizeof(r);

	if (ok) {
		memcpy(&r, data, sizeof(r));
		ok = r.seq == want && r.magic == MAGIC && (sn->count == 0 || r.ip == sn->ip);
		for (int i = 0; ok && i < 5; i++)
			ok = r.fill[i] == r.seq * 8 + i;
		sn->ip = r.ip;
		sn->next = r.seq + 1;
	}
	if (!ok && !sn->bad++)
		snprintf(sn->first_bad, sizeof(sn->first_bad), "record %ld: size %zu seq %llu (want %llu)",
			 sn->count, size, (unsigned long long)r.seq, (unsigned long long)want);
	sn->count++;
	return 0;
}

/* Polls until want records came or the deadline passed. */
static void drain(struct sonde_ring_buffer *rb, struct seen *sn, long want)
{
	long long end = now_ms() + WAIT_MS;

	while (sn->count < want && now_ms() < end) {
		int n = sonde_ring_buffer_poll(rb, 200);

		if (n < 0) {
			CHECK(n >= 0, "poll: %d", n);
			return;
		}
	}
}

static __u64 lookup_count(struct sonde *s, int map, __u64 key)
{
	__u64 v = 0;
	int rc = sonde_map_lookup_elem(s, map, &key, sizeof(key), &v, sizeof(v));

	return rc ? (__u64)(long long)rc : v;
}

static int on_link(void *ctx, const struct sonde_info *in)
{
	__u32 *want = ctx;

	if (in->id == want[0])
		want[1] = 1;
	return 0;
}

static bool link_listed(struct sonde *s, __u32 id)
{
	__u32 st[2] = { id, 0 };

	int rc = sonde_list(s, SONDE_KIND_LINK, on_link, st);

	if (rc < 0)
		fprintf(stderr, "sonde_list: %s\n", sonde_strerror(s, rc));
	return st[1];
}

struct methods_seen {
	__u64 work_addr;
	int n;
};

static int on_method(void *ctx, const char *sym, __u64 addr, const char *params)
{
	struct methods_seen *m = ctx;

	(void)params;
	m->n++;
	if (strstr(sym, "SondeTarget.work"))
		m->work_addr = addr;
	return 0;
}

static int count_entry(void *ctx, const void *k, size_t ks, const void *v, size_t vs)
{
	(void)k;
	(void)v;
	if (ks == 8 && vs == 8)
		++*(int *)ctx;
	return 0;
}

static void *read_file(const char *path, size_t *size)
{
	struct stat st;
	void *p = NULL;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && fstat(fd, &st) == 0 && (p = malloc((size_t)st.st_size)) &&
	    read(fd, p, (size_t)st.st_size) == st.st_size)
		*size = (size_t)st.st_size;
	else
		free(p), p = NULL;
	if (fd >= 0)
		close(fd);
	return p;
}

void test_agent(struct env *e)
{
	char obj_path[600], reply[256], sym[256];
	struct sonde_info info;
	struct sonde_stats st;
	struct sonde *s, *s2;
	int obj, prog, map, ring, link, emit, emit_link, rc, kind, line;

	snprintf(obj_path, sizeof(obj_path), "%s/bpf/count.bpf.o", e->dir);
	s = sonde_open_path(e->sock);
	CHECK(s != NULL, "connect %s: %s", e->sock, strerror(errno));
	if (!s)
		return;
	CHECK_EQ(s, sonde_pid(s), e->jvm.pid);
	{
		/* By pid: the default socket name under $XDG_RUNTIME_DIR (a link to the real one). */
		char link_path[700];
		const char *old = getenv("XDG_RUNTIME_DIR");
		char *saved = old ? strdup(old) : NULL;
		struct sonde *bypid;

		snprintf(link_path, sizeof(link_path), "%s/sonde-%d.sock", e->tmp, (int)e->jvm.pid);
		CHECK(symlink(e->sock, link_path) == 0, "symlink: %s", strerror(errno));
		setenv("XDG_RUNTIME_DIR", e->tmp, 1);
		bypid = sonde_open_pid(e->jvm.pid);
		CHECK(bypid != NULL && sonde_pid(bypid) == e->jvm.pid, "open_pid: %s", strerror(errno));
		sonde_close(bypid);
		if (saved)
			setenv("XDG_RUNTIME_DIR", saved, 1);
		else
			unsetenv("XDG_RUNTIME_DIR");
		free(saved);
		unlink(link_path);
	}

	/* Bad objects get a message and leave nothing behind. */
	rc = sonde_object_open_mem(s, "\x7f" "ELFgarbage", 10, "garbage");
	CHECK(rc < 0 && strlen(sonde_strerror(s, rc)) > 0 && strcmp(sonde_strerror(s, rc), strerror(-rc)),
	      "rc %d, message '%s' (want the agent's)", rc, rc < 0 ? sonde_strerror(s, rc) : "");
	rc = sonde_object_open_file(s, "/nonexistent/x.bpf.o", NULL);
	CHECK(rc < 0, "rc %d", rc);

	obj = sonde_object_open_file(s, obj_path, NULL);
	CHECK(obj > 0, "open %s: %s", obj_path, sonde_strerror(s, obj));
	if (obj <= 0)
		goto out;
	CHECK_EQ(s, sonde_info(s, obj, &info), 0);
	CHECK(info.kind == SONDE_KIND_OBJECT && info.progs == 2, "kind %d progs %u", info.kind, info.progs);
	prog = sonde_program_find(s, obj, "on_work");
	map = sonde_map_find(s, obj, "calls");
	CHECK(prog > 0 && map > 0, "prog %d map %d: %s", prog, map, sonde_strerror(s, prog < 0 ? prog : map));
	CHECK_EQ(s, sonde_map_find(s, obj, "no_such_map"), -ENOENT);
	CHECK_EQ(s, sonde_program_find(s, 4000, "on_work"), -EBADF);
	CHECK_EQ(s, sonde_attach(s, map, NULL, 0, 0), -EBADF); /* a map is no program */
	CHECK_EQ(s, sonde_info(s, map, &info), 0);
	CHECK(info.kind == SONDE_KIND_MAP && info.key_size == 8 && info.value_size == 8 && info.map_type == 1,
	      "kind %d key %u value %u type %u", info.kind, info.key_size, info.value_size, info.map_type);

	/* Attach, count exactly, iterate. */
	link = sonde_attach(s, prog, NULL, 42, 0);
	CHECK(link > 0, "attach: %s", sonde_strerror(s, link));
	if (link <= 0)
		goto out;
	CHECK_EQ(s, sonde_info(s, link, &info), 0);
	CHECK(info.kind == SONDE_KIND_LINK && info.methods == 1 && info.cookie == 42 && info.open,
	      "kind %d methods %u cookie %llu open %u", info.kind, info.methods,
	      (unsigned long long)info.cookie, info.open);
	jvm_do(e, NULL, 0, "work 1000 7");
	jvm_do(e, NULL, 0, "work 250 3");
	CHECK_EQ(s, lookup_count(s, map, 7), 1000);
	CHECK_EQ(s, lookup_count(s, map, 3), 250);
	CHECK_EQ(s, lookup_count(s, map, 5), -ENOENT);
	/* Bad input after the fact loses nothing: a garbage object, an unknown target. */
	rc = sonde_object_open_mem(s, "garbage!", 8, NULL);
	CHECK(rc < 0, "garbage loaded: %d", rc);
	rc = sonde_attach(s, prog, "kprobe/SondeTarget::noSuchMethod", 0, 0);
	CHECK(rc < 0 && strstr(sonde_strerror(s, rc), "noSuchMethod"), "attach to a missing method: %d '%s'", rc,
	      rc < 0 ? sonde_strerror(s, rc) : "");
	rc = sonde_attach(s, prog, "bogus/target", 0, 0);
	CHECK(rc < 0 && strlen(sonde_strerror(s, rc)) > 0, "attach to a bogus target: %d", rc);
	jvm_do(e, NULL, 0, "work 1 7");
	CHECK_EQ(s, lookup_count(s, map, 7), 1001);
	{
		__u64 key, next, sum = 0;
		int keys = 0;
		const void *prev = NULL;

		while ((rc = sonde_map_get_next_key(s, map, prev, &next, sizeof(next))) == 0 && keys < 100) {
			CHECK(next == 3 || next == 7, "key %llu", (unsigned long long)next);
			sum += next;
			keys++;
			key = next;
			prev = &key;
		}
		CHECK_EQ(s, rc, -ENOENT);
		CHECK(keys == 2 && sum == 10, "keys %d sum %llu", keys, (unsigned long long)sum);
	}
	{
		int entries = 0;

		CHECK_EQ(s, sonde_map_dump(s, map, 0, count_entry, &entries), 2);
		CHECK_EQ(s, entries, 2);
	}
	CHECK_EQ(s, sonde_stats(s, link, &st), 0);
	CHECK_EQ(s, st.run_cnt, 1251);
	CHECK_EQ(s, sonde_stats(s, prog, &st), 0);
	CHECK_EQ(s, st.run_cnt, 1251);
	CHECK_EQ(s, sonde_stats(s, 0, &st), 0);
	CHECK(st.run_cnt >= 1251, "JVM run_cnt %llu", (unsigned long long)st.run_cnt);
	{
		__u64 k = 99, v = 5, small = 0;
		__u32 tiny;

		CHECK_EQ(s, sonde_map_update_elem(s, map, &k, 8, &v, 8, 0), 0);
		CHECK_EQ(s, lookup_count(s, map, 99), 5);
		CHECK_EQ(s, sonde_map_update_elem(s, map, &k, 8, &v, 8, 1 /* BPF_NOEXIST */), -EEXIST);
		CHECK_EQ(s, sonde_map_delete_elem(s, map, &k, 8), 0);
		CHECK_EQ(s, lookup_count(s, map, 99), -ENOENT);
		CHECK_EQ(s, sonde_map_delete_elem(s, map, &k, 8), -ENOENT);
		rc = sonde_map_lookup_elem(s, map, &k, 4, &small, 8); /* a 4-byte key of an 8-byte map */
		CHECK(rc == -EINVAL, "rc %d", rc);
		k = 7;
		CHECK_EQ(s, sonde_map_lookup_elem(s, map, &k, 8, &tiny, 4), -EINVAL);
	}

	/* Methods and symbols. */
	{
		struct methods_seen m = { 0 };

		rc = sonde_methods(s, "kprobe.multi/SondeTarget::*", on_method, &m);
		CHECK(rc >= 3 && m.work_addr != 0, "methods %d work 0x%llx: %s", rc,
		      (unsigned long long)m.work_addr, rc < 0 ? sonde_strerror(s, rc) : "");
		if (m.work_addr) {
			CHECK_EQ(s, sonde_sym(s, m.work_addr, sym, sizeof(sym), &line), 0);
			CHECK(strstr(sym, "SondeTarget.work") != NULL, "sym '%s'", sym);
		}
		CHECK_EQ(s, sonde_sym(s, 8, sym, sizeof(sym), NULL), -ENOENT);
	}

	/* Ring buffer through shared memory: in order, intact, across the wrap-around. */
	emit = sonde_program_find(s, obj, "on_emit");
	ring = sonde_map_find(s, obj, "events");
	emit_link = sonde_attach(s, emit, NULL, 0, 0);
	CHECK(emit > 0 && ring > 0 && emit_link > 0, "emit %d ring %d link %d: %s", emit, ring, emit_link,
	      sonde_strerror(s, emit_link));
	{
		struct seen sn = { 0 };
		struct sonde_ring_buffer *rb = sonde_ring_buffer_new(s, ring, on_record, &sn, SONDE_RB_FORCE_SHM);

		CHECK(rb != NULL, "shm ring: %s", sonde_strerror(s, -errno));
		if (rb) {
			CHECK_EQ(s, sonde_ring_buffer_is_shm(rb), 1);
			CHECK_EQ(s, sonde_ring_buffer_poll(rb, 0), 0);
			/* One consumer per ring: a second one is refused when it polls; freeing it
			 * leaves the first one's mirror running. */
			struct sonde_ring_buffer *rb2 = sonde_ring_buffer_new(s, ring, on_record, &sn, SONDE_RB_FORCE_SOCKET);

			CHECK(rb2 != NULL, "second consumer: %s", sonde_strerror(s, -errno));
			CHECK_EQ(s, sonde_ring_buffer_poll(rb2, 0), -EBUSY);
			sonde_ring_buffer_free(rb2);
			/* 4 rounds of 20,000 records of 72 bytes: 1.4 passes over the 4 MiB ring, so
			 * records straddle its end; each round fits the ring, so none is dropped. */
			for (int round = 0; round < 4; round++) {
				jvm_do(e, NULL, 0, "emit 20000 %d", round * 20000);
				drain(rb, &sn, (round + 1) * 20000L);
			}
			CHECK(sn.count == 80000 && !sn.bad, "shm: %ld records, %ld bad (%s)", sn.count, sn.bad,
			      sn.first_bad);
			CHECK_EQ(s, sonde_ring_buffer_poll(rb, 50), 0);
			CHECK_EQ(s, sonde_sym(s, sn.ip, sym, sizeof(sym), NULL), 0);
			CHECK(strstr(sym, "SondeTarget.emit") != NULL, "record ip -> '%s'", sym);
			sonde_ring_buffer_free(rb);
		}
	}
	/* Without a flag the consumer takes shared memory, which this agent offers. */
	{
		struct seen sn = { 0 };
		struct sonde_ring_buffer *rb = sonde_ring_buffer_new(s, ring, on_record, &sn, 0);

		CHECK(rb != NULL && sonde_ring_buffer_is_shm(rb) == 1, "default ring: %s",
		      rb ? "over the socket" : sonde_strerror(s, -errno));
		sonde_ring_buffer_free(rb);
	}
	/* The same ring over the socket, once the shared-memory consumer is gone. */
	{
		struct seen sn = { .next = 100000 };
		struct sonde_ring_buffer *rb = sonde_ring_buffer_new(s, ring, on_record, &sn, SONDE_RB_FORCE_SOCKET);

		CHECK(rb != NULL, "socket ring: %s", sonde_strerror(s, -errno));
		if (rb) {
			CHECK_EQ(s, sonde_ring_buffer_is_shm(rb), 0);
			jvm_do(e, NULL, 0, "emit 3000 100000");
			drain(rb, &sn, 3000);
			CHECK(sn.count == 3000 && !sn.bad, "socket: %ld records, %ld bad (%s)", sn.count, sn.bad,
			      sn.first_bad);
			CHECK_EQ(s, sonde_ring_buffer_dropped(rb), 0);
			sonde_ring_buffer_free(rb);
		}
	}
	CHECK_EQ(s, sonde_stats(s, emit_link, &st), 0);
	CHECK_EQ(s, st.run_cnt, 83000);

	/* Detach: later calls are not counted; the handle stays until closed. */
	CHECK_EQ(s, sonde_detach(s, link), 0);
	jvm_do(e, NULL, 0, "work 500 7");
	CHECK_EQ(s, lookup_count(s, map, 7), 1001);
	CHECK_EQ(s, sonde_info(s, link, &info), 0);
	CHECK(!info.open, "link still open after detach");
	CHECK_EQ(s, sonde_handle_close(s, link), 0);
	CHECK_EQ(s, sonde_detach(s, link), -EBADF);
	CHECK(strlen(sonde_strerror(s, -EBADF)) > 0, "no message");

	/* Pins outlive the connection; a second connection finds them. */
	CHECK_EQ(s, sonde_pin(s, map, "libsonde-test-calls"), 0);
	CHECK_EQ(s, sonde_pin(s, map, "libsonde-test-calls"), -EEXIST);
	s2 = sonde_open_path(e->sock);
	CHECK(s2 != NULL, "second connection: %s", strerror(errno));
	if (s2) {
		int pm = sonde_get_pinned(s2, "libsonde-test-calls", &kind);

		CHECK(pm > 0 && kind == SONDE_KIND_MAP, "get_pinned %d kind %d: %s", pm, kind, sonde_strerror(s2, pm));
		CHECK_EQ(s2, lookup_count(s2, pm, 3), 250);
		CHECK_EQ(s2, sonde_get_pinned(s2, "libsonde-no-such-pin", NULL), -ENOENT);

		/* Closing a connection releases its handles: its link is detached and gone. */
		__u32 id;
		int l2 = sonde_attach(s, prog, NULL, 0, 0);

		CHECK(l2 > 0, "attach: %s", sonde_strerror(s, l2));
		CHECK_EQ(s, sonde_info(s, l2, &info), 0);
		id = info.id;
		CHECK(link_listed(s2, id), "link %u not listed", id);
		jvm_do(e, NULL, 0, "work 10 3");
		CHECK_EQ(s2, lookup_count(s2, pm, 3), 260);
		sonde_close(s);
		s = NULL;
		long long end = now_ms() + WAIT_MS;
		while (link_listed(s2, id) && now_ms() < end)
			;
		CHECK(!link_listed(s2, id), "link %u outlived its connection", id);
		jvm_do(e, NULL, 0, "work 10 3");
		CHECK_EQ(s2, lookup_count(s2, pm, 3), 260);
		CHECK_EQ(s2, sonde_get_by_id(s2, SONDE_KIND_LINK, id), -ENOENT);
		CHECK_EQ(s2, sonde_unpin(s2, "libsonde-test-calls"), 0);
		CHECK_EQ(s2, sonde_get_pinned(s2, "libsonde-test-calls", NULL), -ENOENT);
		/* RELEASE without a pending hold= is a no-op success. */
		CHECK_EQ(s2, sonde_release(s2), 0);
		CHECK_EQ(s2, sonde_release(s2), 0);

		/* An object loaded from memory works as one loaded from a file. */
		size_t size = 0;
		void *elf = read_file(obj_path, &size);

		CHECK(elf != NULL, "read %s", obj_path);
		if (elf) {
			int o2 = sonde_object_open_mem(s2, elf, size, "from-memory");

			CHECK(o2 > 0, "open_mem: %s", sonde_strerror(s2, o2));
			CHECK_EQ(s2, sonde_info(s2, o2, &info), 0);
			CHECK(!strcmp(info.name, "from-memory"), "name '%s'", info.name);
			free(elf);
		}
		sonde_close(s2);
	}
out:
	sonde_close(s);
	(void)reply;
}
