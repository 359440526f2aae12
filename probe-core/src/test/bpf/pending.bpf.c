// Probes on classes that are not loaded when they attach (PendingAttachTest).
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u64);
	__type(value, u64);
} calls SEC(".maps");

u64 returns;

SEC("kprobe/dev.sonde.probe.control.PendingTarget::work")
int BPF_KPROBE(on_work, int n)
{
	u64 k = n, one = 1;
	u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
	return 0;
}

SEC("kretprobe.multi/dev.sonde.probe.control.Pending*::w*")
int BPF_KRETPROBE(on_return)
{
	__sync_fetch_and_add(&returns, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
