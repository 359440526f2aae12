// One array slot and one hash value bumped atomically by every run (the concurrency test).
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} total SEC(".maps");

SEC("kprobe/Target::hot")
int BPF_KPROBE(bump)
{
	u32 k = 1;
	u64 *a = bpf_map_lookup_elem(&hits, &k);
	if (a)
		__sync_fetch_and_add(a, 1);
	u64 *h = bpf_map_lookup_elem(&total, &k);
	if (h)
		__sync_fetch_and_add(h, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
