// Global data: a read-only configuration, an initialised counter and a zeroed one.
#include <sonde/probe.h>

const volatile u64 step = 5;
u64 calls = 100;
u64 weighted;

SEC("kprobe/Target::tick")
int BPF_KPROBE(tick, long weight)
{
	calls += 1;
	weighted += weight * step;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
