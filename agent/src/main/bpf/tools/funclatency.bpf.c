// sonde-cc: -mcpu=v3
// funclatency: the time from a method's entry to its return, as BCC's funclatency measures it: a
// log2 histogram in the unit the tool configures, plus log-linear nanosecond buckets for the
// percentiles and the count, sum and maximum. Recursion: the innermost call wins, as in BCC.
#include "tools.h"

struct config {
	u64 divisor;	/* ns per unit of the log2 histogram: 1, 1000 or 1000000 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u64);	/* pid_tgid: the Java thread */
	__type(value, u64);	/* entry time, ns */
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LOG2_SLOTS);
	__type(key, u32);	/* log2 bucket of the latency in the configured unit */
	__type(value, u64);	/* calls */
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FINE_SLOTS);
	__type(key, u32);	/* fine_bucket of the latency in ns */
	__type(value, u64);	/* calls */
} fine SEC(".maps");

#define STAT_COUNT 0
#define STAT_SUM_NS 1
#define STAT_MAX_NS 2
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

SEC("kprobe/funclatency::entry")
int funclatency_entry(struct pt_regs *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	return 0;
}

SEC("kretprobe/funclatency::entry")
int funclatency_return(struct pt_regs *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 *tsp = bpf_map_lookup_elem(&start, &id);
	u32 zero = 0, slot;
	struct config *c;
	u64 delta, div = 1, *max, old;

	if (!tsp)
		return 0;	/* attached while the call was running */
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&start, &id);
	c = bpf_map_lookup_elem(&config, &zero);
	if (c && c->divisor)
		div = c->divisor;
	slot = log2l(delta / div);
	if (slot >= LOG2_SLOTS)
		slot = LOG2_SLOTS - 1;
	array_add(&hist, slot, 1);
	slot = fine_bucket(delta);
	if (slot >= FINE_SLOTS)
		slot = FINE_SLOTS - 1;
	array_add(&fine, slot, 1);
	array_add(&stats, STAT_COUNT, 1);
	array_add(&stats, STAT_SUM_NS, delta);
	zero = STAT_MAX_NS;
	max = bpf_map_lookup_elem(&stats, &zero);
	if (max) {
		for (int i = 0; i < 8; i++) {	/* bounded CAS loop: lose to a larger value or win */
			old = *max;
			if (old >= delta || __sync_val_compare_and_swap(max, old, delta) == old)
				break;
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
