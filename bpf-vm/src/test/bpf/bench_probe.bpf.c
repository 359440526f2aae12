// Probe hit-path benchmark programs (tests/.../ProbeBench): attached to ProbeBench$Target::work.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} by_arg SEC(".maps");

SEC("kprobe/dev.sonde.bench.ProbeBench$Target::work")
int entry_empty(struct pt_regs *ctx)
{
	return 0;
}

static __always_inline void count_array(void)
{
	u32 k = 0;
	u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("kprobe/dev.sonde.bench.ProbeBench$Target::work")
int array_entry(struct pt_regs *ctx)
{
	count_array();
	return 0;
}

SEC("kretprobe/dev.sonde.bench.ProbeBench$Target::work")
int array_return(struct pt_regs *ctx)
{
	count_array();
	return 0;
}

static __always_inline void count_hash(u64 k)
{
	u64 one = 1;
	u64 *v = bpf_map_lookup_elem(&by_arg, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&by_arg, &k, &one, BPF_NOEXIST);
}

SEC("kprobe/dev.sonde.bench.ProbeBench$Target::work")
int hash_entry(struct pt_regs *ctx)
{
	count_hash(PT_REGS_PARM1(ctx));
	return 0;
}

SEC("kretprobe/dev.sonde.bench.ProbeBench$Target::work")
int hash_return(struct pt_regs *ctx)
{
	count_hash(PT_REGS_PARM1(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
