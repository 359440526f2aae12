// Agent tests: rejected by the verifier (a load past the end of an 8-byte map value).
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} small SEC(".maps");

SEC("kprobe/dev.sonde.demo.Catalog::restock")
int BPF_KPROBE(past_the_end)
{
	u32 zero = 0;
	u64 *v = bpf_map_lookup_elem(&small, &zero);

	if (!v)
		return 0;
	return *(volatile u64 *)((char *)v + 64);
}

char LICENSE[] SEC("license") = "GPL";
