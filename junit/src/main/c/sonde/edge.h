/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Section edges for sonde-junit's race assertions: one ring-buffer record per entry into or exit
 * from a section, with the thread and the time. Mirrors dev.sonde.junit.Edge (EdgeLayout); the
 * kit's EdgeLayoutTest checks that the two agree.
 *
 *     #include <sonde/probe.h>
 *     #include <sonde/edge.h>
 *
 *     SONDE_EDGE_RING(edges, 1 << 16);
 *
 *     SEC("kprobe/com.shop.Lazy::create")
 *     int BPF_KPROBE(create_enter) { return sonde_edge(&edges, SONDE_ENTER, 1, 0); }
 *     SEC("kretprobe/com.shop.Lazy::create")
 *     int BPF_KRETPROBE(create_exit) { return sonde_edge(&edges, SONDE_EXIT, 1, 0); }
 *
 * Compile with -I<sonde>/junit/src/main/c next to the usual flags.
 *
 * Declare the ring as the object's FIRST map (before every other map and global variable): the
 * bpf-vm verifier of this version files every bpf_ringbuf_reserve record under map 0
 * (verifier/Calls.java, MEM_OR_NULL), and the JIT then writes the record into map 0's values
 * instead of the ring. With the ring as map 0 the two coincide. See notes/junit-kit.md.
 */
#ifndef __SONDE_EDGE_H__
#define __SONDE_EDGE_H__

#define SONDE_ENTER 1
#define SONDE_EXIT 2
/* A point event (no section): e.g. "item produced" and "item consumed" for happens-before checks. */
#define SONDE_MARK 3

/* 48 bytes, every field naturally aligned: offsets 0, 8, 16, 20, 24, 32. */
struct sonde_edge {
	__u64 ns;       /* bpf_ktime_get_ns(): System.nanoTime() of the traced JVM */
	__u64 pid_tgid; /* bpf_get_current_pid_tgid(): (pid << 32) | Java thread id */
	__u32 kind;     /* SONDE_ENTER, SONDE_EXIT or SONDE_MARK */
	__u32 site;     /* which section (the test's numbering) */
	__u64 key;      /* which instance of it (0: all instances are one section), or an item id */
	char comm[16];  /* bpf_get_current_comm(): the thread name's first 15 bytes, for messages */
};

/* A ring buffer of sonde_edge records, `bytes` a power of two and a multiple of 4096. */
#define SONDE_EDGE_RING(name, bytes) \
	struct { \
		__uint(type, BPF_MAP_TYPE_RINGBUF); \
		__uint(max_entries, bytes); \
	} name SEC(".maps")

/* Emits one edge; returns 0 (a probe's return value), also when the ring is full (a counted drop). */
static __always_inline int sonde_edge(void *ring, __u32 kind, __u32 site, __u64 key)
{
	/* Time first: an entry's stamp is never later than the body it opens. */
	__u64 ns = bpf_ktime_get_ns();
	struct sonde_edge *e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ns = ns;
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->kind = kind;
	e->site = site;
	e->key = key;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif /* __SONDE_EDGE_H__ */
