// Agent tests: counts clash.ClashApp.work, the method of an application that ships its own Byte Buddy.
#include <sonde/probe.h>

u64 works;

SEC("kprobe/clash.ClashApp::work")
int BPF_KPROBE(on_work)
{
	__sync_fetch_and_add(&works, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
