// Entry and return probes of Greeter::greet(String, int, double), run by ProbeEndToEndTest with a
// ProbeHit filled by hand as the trampoline would fill it.
#include <sonde/probe.h>

struct entry {
	long name_len;
	char name[32];
	long count;
	u64 dbits;
	u64 ip;
	u64 func_ip;
	long cls_len;
	char cls[64];
	long meth_len;
	char meth[16];
	long arg_cnt;
	u64 arg1;
	u64 cookie;
	u64 self;
	u64 caller;
	long obj_cls_len;
	char obj_cls[48];
	long thread_len;
	char thread[32];
	long ret_rc;
	u64 ax;
};

struct exit_rec {
	u64 ax;
	long ret_len;
	char ret[32];
	u64 flags;
	long get_ret_rc;
	u64 get_ret;
	long name_len;
	char name[32];
	long exc_cls_len;
	char exc_cls[48];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct entry);
} entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exit_rec);
} exits SEC(".maps");

SEC("kprobe/dev.sonde.probe.e2e.Greeter::greet")
int BPF_KPROBE(on_greet, const char *name, int count, u64 dbits)
{
	u32 zero = 0;
	u64 v = 0;
	struct entry *r = bpf_map_lookup_elem(&entries, &zero);
	if (!r)
		return 0;
	r->name_len = bpf_probe_read_user_str(r->name, sizeof(r->name), name);
	r->count = count;
	r->dbits = dbits;
	r->ip = PT_REGS_IP(ctx);
	r->func_ip = bpf_get_func_ip(ctx);
	r->cls_len = sonde_get_class_name(ctx, r->cls, sizeof(r->cls));
	r->meth_len = sonde_get_method_name(ctx, r->meth, sizeof(r->meth));
	r->arg_cnt = bpf_get_func_arg_cnt(ctx);
	bpf_get_func_arg(ctx, 1, &r->arg1);
	r->cookie = bpf_get_attach_cookie(ctx);
	r->self = ctx->r12;
	bpf_probe_read_kernel(&r->caller, sizeof(r->caller), (void *)ctx->sp);
	r->obj_cls_len = sonde_get_object_class(ctx->r12, r->obj_cls, sizeof(r->obj_cls));
	r->thread_len = sonde_get_thread_name(r->thread, sizeof(r->thread));
	r->ret_rc = bpf_get_func_ret(ctx, &v);
	r->ax = PT_REGS_RC(ctx);
	bpf_printk("greet %s x%d", name, count);
	return 0;
}

SEC("kretprobe/dev.sonde.probe.e2e.Greeter::greet")
int BPF_KRETPROBE(on_greet_return, const char *ret)
{
	u32 zero = 0;
	struct exit_rec *r = bpf_map_lookup_elem(&exits, &zero);
	if (!r)
		return 0;
	r->ax = PT_REGS_RC(ctx);
	r->flags = ctx->flags;
	r->get_ret_rc = bpf_get_func_ret(ctx, &r->get_ret);
	r->name_len = bpf_probe_read_user_str(r->name, sizeof(r->name), (void *)PT_REGS_PARM1(ctx));
	if (SONDE_EXCEPTIONAL(ctx)) {
		r->ret_len = 0;
		r->exc_cls_len = sonde_get_object_class(PT_REGS_RC(ctx), r->exc_cls, sizeof(r->exc_cls));
	} else {
		r->ret_len = bpf_probe_read_user_str(r->ret, sizeof(r->ret), ret);
	}
	return 0;
}

// A handle is no memory: loading through it faults the run (the traced method goes on).
SEC("kprobe/dev.sonde.probe.e2e.Greeter::greet")
int BPF_KPROBE(deref_handle, const char *name)
{
	return name[0];
}

char LICENSE[] SEC("license") = "GPL";
