// sonde-cc: -mcpu=v3
// argdist: the distribution of one parameter or of the return value of a method. The tool writes
// `config` (which value, read as a number or as a String) before it attaches argdist_entry (a
// parameter) or argdist_return (the return value) to the method.
#include "tools.h"

#define STR_LEN 64

struct config {
	u32 arg;	/* 0-based parameter index (argdist_entry); ignored by argdist_return */
	u32 string;	/* 1: the value is a reference read as a String (UTF-8, at most 63 bytes) */
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
	__type(key, u64);	/* the value's 64 bits (DESIGN.md §3 encoding) */
	__type(value, u64);	/* calls */
} numbers SEC(".maps");

struct strkey {
	char s[STR_LEN];	/* NUL-terminated; "\xff" for null */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct strkey);
	__type(value, u64);	/* calls */
} strings SEC(".maps");

#define STAT_CALLS 0
#define STAT_DROPPED 1	/* a value that found the map full */
#define STAT_EXCEPTIONAL 2	/* returns by a throwable (not counted as values) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct strkey);
} scratch SEC(".maps");

static __always_inline void bump(void *map, const void *key)
{
	u64 one = 1, *n;

	n = bpf_map_lookup_elem(map, key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(map, key);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			array_add(&stats, STAT_DROPPED, 1);
	}
}

static __always_inline void record(u64 v, struct config *c)
{
	u32 zero = 0;
	struct strkey *k;

	array_add(&stats, STAT_CALLS, 1);
	if (!c->string) {
		bump(&numbers, &v);
		return;
	}
	k = bpf_map_lookup_elem(&scratch, &zero);
	if (!k)
		return;
	__builtin_memset(k->s, 0, STR_LEN);
	if (v == 0)
		k->s[0] = (char) 0xff;
	else
		bpf_probe_read_user_str(k->s, STR_LEN, (void *) v);
	bump(&strings, k);
}

SEC("kprobe/argdist::entry")
int argdist_entry(struct pt_regs *ctx)
{
	u32 zero = 0;
	struct config *c = bpf_map_lookup_elem(&config, &zero);
	u64 v = 0;

	if (!c || bpf_get_func_arg(ctx, c->arg, &v))
		return 0;
	record(v, c);
	return 0;
}

SEC("kretprobe/argdist::entry")
int argdist_return(struct pt_regs *ctx)
{
	u32 zero = 0;
	struct config *c = bpf_map_lookup_elem(&config, &zero);

	if (!c)
		return 0;
	if (SONDE_EXCEPTIONAL(ctx)) {
		array_add(&stats, STAT_EXCEPTIONAL, 1);
		return 0;
	}
	record(PT_REGS_RC(ctx), c);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
