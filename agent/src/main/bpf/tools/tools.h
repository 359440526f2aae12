/* What the bundled tools' probe programs share: BCC's log2, a log-linear bucket for percentiles,
 * counting into a hash map. The layouts of the maps here are read by dev.sonde.agent.tools (each
 * tool's Java class names the map and its key and value layout). */
#ifndef __SONDE_TOOLS_H__
#define __SONDE_TOOLS_H__

#include <sonde/probe.h>

#define LOG2_SLOTS 64
/* Log-linear buckets: 8 sub-buckets per power of two (12.5 % wide), values up to 2^63. */
#define FINE_SUB 8
#define FINE_SLOTS (64 * FINE_SUB)

/* BCC's bpf_log2l: 1 + floor(log2(v)), and 1 for v = 0 as well (a value below 1 lands in "0 -> 1"). */
static __always_inline u32 log2_32(u32 v)
{
	u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline u32 log2l(u64 v)
{
	u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 + 1 : log2_32(v) + 1;
}

/* floor(log2(v)) for v >= 1. */
static __always_inline u32 msb(u64 v)
{
	u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 : log2_32(v);
}

/* The log-linear bucket of v: values 0..7 have their own buckets; above, bucket = 8*e + the three
 * bits below the leading one, where e = msb(v) - 2 (so the mapping is monotonic and exact below 8).
 * LatencyBuckets.java decodes it. */
static __always_inline u32 fine_bucket(u64 v)
{
	u32 m;

	if (v < FINE_SUB)
		return v;
	m = msb(v);
	return (m - 2) * FINE_SUB + ((v >> (m - 3)) & (FINE_SUB - 1));
}

static __always_inline void count_u64(void *map, const void *key)
{
	u64 one = 1, *n;

	n = bpf_map_lookup_elem(map, key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(map, key);	/* another thread inserted it first */
		if (n)
			__sync_fetch_and_add(n, 1);
	}
}

static __always_inline void array_add(void *map, u32 index, u64 delta)
{
	u64 *n = bpf_map_lookup_elem(map, &index);

	if (n)
		__sync_fetch_and_add(n, delta);
}

#endif
