// The Java call stack as bpf_get_stack sees it, at entry and at return (CallStackTest).
#include <sonde/probe.h>

#define DEPTH 32

struct seen {
	long len;
	u64 ips[DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct seen);
} stacks SEC(".maps");

static __always_inline void record(struct pt_regs *ctx, u32 k)
{
	struct seen *s = bpf_map_lookup_elem(&stacks, &k);
	if (s)
		s->len = bpf_get_stack(ctx, s->ips, sizeof(s->ips), 0);
}

SEC("kprobe/dev.sonde.probe.stack.Layers::target")
int BPF_KPROBE(at_entry)
{
	record(ctx, 0);
	return 0;
}

SEC("kretprobe/dev.sonde.probe.stack.Layers::target")
int BPF_KRETPROBE(at_return)
{
	record(ctx, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
