// stackcount: the Java call stacks that lead to a method, counted by stack id.
#include "tools.h"

#define MAX_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(u32));
	__uint(value_size, MAX_DEPTH * sizeof(u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);	/* stack id in `stacks` */
	__type(value, u64);	/* calls */
} counts SEC(".maps");

#define LOST_STACKS 0
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);	/* calls whose stack could not be stored (-EEXIST, -ENOMEM, ...) */
} lost SEC(".maps");

SEC("kprobe.multi/stackcount::entry")
int stackcount_entry(struct pt_regs *ctx)
{
	long id = bpf_get_stackid(ctx, &stacks, 0);
	u32 key;

	if (id < 0) {
		array_add(&lost, LOST_STACKS, 1);
		return 0;
	}
	key = id;
	count_u64(&counts, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
