// profile: a timer program sampling the Java stacks of the application's running threads. Each
// tick runs it once per RUNNABLE application thread, with get_stackid, get_current_pid_tgid and
// get_current_comm answering for that thread (as a perf-event program runs on the CPU it
// interrupted). The tool sets the period with ATTACH's target (timer/<period>/threads).
#include "tools.h"

#define MAX_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(u32));
	__uint(value_size, MAX_DEPTH * sizeof(u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);	/* stack id in `stacks` */
	__type(value, u64);	/* samples */
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);	/* 0: samples taken, 1: samples whose stack could not be stored */
} totals SEC(".maps");

SEC("timer/10ms/threads")
int profile_tick(struct pt_regs *ctx)
{
	long id = bpf_get_stackid(ctx, &stacks, 0);
	u32 key;

	array_add(&totals, 0, 1);
	if (id < 0) {
		array_add(&totals, 1, 1);
		return 0;
	}
	key = id;
	count_u64(&counts, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
