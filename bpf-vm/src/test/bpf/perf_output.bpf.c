// Samples to the perf buffer of the current CPU.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} samples SEC(".maps");

struct sample {
	u64 arg;
	u64 pid_tgid;
};

SEC("kprobe/Target::sample")
int BPF_KPROBE(sample, long arg)
{
	struct sample s = { .arg = arg, .pid_tgid = bpf_get_current_pid_tgid() };
	return bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s));
}

char LICENSE[] SEC("license") = "GPL";
