// A trace-pipe probe on dev.sonde.junit.Subject::say (SondeExtensionTest).
#include <sonde/probe.h>

u64 said;

SEC("kprobe/dev.sonde.junit.Subject::say")
int BPF_KPROBE(say, long n)
{
	__sync_fetch_and_add(&said, 1);
	bpf_printk("say %ld", n);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
