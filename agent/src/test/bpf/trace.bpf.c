// Control-socket tests: the start-up agent's object (a session's, which the socket never closes):
// a printk on every 64th ProtoApp.emit, for TRACE_READ.
#include <sonde/probe.h>

SEC("kprobe/dev.sonde.agent.ProtoApp::emit")
int BPF_KPROBE(trace_emit, long seq, int thread)
{
	if ((seq & 63) == 0)
		bpf_printk("emit thread %d seq %ld", thread, seq);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
