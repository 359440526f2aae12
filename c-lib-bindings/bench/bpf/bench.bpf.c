// The benchmark's producers: one 64-byte record per call of SondeTarget.emit, or 64 per call of
// SondeTarget.burst (bpf_loop), into a 16 MiB ring; a small hash map for the lookup benchmark.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} table SEC(".maps");

struct record {
	u64 seq;
	u64 fill[7];
};

SEC("kprobe/SondeTarget::emit")
int BPF_KPROBE(on_emit, long seq)
{
	struct record r = { .seq = seq };

	bpf_ringbuf_output(&events, &r, sizeof(r), 0);
	return 0;
}

struct burst_ctx {
	u64 base;
};

static long burst_one(u32 i, struct burst_ctx *c)
{
	struct record r = { .seq = c->base + i };

	bpf_ringbuf_output(&events, &r, sizeof(r), 0);
	return 0;
}

/* 64 records per hit through bpf_loop: the consumer path without one probe hit per record. */
SEC("kprobe/SondeTarget::burst")
int BPF_KPROBE(on_burst, long seq)
{
	struct burst_ctx c = { .base = seq };

	bpf_loop(64, burst_one, &c, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
