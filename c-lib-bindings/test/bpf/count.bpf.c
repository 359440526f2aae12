// The C tests' probe: exact call counts per argument of SondeTarget.work, and a 64-byte record
// per call of SondeTarget.emit into a ring buffer (seq = the argument, then a marker and the
// method's address), so the consumer can check count, order and content.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);	/* work's argument */
	__type(value, u64);	/* calls */
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);	/* 4 MiB: 58,254 records of 72 bytes */
} events SEC(".maps");

struct record {
	u64 seq;
	u64 magic;
	u64 ip;
	u64 fill[5];
};

SEC("kprobe/SondeTarget::work")
int BPF_KPROBE(on_work, int x)
{
	u64 k = x, one = 1, *v = bpf_map_lookup_elem(&calls, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
	return 0;
}

SEC("kprobe/SondeTarget::emit")
int BPF_KPROBE(on_emit, long seq)
{
	struct record r = { .seq = seq, .magic = 0x5344524543ull, .ip = bpf_get_func_ip(ctx) };

	for (int i = 0; i < 5; i++)
		r.fill[i] = seq * 8 + i;
	bpf_ringbuf_output(&events, &r, sizeof(r), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
