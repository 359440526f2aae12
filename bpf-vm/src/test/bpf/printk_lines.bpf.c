// bpf_printk with up to three arguments (trace_printk) and with more (trace_vprintk).
#include <sonde/probe.h>

SEC("kprobe/Target::log")
int BPF_KPROBE(printk3, long a, long b, long c)
{
	bpf_printk("a=%ld b=%lx c=%d", a, b, c);
	return 0;
}

SEC("kprobe/Target::log5")
int BPF_KPROBE(printk5, long a, long b, long c, long d, long e)
{
	bpf_printk("%ld %ld %ld %ld %ld", a, b, c, d, e);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
