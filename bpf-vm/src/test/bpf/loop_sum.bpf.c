// bpf_loop: sum 0..n-1 through a callback; stop early when the callback says so.
#include <sonde/probe.h>

struct acc {
	u64 sum;
	u64 stop_at;
};

static long add_index(u32 i, void *data)
{
	struct acc *a = data;
	if (i == a->stop_at)
		return 1;
	a->sum += i;
	return 0;
}

SEC("kprobe/Target::loop")
int BPF_KPROBE(loop_sum, long n, long stop_at)
{
	struct acc a = { .sum = 0, .stop_at = stop_at };
	long iterations = bpf_loop(n, add_index, &a, 0);
	return a.sum * 1000 + iterations;
}

char LICENSE[] SEC("license") = "GPL";
