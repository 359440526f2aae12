// Extra linker cases for the elf tests: transitive .text calls, a callback that
// calls a helper subprogram, two programs in one section sharing subprograms,
// a map used from .text, custom data sections, pinning, extra BTF kinds.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned SEC(".maps");

union u { __u32 w; __u8 b[4]; };
enum color { RED = 1, GREEN = -2 };
struct shape { float f; union u u; enum color c; struct opaque *fwd; };

struct shape shape_var SEC(".data.custom") = { .c = GREEN };
const volatile __u64 cfg SEC(".rodata.cfg") = 42;
__u32 counter;

static __noinline __u64 leaf(__u64 x)
{
	return x * 3 + cfg;
}

__noinline __u64 middle(__u64 x)
{
	__u32 k = (__u32)x;
	__u64 *v = bpf_map_lookup_elem(&pinned, &k);
	return leaf(x) + (v ? *v : 0);
}

static __noinline __u64 top(__u64 x)
{
	return middle(x) ^ leaf(x + 1);
}

static long cb(__u32 i, void *data)
{
	*(__u64 *)data += leaf(i);
	return 0;
}

SEC("kprobe/com.example.A::one")
int one(void *ctx)
{
	__u64 acc = 0;
	bpf_loop(4, cb, &acc, 0);
	counter++;
	return (int)top(acc) + shape_var.u.w;
}

SEC("kprobe/com.example.A::one")
int two(void *ctx)
{
	return (int)leaf(7);
}

SEC("timer/100ms")
int tick(void *ctx)
{
	return (int)middle(counter);
}

char LICENSE[] SEC("license") = "GPL";
