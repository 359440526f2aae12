// funccount: calls per method. The tool attaches this one program to every method of its glob
// (ATTACH's target replaces the SEC name) and reads `counts` each interval.
#include "tools.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u64);	/* the method's synthetic address (pt_regs ip) */
	__type(value, u64);	/* calls */
} counts SEC(".maps");

SEC("kprobe.multi/*::*")
int funccount_entry(struct pt_regs *ctx)
{
	u64 ip = PT_REGS_IP(ctx);

	count_u64(&counts, &ip);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
