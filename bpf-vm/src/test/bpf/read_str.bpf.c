// probe_read_user_str of the memory the first argument points to, plus the thread's comm.
#include <sonde/probe.h>

struct rec {
	long len;
	char text[16];
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct rec);
} seen SEC(".maps");

SEC("kprobe/Target::name")
int BPF_KPROBE(read_name, const char *s)
{
	u32 zero = 0;
	struct rec *r = bpf_map_lookup_elem(&seen, &zero);
	if (!r)
		return 0;
	r->len = bpf_probe_read_user_str(r->text, sizeof(r->text), s);
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
