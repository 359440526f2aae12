// A method with eight parameters: 7 and 8 come from the stack snapshot at sp (SONDE_PARM), and
// parameter 8 is a long[] read through its handle plus an offset. Run by ProbeEndToEndTest.
#include <sonde/probe.h>

struct wide {
	u64 p6;
	u64 p7;
	u64 p8;
	long past_end_rc;
	u64 past_end;
	long elem_rc;
	u64 elem1;
	long arr_rc;
	u64 arr_past;
	long stack_len;
	u64 stack[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct wide);
} seen SEC(".maps");

SEC("kprobe/dev.sonde.probe.e2e.Greeter::wide")
int on_wide(struct pt_regs *ctx)
{
	u32 zero = 0;
	struct wide *r = bpf_map_lookup_elem(&seen, &zero);
	if (!r)
		return 0;
	r->p6 = PT_REGS_PARM6(ctx);
	r->p7 = SONDE_PARM(ctx, 7);
	r->p8 = SONDE_PARM(ctx, 8);
	r->past_end = 0x5a5a;
	r->past_end_rc = bpf_probe_read_kernel(&r->past_end, 8, (void *)(ctx->sp + 8 * 3));
	r->elem_rc = bpf_probe_read_user(&r->elem1, 8, (void *)(r->p8 + 8));
	r->arr_past = 0x5a5a;
	r->arr_rc = bpf_probe_read_user(&r->arr_past, 8, (void *)(r->p8 + 16));
	r->stack_len = bpf_get_stack(ctx, r->stack, sizeof(r->stack), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
