// The benchmark's producer: one 64-byte record per call of SondeTarget.emit into a large ring,
// and a small hash map for the lookup benchmark.
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

char LICENSE[] SEC("license") = "GPL";
