// sonde-cc: -mcpu=v3
// trace: one ring-buffer record per call (its thread, its parameters, its return value), at most
// `config.per_second` records a second; the tool formats and prints them. trace_entry is attached
// when the format names no return value, trace_return when it does (parameters stay readable at
// return, DESIGN.md §3).
#include "tools.h"

#define ARGS 6
#define STR_LEN 64
#define NAME_LEN 32

struct config {
	u64 per_second;	/* 0: no limit */
	u32 str[2];	/* values copied as Strings: 1 + parameter index, 0x100 for the return value, 0 none */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct config);
} config SEC(".maps");

struct window {
	u64 start_ns;
	u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct window);
} window SEC(".maps");

#define STAT_CALLS 0
#define STAT_LIMITED 1	/* calls not recorded because of the rate limit */
#define STAT_LOST 2	/* calls not recorded because the ring was full */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

/* TraceEvent.java reads this layout (little-endian, no padding: 8-byte fields first). */
struct event {
	u64 ts_ns;
	u64 pid_tgid;
	u64 ip;
	u64 ret;
	u64 args[ARGS];
	u32 nargs;
	u32 flags;	/* bit 0 at return, bit 1 exceptional */
	char thread[NAME_LEN];
	char str[2][STR_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Whether the call may be recorded under the limit: a one-second window, reset by the first call
 * after it ends (a CAS, so one thread resets it); calls racing the reset may let a few more through. */
static __always_inline bool admit(struct config *c, u64 now)
{
	u32 zero = 0;
	struct window *w;
	u64 start;

	if (!c->per_second)
		return true;
	w = bpf_map_lookup_elem(&window, &zero);
	if (!w)
		return false;
	start = w->start_ns;
	if (now - start >= 1000000000ULL && __sync_val_compare_and_swap(&w->start_ns, start, now) == start)
		__sync_lock_test_and_set(&w->count, 0);
	return __sync_fetch_and_add(&w->count, 1) < c->per_second;
}

static __always_inline void copy_str(struct pt_regs *ctx, char *dst, u32 which, bool at_return)
{
	u64 v = 0;

	if (which == 0)
		return;
	if (which == 0x100) {
		if (!at_return || SONDE_EXCEPTIONAL(ctx))
			return;
		v = PT_REGS_RC(ctx);
	} else if (bpf_get_func_arg(ctx, (which - 1) & 0xff, &v)) {
		return;
	}
	if (v == 0) {
		dst[0] = (char) 0xff;	/* null */
		return;
	}
	bpf_probe_read_user_str(dst, STR_LEN, (void *) v);
}

static __always_inline int emit(struct pt_regs *ctx, bool at_return)
{
	u32 zero = 0;
	struct config *c = bpf_map_lookup_elem(&config, &zero);
	struct event *e;
	u64 now = bpf_ktime_get_ns();
	long n;

	if (!c)
		return 0;
	array_add(&stats, STAT_CALLS, 1);
	if (!admit(c, now)) {
		array_add(&stats, STAT_LIMITED, 1);
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		array_add(&stats, STAT_LOST, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->ip = PT_REGS_IP(ctx);
	n = bpf_get_func_arg_cnt(ctx);
	e->nargs = n < 0 ? 0 : n;
	for (int i = 0; i < ARGS; i++) {
		u64 v = 0;

		if (i < n)
			bpf_get_func_arg(ctx, i, &v);
		e->args[i] = v;
	}
	if (at_return) {
		e->flags = 1 | (SONDE_EXCEPTIONAL(ctx) ? 2 : 0);
		e->ret = PT_REGS_RC(ctx);
	}
	sonde_get_thread_name(e->thread, NAME_LEN);
	copy_str(ctx, e->str[0], c->str[0], at_return);
	copy_str(ctx, e->str[1], c->str[1], at_return);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/trace::entry")
int trace_entry(struct pt_regs *ctx)
{
	return emit(ctx, false);
}

SEC("kretprobe/trace::entry")
int trace_return(struct pt_regs *ctx)
{
	return emit(ctx, true);
}

char LICENSE[] SEC("license") = "GPL";
