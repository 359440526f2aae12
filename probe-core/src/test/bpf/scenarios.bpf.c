// Probe scenarios on JDK classes, glob targets and several programs on one method.
#include <sonde/probe.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} by_thread SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} by_ip SEC(".maps");

u64 order_counter;
u64 first_saw;
u64 second_saw;

static __always_inline void bump(void *map, u64 k)
{
	u64 one = 1, *v = bpf_map_lookup_elem(map, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(map, &k, &one, BPF_NOEXIST);
}

SEC("kprobe/java.util.ArrayList::add(Ljava/lang/Object;)Z")
int BPF_KPROBE(list_add)
{
	bump(&by_thread, (u32)bpf_get_current_pid_tgid());
	return 0;
}

SEC("kprobe.multi/dev.sonde.probe.control.Shop::*")
int BPF_KPROBE(any_shop_method)
{
	bump(&by_ip, bpf_get_func_ip(ctx));
	return 0;
}

SEC("kprobe/dev.sonde.probe.control.Shop::total")
int BPF_KPROBE(first)
{
	first_saw = __sync_fetch_and_add(&order_counter, 1);
	return 0;
}

SEC("kprobe/dev.sonde.probe.control.Shop::total")
int BPF_KPROBE(second)
{
	second_saw = __sync_fetch_and_add(&order_counter, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
