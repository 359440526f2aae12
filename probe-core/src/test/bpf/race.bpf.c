// Exact accounting of attach/detach cycles under load (ExactCountRaceTest).
// Each cycle attaches both programs with the cycle number as the cookie; a call of
// Counted.work(worker, seq) is recorded in the slot of (cycle, worker): how many runs, and the
// first and last seq seen (plus one, so that 0 means "none yet"). One worker is one thread and
// its calls are sequential, so a slot has one writer at a time.
#include <sonde/probe.h>

#define WORKERS 8
#define MAX_CYCLES 1024

struct window {
	u64 count;
	u64 first;   // seq + 1 of the first run, 0 before it
	u64 last;    // seq + 1 of the latest run
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WORKERS * MAX_CYCLES);
	__type(key, u32);
	__type(value, struct window);
} entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WORKERS * MAX_CYCLES);
	__type(key, u32);
	__type(value, struct window);
} exits SEC(".maps");

static __always_inline void record(void *map, u64 cycle, u64 worker, u64 seq)
{
	if (worker >= WORKERS || cycle >= MAX_CYCLES)
		return;
	u32 k = cycle * WORKERS + worker;
	struct window *w = bpf_map_lookup_elem(map, &k);
	if (!w)
		return;
	__sync_fetch_and_add(&w->count, 1);
	if (w->first == 0)
		w->first = seq + 1;
	w->last = seq + 1;
}

SEC("kprobe/dev.sonde.probe.race.Counted::work")
int BPF_KPROBE(on_entry, long worker, long seq)
{
	record(&entries, bpf_get_attach_cookie(ctx), worker, seq);
	return 0;
}

SEC("kretprobe/dev.sonde.probe.race.Counted::work")
int BPF_KRETPROBE(on_exit)
{
	// The parameters are still readable at return (DESIGN.md §4).
	record(&exits, bpf_get_attach_cookie(ctx), PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
