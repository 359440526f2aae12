// Control-socket tests (ProtoApp): counts of ProtoApp.work, in total and per argument % 4, and one
// ring-buffer record per ProtoApp.emit whose fields let a reader check order and tearing.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);	/* the argument % 4 */
	__type(value, u64);	/* calls */
} by_arg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events SEC(".maps");

/* 48 bytes: a reader checks that seq grows per thread and check == seq * 2654435761 ^ thread. */
struct event {
	u64 seq;
	u32 thread;
	u32 check;
	u64 ip;
	u64 ts;
	char comm[16];
};

SEC("kprobe/dev.sonde.agent.ProtoApp::work")
int BPF_KPROBE(count_work, int n)
{
	u32 zero = 0, k = n & 3;
	u64 one = 1, *v = bpf_map_lookup_elem(&calls, &zero);

	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&by_arg, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&by_arg, &k, &one, BPF_NOEXIST);
	return 0;
}

SEC("kprobe/dev.sonde.agent.ProtoApp::emit")
int BPF_KPROBE(emit_event, long seq, int thread)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->seq = seq;
	e->thread = thread;
	e->check = (u32)seq * 2654435761u ^ (u32)thread;
	e->ip = PT_REGS_IP(ctx);
	e->ts = bpf_ktime_get_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
