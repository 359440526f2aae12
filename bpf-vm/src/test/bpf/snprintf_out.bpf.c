// bpf_snprintf into a global buffer; the return value (length with NUL) is kept too.
#include <sonde/probe.h>

char out[32];
long out_len;

SEC("kprobe/Target::fmt")
int BPF_KPROBE(fmt, long id, long amount)
{
	static const char f[] = "order %d: %05u cents";
	u64 args[2] = { id, amount };
	out_len = bpf_snprintf(out, sizeof(out), f, args, sizeof(args));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
