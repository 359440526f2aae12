// Calls per first argument: the funccount shape, with an atomic add on the hash value.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} counts SEC(".maps");

SEC("kprobe/Target::call")
int BPF_KPROBE(count_by_key, long key)
{
	u64 k = key, one = 1;
	u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
