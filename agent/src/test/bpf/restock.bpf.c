// Agent tests: a printk and a per-CPU count on every Catalog.restock (one per 100 lookups of a clerk).
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} restocks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

u64 total;

SEC("kprobe/dev.sonde.demo.Catalog::restock")
int BPF_KPROBE(on_restock, int clerk)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&restocks, &zero);

	if (n)
		*n += 1;
	__sync_fetch_and_add(&total, 1);
	bpf_printk("restock clerk %d", clerk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
