// funccount's probe: calls per method, keyed by the method's synthetic address
// (bpf_get_func_ip), as BCC's funccount keys by instruction pointer. The target is given at
// attach time, so the SEC name is only a placeholder of the right kind.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u64);	/* the method's address */
	__type(value, u64);	/* calls */
} counts SEC(".maps");

SEC("kprobe.multi/funccount.Placeholder::*")
int funccount(struct pt_regs *ctx)
{
	u64 ip = bpf_get_func_ip(ctx), one = 1, *v = bpf_map_lookup_elem(&counts, &ip);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &ip, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
