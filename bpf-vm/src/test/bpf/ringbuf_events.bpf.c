// Ring-buffer records in order: reserve/submit, discard of odd arguments, and output.
#include <sonde/probe.h>

struct event {
	u64 seq;
	u64 arg;
	u32 cpu;
	u32 kind;
};

// Declared before the ring, so that the ring is not map 0: a record must be written into the ring,
// never into this map (a verifier bug once filed records under map 0 and the JIT wrote there).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} bystander SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

u64 seq;

SEC("kprobe/Target::emit")
int BPF_KPROBE(emit, long arg)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 1;
	e->seq = __sync_fetch_and_add(&seq, 1);
	e->arg = arg;
	e->cpu = bpf_get_smp_processor_id();
	e->kind = 1;
	if (arg & 1)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kretprobe/Target::emit")
int BPF_KRETPROBE(emit_copy, long ret)
{
	struct event e = { .seq = 0, .arg = ret, .cpu = 0, .kind = 2 };
	return bpf_ringbuf_output(&events, &e, sizeof(e), 0);
}

char LICENSE[] SEC("license") = "GPL";
