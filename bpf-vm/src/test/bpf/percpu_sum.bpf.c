// Non-atomic per-CPU sums: correct because a slot is held exclusively during a run.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} sum SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} by_cpu SEC(".maps");

SEC("kprobe/Target::add")
int BPF_KPROBE(percpu_add, long n)
{
	u32 zero = 0;
	u64 *s = bpf_map_lookup_elem(&sum, &zero);
	if (s)
		*s += n;
	u32 cpu = bpf_get_smp_processor_id();
	u64 *c = bpf_map_lookup_elem(&by_cpu, &cpu);
	if (c) {
		*c += 1;
	} else {
		u64 one = 1;
		bpf_map_update_elem(&by_cpu, &cpu, &one, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
