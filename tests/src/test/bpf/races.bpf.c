// Probes of the race suites (dev.sonde.tests.races): section edges into one ring buffer.
// Sites: 1 a lazy initializer's create(), 2 a ticket seller's buy(), 3 a handoff's write (an item
// produced), 4 a handoff's read (an item consumed). Key: 0 for the sections (a handle names an
// object for one hit only, so `this` cannot tell instances apart), the slot for items.
#include <sonde/probe.h>
#include <sonde/edge.h>

/* The object's first map: see edge.h. */
SONDE_EDGE_RING(edges, 1 << 18);

#define LAZY 1
#define TICKETS 2
#define PRODUCE 3
#define CONSUME 4

SEC("kprobe/dev.sonde.tests.races.BrokenLazy::create")
int BPF_KPROBE(broken_lazy_enter) { return sonde_edge(&edges, SONDE_ENTER, LAZY, 0); }
SEC("kretprobe/dev.sonde.tests.races.BrokenLazy::create")
int BPF_KRETPROBE(broken_lazy_exit) { return sonde_edge(&edges, SONDE_EXIT, LAZY, 0); }

SEC("kprobe/dev.sonde.tests.races.FixedLazy::create")
int BPF_KPROBE(fixed_lazy_enter) { return sonde_edge(&edges, SONDE_ENTER, LAZY, 0); }
SEC("kretprobe/dev.sonde.tests.races.FixedLazy::create")
int BPF_KRETPROBE(fixed_lazy_exit) { return sonde_edge(&edges, SONDE_EXIT, LAZY, 0); }

SEC("kprobe/dev.sonde.tests.races.BrokenTickets::buy")
int BPF_KPROBE(broken_buy_enter) { return sonde_edge(&edges, SONDE_ENTER, TICKETS, 0); }
SEC("kretprobe/dev.sonde.tests.races.BrokenTickets::buy")
int BPF_KRETPROBE(broken_buy_exit) { return sonde_edge(&edges, SONDE_EXIT, TICKETS, 0); }

SEC("kprobe/dev.sonde.tests.races.FixedTickets::buy")
int BPF_KPROBE(fixed_buy_enter) { return sonde_edge(&edges, SONDE_ENTER, TICKETS, 0); }
SEC("kretprobe/dev.sonde.tests.races.FixedTickets::buy")
int BPF_KRETPROBE(fixed_buy_exit) { return sonde_edge(&edges, SONDE_EXIT, TICKETS, 0); }

/* Handoff::write(int i, long item) on entry: item i exists from here on. */
SEC("kprobe/dev.sonde.tests.races.Handoff::write")
int BPF_KPROBE(produced, long i) { return sonde_edge(&edges, SONDE_MARK, PRODUCE, i); }

/* Handoff::read(int i) on return: item i has been consumed (parameters stay readable at return). */
SEC("kretprobe/dev.sonde.tests.races.Handoff::read")
int BPF_KRETPROBE(consumed, long v) { return sonde_edge(&edges, SONDE_MARK, CONSUME, PT_REGS_PARM1(ctx)); }

/* Calls per site, for waits on a map value: u32 site -> u64 count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} calls SEC(".maps");

SEC("kprobe/dev.sonde.tests.races.Handoff::read")
int BPF_KPROBE(count_reads)
{
	u32 k = CONSUME;
	u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
