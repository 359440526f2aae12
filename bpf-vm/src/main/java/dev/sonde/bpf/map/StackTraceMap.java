package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * BPF_MAP_TYPE_STACK_TRACE (Linux's stackmap.c): {@code roundup_pow_of_two(max_entries)} buckets,
 * each empty or holding one stack of at most {@code value_size / 8} u64 frame addresses. A stack's
 * id is its hash masked to the bucket count; {@link #getStackId} stores a stack and returns its id.
 *
 * <p>Semantics as Linux: the same stack gives the same id; a different stack whose hash lands in an
 * occupied bucket gives -EEXIST unless BPF_F_REUSE_STACKID replaces it; BPF_F_FAST_STACK_CMP
 * trusts an equal hash without comparing frames. The hash is Sonde's own, so ids differ from Linux's.
 *
 * <p>Concurrency: a bucket is an element index exchanged atomically (volatile, pairs with the
 * acquire loads of readers); a replaced element is reused only after a grace period. Java-side
 * readers are not in a slot, so each element also carries a sequence number (odd while being
 * filled): the writer bumps it with a store-store fence before and a release store after filling;
 * readers retry when it changed across their copy.
 */
public final class StackTraceMap extends BpfMap {
    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(int[].class);
    /** Linux's default sysctl kernel.perf_event_max_stack. */
    public static final int MAX_DEPTH = 127;

    private final int depth;
    private final int[] buckets;
    private final long[] frames;
    private final int[] lengths;
    private final int[] hashes;
    private final int[] seq;
    private final ElementPool pool;

    public StackTraceMap(MapSpec spec, ExecutionSlots slots) {
        super(MapType.STACK_TRACE, spec, slots);
        if (spec.keySize() != 4) {
            throw bad(Errno.EINVAL, "key_size must be 4");
        }
        if (spec.valueSize() < 8 || spec.valueSize() % 8 != 0 || spec.maxEntries() <= 0) {
            throw bad(Errno.EINVAL, "value_size must be a positive multiple of 8 and max_entries positive");
        }
        depth = spec.valueSize() / 8;
        if (depth > MAX_DEPTH) {
            throw bad(Errno.EINVAL, "value_size allows " + depth + " frames, more than " + MAX_DEPTH);
        }
        if (spec.maxEntries() > 1 << 24) {
            throw bad(Errno.E2BIG, "max_entries " + spec.maxEntries() + " too large");
        }
        int n = Integer.highestOneBit(Math.max(1, spec.maxEntries() - 1)) << 1;
        buckets = new int[n];
        int capacity = spec.maxEntries() + Math.max(2 * slots.count(), Math.min(spec.maxEntries(), 1024));
        frames = new long[capacity * depth];
        lengths = new int[capacity];
        hashes = new int[capacity];
        seq = new int[capacity];
        pool = new ElementPool(capacity, slots);
    }

    public int buckets() {
        return buckets.length;
    }

    /**
     * bpf_get_stackid with the walked stack in {@code ips[0, n)} (innermost first). Returns the id
     * (≥ 0) or -EINVAL (flags), -EFAULT (nothing left after skipping), -EEXIST, -ENOMEM.
     */
    public long getStackId(Cpu cpu, long[] ips, int n, long flags) {
        if (closed) {
            return -Errno.EBADF;
        }
        if ((flags & ~(BpfFlags.F_SKIP_FIELD_MASK | BpfFlags.F_USER_STACK | BpfFlags.F_FAST_STACK_CMP
            | BpfFlags.F_REUSE_STACKID)) != 0) {
            return -Errno.EINVAL;
        }
        int skip = (int) (flags & BpfFlags.F_SKIP_FIELD_MASK);
        if (n <= skip) {
            return -Errno.EFAULT;
        }
        int nr = Math.min(n - skip, depth);
        int hash = hash(ips, skip, nr);
        int id = hash & (buckets.length - 1);
        // Acquire pairs with the getAndSet below: a bucket's element is completely filled.
        int b = (int) BUCKET.getAcquire(buckets, id) - 1;
        boolean hashMatches = b >= 0 && hashes[b] == hash;
        if (hashMatches && (flags & BpfFlags.F_FAST_STACK_CMP) != 0) {
            return id;
        }
        if (hashMatches && lengths[b] == nr
            && Arrays.equals(frames, b * depth, b * depth + nr, ips, skip, skip + nr)) {
            return id;
        }
        if (b >= 0 && (flags & BpfFlags.F_REUSE_STACKID) == 0) {
            return -Errno.EEXIST;
        }
        int e = pool.alloc();
        if (e < 0) {
            return -Errno.ENOMEM;
        }
        int s = seq[e];
        SEQ.setOpaque(seq, e, s + 1);
        VarHandle.storeStoreFence();   // the odd sequence is visible before any frame store
        System.arraycopy(ips, skip, frames, e * depth, nr);
        lengths[e] = nr;
        hashes[e] = hash;
        SEQ.setRelease(seq, e, s + 2);   // pairs with the getAcquire in copy
        int old = (int) BUCKET.getAndSet(buckets, id, e + 1) - 1;
        if (old >= 0) {
            pool.retire(old);
        }
        return id;
    }

    /** The frames of stack {@code id}, or null when the bucket is empty. */
    public long[] stack(int id) {
        if (id < 0 || id >= buckets.length) {
            return null;
        }
        long[] out = new long[depth];
        int nr = copy(id, out);
        return nr < 0 ? null : Arrays.copyOf(out, nr);
    }

    /** Copies bucket {@code id}'s frames into {@code out} (zero-filled); returns the count or -1. */
    private int copy(int id, long[] out) {
        for (;;) {
            int b = (int) BUCKET.getAcquire(buckets, id) - 1;
            if (b < 0) {
                return -1;
            }
            int s1 = (int) SEQ.getAcquire(seq, b);
            int nr = lengths[b];
            if ((s1 & 1) == 0 && nr <= depth) {
                Arrays.fill(out, 0);
                System.arraycopy(frames, b * depth, out, 0, nr);
                VarHandle.loadLoadFence();   // the copy completes before the re-check
                if ((int) SEQ.getOpaque(seq, b) == s1) {
                    return nr;
                }
            }
            Thread.onSpinWait();
        }
    }

    private static int hash(long[] ips, int from, int nr) {
        long h = 0x9e3779b97f4a7c15L ^ nr;
        for (int i = from; i < from + nr; i++) {
            h = (h ^ ips[i]) * 0xff51afd7ed558ccdL;
            h ^= h >>> 32;
        }
        h *= 0xc4ceb9fe1a85ec53L;
        return (int) (h ^ h >>> 29);
    }

    // ---- bpf(2) side --------------------------------------------------------------------------

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        long id = u32Key(key) & 0xffffffffL;
        if (id >= buckets.length) {
            return -Errno.ENOENT;
        }
        long[] out = new long[depth];
        if (copy((int) id, out) < 0) {
            return -Errno.ENOENT;
        }
        java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(out);
        return 0;
    }

    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        return -Errno.EINVAL;
    }

    @Override
    protected int doDelete(byte[] key) {
        long id = u32Key(key) & 0xffffffffL;
        if (id >= buckets.length) {
            return -Errno.EINVAL;
        }
        int old = (int) BUCKET.getAndSet(buckets, (int) id, 0) - 1;
        if (old < 0) {
            return -Errno.ENOENT;
        }
        pool.retire(old);
        return 0;
    }

    @Override
    protected int doGetNextKey(byte[] key, byte[] next) {
        int id = 0;
        if (key != null) {
            long k = u32Key(key) & 0xffffffffL;
            id = k >= buckets.length || (int) BUCKET.getAcquire(buckets, (int) k) == 0 ? 0 : (int) k + 1;
        }
        while (id < buckets.length && (int) BUCKET.getAcquire(buckets, id) == 0) {
            id++;
        }
        if (id >= buckets.length) {
            return -Errno.ENOENT;
        }
        putU32(next, id);
        return 0;
    }
}
