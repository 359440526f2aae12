// Tail calls: stage0 -> stage1 -> stage2, each counting; and a self-chaining program that stops
// at Linux's limit of 33 chained calls.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} stage_hits SEC(".maps");

u64 self_runs;

static __always_inline void hit(u32 stage)
{
	u64 *v = bpf_map_lookup_elem(&stage_hits, &stage);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("kprobe/Target::stage2")
int stage2(struct pt_regs *ctx)
{
	hit(2);
	return 2;
}

SEC("kprobe/Target::stage1")
int stage1(struct pt_regs *ctx);

SEC("kprobe/Target::self")
int self(struct pt_regs *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(u32));
	__array(values, int (void *));
} jump SEC(".maps") = {
	.values = {
		[1] = (void *) &stage1,
		[2] = (void *) &stage2,
		[3] = (void *) &self,
	},
};

SEC("kprobe/Target::stage1")
int stage1(struct pt_regs *ctx)
{
	hit(1);
	bpf_tail_call(ctx, &jump, 2);
	return -1;
}

SEC("kprobe/Target::stage0")
int stage0(struct pt_regs *ctx)
{
	hit(0);
	bpf_tail_call(ctx, &jump, 1);
	return -1;
}

SEC("kprobe/Target::self")
int self(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&self_runs, 1);
	bpf_tail_call(ctx, &jump, 3);
	return 33;
}

char LICENSE[] SEC("license") = "GPL";
