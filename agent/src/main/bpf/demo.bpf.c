// The demo's probe: the latency of Catalog.lookup as a log2 histogram of microseconds (as BCC's
// funclatency), and the calls per shelf (the lookup's argument).
#include <sonde/probe.h>

#define MAX_SLOTS 32

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);	/* pid_tgid: the JVM and the Java thread */
	__type(value, u64);	/* entry time, ns */
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, u32);	/* log2 bucket of the latency in microseconds */
	__type(value, u64);	/* calls */
} latency_usecs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, s64);	/* the shelf argument */
	__type(value, u64);	/* calls */
} calls_by_shelf SEC(".maps");

/* BCC's bpf_log2l: 1 + floor(log2(v)), and 1 for v = 0 as well. */
static __always_inline u32 log2_32(u32 v)
{
	u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline u32 log2l(u64 v)
{
	u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 + 1 : log2_32(v) + 1;
}

SEC("kprobe/dev.sonde.demo.Catalog::lookup")
int BPF_KPROBE(lookup_entry, int shelf)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 ts = bpf_ktime_get_ns();
	s64 k = shelf;
	u64 one = 1, *n;

	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	n = bpf_map_lookup_elem(&calls_by_shelf, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&calls_by_shelf, &k, &one, BPF_NOEXIST))
		if ((n = bpf_map_lookup_elem(&calls_by_shelf, &k)))
			__sync_fetch_and_add(n, 1);	/* another clerk inserted it first */
	return 0;
}

SEC("kretprobe/dev.sonde.demo.Catalog::lookup")
int BPF_KRETPROBE(lookup_return)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 *tsp = bpf_map_lookup_elem(&start, &id);
	u64 *count;
	u32 slot;

	if (!tsp)
		return 0;	/* attached while the call was running */
	slot = log2l((bpf_ktime_get_ns() - *tsp) / 1000);
	bpf_map_delete_elem(&start, &id);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	count = bpf_map_lookup_elem(&latency_usecs, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
