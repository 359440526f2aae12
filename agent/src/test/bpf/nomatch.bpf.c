// Agent tests: a target whose class never loads (reported at exit).
#include <sonde/probe.h>

SEC("kprobe/dev.sonde.demo.NoSuchClass::nothing")
int BPF_KPROBE(never_runs)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
