// Timer programs (TimerProgramTest): a plain timer counting its runs, and a per-thread timer
// recording what the helpers say about each sampled thread.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);	/* 0: runs, 1: last pid_tgid, 2: last ip, 3: last cookie */
} ticks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(u32));
	__uint(value_size, 127 * sizeof(u64));
} stacks SEC(".maps");

struct sample {
	u64 runs;
	s64 stack_id;
	u64 ip;
	char comm[16];
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, u64);	/* pid_tgid of the sampled thread */
	__type(value, struct sample);
} samples SEC(".maps");

SEC("timer/5ms")
int tick(struct pt_regs *ctx)
{
	u32 k = 0;
	u64 *v = bpf_map_lookup_elem(&ticks, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	k = 1;
	v = bpf_map_lookup_elem(&ticks, &k);
	if (v)
		*v = bpf_get_current_pid_tgid();
	k = 2;
	v = bpf_map_lookup_elem(&ticks, &k);
	if (v)
		*v = bpf_get_func_ip(ctx);
	k = 3;
	v = bpf_map_lookup_elem(&ticks, &k);
	if (v)
		*v = bpf_get_attach_cookie(ctx);
	return 0;
}

SEC("timer/2ms/threads")
int sample_thread(struct pt_regs *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	struct sample zero = {}, *s;

	s = bpf_map_lookup_elem(&samples, &id);
	if (!s) {
		bpf_map_update_elem(&samples, &id, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&samples, &id);
		if (!s)
			return 0;
	}
	s->runs++;
	s->stack_id = bpf_get_stackid(ctx, &stacks, 0);
	s->ip = bpf_get_func_ip(ctx);
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	sonde_get_thread_name(s->name, sizeof(s->name));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
