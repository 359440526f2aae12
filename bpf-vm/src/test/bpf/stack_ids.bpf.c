// Stack ids of the current call, and the raw stack copied into an array value.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(u32));
	__uint(value_size, 16 * sizeof(u64));
} stacks SEC(".maps");

struct frames {
	u64 ip[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct frames);
} last SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} by_stack SEC(".maps");

SEC("kprobe/Target::deep")
int BPF_KPROBE(stack_count)
{
	long id = bpf_get_stackid(ctx, &stacks, BPF_F_REUSE_STACKID);
	if (id < 0)
		return 0;
	u32 k = id;
	u64 one = 1;
	u64 *n = bpf_map_lookup_elem(&by_stack, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_stack, &k, &one, BPF_NOEXIST);
	u32 zero = 0;
	struct frames *f = bpf_map_lookup_elem(&last, &zero);
	if (f)
		bpf_get_stack(ctx, f->ip, sizeof(f->ip), 0);
	return id;
}

char LICENSE[] SEC("license") = "GPL";
