// End-to-end probes on dev.sonde.probe.control.Shop (ShopProbesTest).
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} calls SEC(".maps");

struct ret_rec {
	u64 count;
	u64 ret;
	u64 flags;
	u64 ip;
	u64 arg;
	u64 func_ip;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ret_rec);
} rets SEC(".maps");

struct args_rec {
	u64 regs[6];
	u64 p7;
	u64 p8;
	long str_len;
	char str[16];
	u64 self;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct args_rec);
} args SEC(".maps");

u64 faults_tried;

SEC("kprobe/dev.sonde.probe.control.Shop::pay")
int BPF_KPROBE(count_pay, long customer)
{
	u64 k = customer, one = 1;
	u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
	return 0;
}

SEC("kretprobe/dev.sonde.probe.control.Shop::pay")
int BPF_KRETPROBE(pay_return, long ret)
{
	u32 zero = 0;
	struct ret_rec *r = bpf_map_lookup_elem(&rets, &zero);
	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	r->ret = ret;
	r->flags = ctx->flags;
	r->ip = ctx->ip;
	r->arg = PT_REGS_PARM1(ctx);
	r->func_ip = bpf_get_func_ip(ctx);
	return 0;
}

SEC("kprobe/dev.sonde.probe.control.Shop::nine")
int BPF_KPROBE(nine, void *name)
{
	u32 zero = 0;
	struct args_rec *a = bpf_map_lookup_elem(&args, &zero);
	if (!a)
		return 0;
	a->regs[0] = ctx->di;
	a->regs[1] = ctx->si;
	a->regs[2] = ctx->dx;
	a->regs[3] = ctx->cx;
	a->regs[4] = ctx->r8;
	a->regs[5] = ctx->r9;
	a->p7 = SONDE_PARM(ctx, 7);
	a->p8 = SONDE_PARM(ctx, 8);
	a->str_len = bpf_probe_read_user_str(a->str, sizeof(a->str), name);
	a->self = ctx->r12;
	return 0;
}

SEC("kprobe/dev.sonde.probe.control.Shop::refund")
int BPF_KPROBE(faulty, long amount)
{
	__sync_fetch_and_add(&faults_tried, 1);
	bpf_printk("refund %ld", amount);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
