// Agent tests: a loaded class that declares no such method (refused at attach).
#include <sonde/probe.h>

SEC("kprobe/java.lang.String::noSuchMethod")
int BPF_KPROBE(no_such_method)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
