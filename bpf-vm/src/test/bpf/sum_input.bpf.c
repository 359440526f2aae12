// A program for the conformance plugin's --elf mode: r1 = input, r2 = its length. It sums the
// input bytes through a bpf-to-bpf call, counts bytes per value in a hash map, adds a bias from
// global data and returns the sum plus the number of distinct byte values * 0x10000.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, u64);
} seen SEC(".maps");

const volatile u64 bias = 7;
u64 distinct;

static __attribute__((noinline)) u64 count(u32 b)
{
	u64 one = 1;
	u64 *v = bpf_map_lookup_elem(&seen, &b);
	if (v) {
		*v += 1;
		return 0;
	}
	bpf_map_update_elem(&seen, &b, &one, BPF_NOEXIST);
	distinct += 1;
	return 1;
}

SEC("sonde/sum")
u64 sum(const u8 *data, u64 len)
{
	u64 s = bias;
	for (u64 i = 0; i < len && i < 64; i++) {
		s += data[i];
		count(data[i]);
	}
	return s + (distinct << 16);
}

char LICENSE[] SEC("license") = "GPL";
