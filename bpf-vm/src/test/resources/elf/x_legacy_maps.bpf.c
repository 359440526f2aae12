// Legacy (pre-BTF) map definitions in SEC("maps"), as libbpf < 1.0 accepted.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") old_hash = { .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8, .max_entries = 32, .map_flags = 1 };
struct bpf_map_def SEC("maps") old_array = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 2 };

SEC("kretprobe/Old::m")
int old(void *ctx)
{
	__u32 k = 0;
	void *v = bpf_map_lookup_elem(&old_array, &k);
	bpf_map_update_elem(&old_hash, &k, &k, 0);
	return v ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x60100;
