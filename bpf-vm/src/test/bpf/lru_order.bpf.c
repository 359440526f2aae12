// An LRU hash of four entries: value = second argument, key = first.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, u64);
	__type(value, u64);
} recent SEC(".maps");

SEC("kprobe/Target::put")
int BPF_KPROBE(lru_put, long key, long value)
{
	u64 k = key, v = value;
	bpf_map_update_elem(&recent, &k, &v, BPF_ANY);
	return 0;
}

SEC("kprobe/Target::get")
int BPF_KPROBE(lru_get, long key)
{
	u64 k = key;
	u64 *v = bpf_map_lookup_elem(&recent, &k);
	return v ? *v : -1;
}

char LICENSE[] SEC("license") = "GPL";
