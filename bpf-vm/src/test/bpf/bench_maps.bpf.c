// Benchmark programs: a hash lookup + update per run, a 64-byte ring-buffer record per run, and
// an empty program for the call overhead.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ring SEC(".maps");

struct record {
	u64 words[8];
};

SEC("kprobe/Bench::hash")
int BPF_KPROBE(hash_lookup_update, long key)
{
	u64 k = key & 1023, one = 1;
	u64 *v = bpf_map_lookup_elem(&table, &k);
	if (v) {
		u64 n = *v + 1;
		bpf_map_update_elem(&table, &k, &n, BPF_EXIST);
	} else {
		bpf_map_update_elem(&table, &k, &one, BPF_NOEXIST);
	}
	return 0;
}

SEC("kprobe/Bench::ring")
int BPF_KPROBE(ring_reserve_submit, long arg)
{
	struct record *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r)
		return 1;
	r->words[0] = arg;
	r->words[7] = arg;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("kprobe/Bench::empty")
int empty(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
