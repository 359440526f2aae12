// The kit's own probes on dev.sonde.junit.Subject (SondeExtensionTest, LeakTest).
#include <sonde/probe.h>
#include <sonde/edge.h>

/* First map of the object: see edge.h. */
SONDE_EDGE_RING(edges, 1 << 16);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} percpu SEC(".maps");

struct last {
	u8 flag;
	u64 arg;
	u16 small;
	char name[6];
	u32 tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct last);
} lasts SEC(".maps");

SEC("kprobe/dev.sonde.junit.Subject::work")
int BPF_KPROBE(work_enter, long n)
{
	u32 k = n & 7, zero = 0;
	u64 one = 1;
	u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
	u64 *p = bpf_map_lookup_elem(&percpu, &zero);
	if (p)
		(*p)++;
	struct last *l = bpf_map_lookup_elem(&lasts, &zero);
	if (l) {
		l->flag = 1;
		l->arg = n;
		l->small = 0x1234;
		__builtin_memcpy(l->name, "sonde", 6);
		l->tail = 0xdeadbeef;
	}
	return sonde_edge(&edges, SONDE_ENTER, 7, n);
}

SEC("kretprobe/dev.sonde.junit.Subject::work")
int BPF_KRETPROBE(work_exit, long ret)
{
	return sonde_edge(&edges, SONDE_EXIT, 7, PT_REGS_PARM1(ctx));
}

/* Never attached: @Probes(programs = ...) leaves it out (its class does not exist). */
SEC("kprobe/dev.sonde.junit.NoSuchClass::nothing")
int BPF_KPROBE(unattached)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
