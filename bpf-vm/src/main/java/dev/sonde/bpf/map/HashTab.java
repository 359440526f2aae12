package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.ByteAtomics;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * BPF_MAP_TYPE_HASH, and the table behind PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH (Linux's
 * hashtab.c): chained buckets over preallocated elements.
 *
 * <p>Layout. {@code roundup_pow_of_two(max_entries)} buckets; {@code heads[b]} and {@code next[e]}
 * hold element index + 1 (0 ends a chain). Element {@code e} has its key at {@code e * key_size}
 * of {@code keys}, its hash in {@code hashes[e]} and its value (copy {@code c}) at
 * {@code (c * capacity + e) * stride} of the value region, {@code stride = round_up(value_size, 8)}.
 * {@code capacity = max_entries + slack}: the slack holds replaced and deleted elements while they
 * wait for their grace period.
 *
 * <p>Assumptions: program-side calls come from a thread holding an execution slot; Java-side calls
 * from a thread that does not.
 *
 * <p>Guarantees:
 * <ol>
 * <li>Program-side lookups take no lock: a writer fills an element completely, then publishes it
 *     with a release store of the chain link; lookups follow links with acquire loads.</li>
 * <li>Writers (update, delete, eviction) serialise per bucket with a spin lock. Lock order:
 *     LRU list, bucket, element pool; no path takes an earlier lock while holding a later one.</li>
 * <li>An element unlinked by delete, replace or eviction is reused only after a grace period
 *     ({@link ElementPool}): a run holding its value address keeps seeing that key's value, and a
 *     lookup walking through it still finds the rest of its old chain. Java-side readers are not in
 *     a slot, so they read under the bucket lock.</li>
 * <li>Non-per-CPU updates replace the element (new element in, old one retired) as Linux does, so
 *     readers never see a half-copied value; per-CPU updates copy in place under the bucket lock.</li>
 * </ol>
 */
public class HashTab extends BpfMap {
    private static final VarHandle LINK = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle COUNT;
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(HashTab.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected final int keySize;
    protected final int valueSize;
    protected final int stride;
    /** Not per-CPU, and a value an atomic store can replace whole (1, 2, 4 or 8 bytes): updated in place. */
    private final boolean wordValue;
    protected final int capacity;
    /** 1, or the slot count for per-CPU tables. */
    protected final int copies;
    private final int mask;
    private final int[] heads;
    private final int[] next;
    private final int[] hashes;
    private final byte[] keys;
    private final byte[] values;
    private final int regionId;
    private final SpinLocks bucketLocks;
    private final ElementPool pool;
    /** Null unless an LRU table. */
    private final LruList lru;
    /** Elements linked into chains. */
    private volatile int count;

    public HashTab(MapSpec spec, ExecutionSlots slots) {
        this(MapType.HASH, spec, slots, false, false);
    }

    protected HashTab(MapType type, MapSpec spec, ExecutionSlots slots, boolean perCpu, boolean lru) {
        super(type, spec, slots);
        if (spec.keySize() <= 0 || spec.valueSize() <= 0 || spec.maxEntries() <= 0) {
            throw bad(Errno.EINVAL, "key_size, value_size and max_entries must be positive");
        }
        if (spec.keySize() > 512) {
            throw bad(Errno.E2BIG, "key_size " + spec.keySize() + " exceeds the 512-byte stack");
        }
        keySize = spec.keySize();
        valueSize = spec.valueSize();
        stride = roundUp8(valueSize);
        wordValue = !perCpu && (valueSize == 1 || valueSize == 2 || valueSize == 4 || valueSize == 8);
        copies = perCpu ? slots.count() : 1;
        int max = spec.maxEntries();
        int slack = Math.max(2 * slots.count(), Math.min(max, 1024));
        long cap = (long) max + slack;
        long bytes = cap * copies * stride;
        if (bytes > Integer.MAX_VALUE - 8 || cap * keySize > Integer.MAX_VALUE - 8 || max > 1 << 30) {
            throw bad(Errno.E2BIG, "max_entries " + max + " needs more storage than one region holds");
        }
        capacity = (int) cap;
        int buckets = Integer.highestOneBit(Math.max(1, max - 1)) << 1;
        mask = buckets - 1;
        heads = new int[buckets];
        next = new int[capacity];
        hashes = new int[capacity];
        keys = new byte[capacity * keySize];
        values = new byte[(int) bytes];
        regionId = registerRegion(Region.Kind.MAP_VALUE, "", values, values.length, programPerms());
        bucketLocks = new SpinLocks(buckets);
        pool = new ElementPool(capacity, slots);
        this.lru = lru ? new LruList(capacity) : null;
    }

    @Override
    public int javaValueSize() {
        return copies == 1 ? valueSize : copies * stride;
    }

    /** Number of keys present now. */
    public int size() {
        return count;
    }

    private int valueOffset(int e, int cpu) {
        return (cpu * capacity + e) * stride;
    }

    // ---- program side -------------------------------------------------------------------------

    @Override
    public long lookupElem(Cpu cpu, long keyAddr) {
        if (closed) {
            return 0;
        }
        Region k = cpu.resolve(keyAddr, keySize, Region.READ);
        int ko = k.base() + (int) keyAddr;
        int e = find(hash(k.data(), ko), k.data(), ko);
        if (e < 0) {
            return 0;
        }
        if (lru != null) {
            lru.touch(e);
        }
        return address(regionId, valueOffset(e, copies == 1 ? 0 : cpu.id));
    }

    @Override
    public long lookupPercpuElem(Cpu cpu, long keyAddr, long which) {
        if (closed || copies == 1 || which < 0 || which >= copies) {
            return 0;
        }
        Region k = cpu.resolve(keyAddr, keySize, Region.READ);
        int ko = k.base() + (int) keyAddr;
        int e = find(hash(k.data(), ko), k.data(), ko);
        return e < 0 ? 0 : address(regionId, valueOffset(e, (int) which));
    }

    @Override
    public long updateElem(Cpu cpu, long keyAddr, long valueAddr, long flags) {
        if (closed) {
            return -Errno.EBADF;
        }
        Region k = cpu.resolve(keyAddr, keySize, Region.READ);
        Region v = cpu.resolve(valueAddr, valueSize, Region.READ);
        return update(k.data(), k.base() + (int) keyAddr, v.data(), v.base() + (int) valueAddr, cpu.id, flags);
    }

    @Override
    public long deleteElem(Cpu cpu, long keyAddr) {
        if (closed) {
            return -Errno.EBADF;
        }
        Region k = cpu.resolve(keyAddr, keySize, Region.READ);
        return delete(k.data(), k.base() + (int) keyAddr);
    }

    // ---- Java side ----------------------------------------------------------------------------

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        int h = hash(key, 0);
        int b = h & mask;
        bucketLocks.lock(b);
        try {
            int e = findLocked(b, h, key, 0);
            if (e < 0) {
                return -Errno.ENOENT;
            }
            for (int c = 0; c < copies; c++) {
                System.arraycopy(values, valueOffset(e, c), value, c * stride, valueSize);
            }
            return 0;
        } finally {
            bucketLocks.unlock(b);
        }
    }

    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        int r = update(key, 0, value, 0, -1, flags);
        long cookie;
        if (r == -Errno.ENOMEM && !slots.holdsSlot() && (cookie = pool.newestCookie()) != 0) {
            // The slack is all waiting for its grace period: wait for it, as a syscall may, and retry.
            slots.waitForGracePeriod(cookie);
            r = update(key, 0, value, 0, -1, flags);
        }
        return r;
    }

    @Override
    protected int doDelete(byte[] key) {
        return delete(key, 0);
    }

    /** Linux's order: the key's successor in its chain, else the first key of a later bucket; an unknown key restarts. */
    @Override
    protected int doGetNextKey(byte[] key, byte[] out) {
        int b = 0;
        if (key != null) {
            int h = hash(key, 0);
            int kb = h & mask;
            int succ;
            bucketLocks.lock(kb);
            try {
                int e = findLocked(kb, h, key, 0);
                succ = e < 0 ? -1 : next[e];
                if (succ > 0) {
                    System.arraycopy(keys, (succ - 1) * keySize, out, 0, keySize);
                }
            } finally {
                bucketLocks.unlock(kb);
            }
            if (succ > 0) {
                return 0;
            }
            b = succ < 0 ? 0 : kb + 1;
        }
        for (; b <= mask; b++) {
            if ((int) LINK.getAcquire(heads, b) == 0) {
                continue;
            }
            bucketLocks.lock(b);
            try {
                int first = heads[b];
                if (first != 0) {
                    System.arraycopy(keys, (first - 1) * keySize, out, 0, keySize);
                    return 0;
                }
            } finally {
                bucketLocks.unlock(b);
            }
        }
        return -Errno.ENOENT;
    }

    // ---- the table ----------------------------------------------------------------------------

    /** Lock-free search; the caller is in a slot (see guarantee 3). */
    private int find(int h, byte[] kd, int ko) {
        // getAcquire pairs with the setRelease in link/unlink: a published element's key, hash
        // and value are visible.
        for (int x = (int) LINK.getAcquire(heads, h & mask); x != 0; x = (int) LINK.getAcquire(next, x - 1)) {
            int e = x - 1;
            if (hashes[e] == h && keyEquals(e, kd, ko)) {
                return e;
            }
        }
        return -1;
    }

    /** Whether element {@code e}'s key is {@code kd[ko, ko + keySize)}; word-sized keys in one compare. */
    private boolean keyEquals(int e, byte[] kd, int ko) {
        int at = e * keySize;
        if (keySize == 8) {
            return (long) U64.get(keys, at) == (long) U64.get(kd, ko);
        } else if (keySize == 4) {
            return (int) U32.get(keys, at) == (int) U32.get(kd, ko);
        }
        return Arrays.equals(keys, at, at + keySize, kd, ko, ko + keySize);
    }

    private int findLocked(int b, int h, byte[] kd, int ko) {
        for (int x = heads[b]; x != 0; x = next[x - 1]) {
            int e = x - 1;
            if (hashes[e] == h && keyEquals(e, kd, ko)) {
                return e;
            }
        }
        return -1;
    }

    /** Unlinks {@code e} from bucket {@code b} (lock held); false when it is not there. */
    private boolean unlinkLocked(int b, int e) {
        int prev = -1;
        for (int x = heads[b]; x != 0; x = next[x - 1]) {
            if (x - 1 == e) {
                // Release, pairs with getAcquire in find. e's own link stays intact, so a lookup
                // standing on e still reaches the rest of the chain.
                if (prev < 0) {
                    LINK.setRelease(heads, b, next[e]);
                } else {
                    LINK.setRelease(next, prev, next[e]);
                }
                return true;
            }
            prev = x - 1;
        }
        return false;
    }

    /**
     * The update of both faces. {@code cpu} is the running slot, or -1 for the Java side, whose
     * per-CPU values carry every copy.
     */
    private int update(byte[] kd, int ko, byte[] vd, int vo, int cpu, long flags) {
        if (ArrayMap.checkFlags(flags) != 0) {
            return -Errno.EINVAL;
        }
        int h = hash(kd, ko);
        int b = h & mask;
        if (wordValue && lru == null && cpu >= 0 && flags != BpfFlags.NOEXIST) {
            // A value of 1, 2, 4 or 8 bytes under an existing key is replaced in place by one
            // atomic store: no element taken, none retired, no lock. A run that holds a pointer to
            // the value reads the old or the new value, never a mix. The lock-free search is safe in
            // a slot (an element unlinked meanwhile is not reused before this run ends: the store
            // then lands in a retired element, as if the update came just before the delete).
            int e = find(h, kd, ko);
            if (e >= 0) {
                storeWord(valueOffset(e, 0), vd, vo);
                return 0;
            }
            if (flags == BpfFlags.EXIST) {
                return -Errno.ENOENT;
            }
        }
        if (copies > 1) {
            bucketLocks.lock(b);
            try {
                int e = findLocked(b, h, kd, ko);
                if (e >= 0) {
                    if (flags == BpfFlags.NOEXIST) {
                        return -Errno.EEXIST;
                    }
                    copyValue(e, vd, vo, cpu);
                    if (lru != null) {
                        lru.touch(e);
                    }
                    return 0;
                }
                if (flags == BpfFlags.EXIST) {
                    return -Errno.ENOENT;
                }
            } finally {
                bucketLocks.unlock(b);
            }
        }
        if (flags != BpfFlags.ANY) {
            // Answer the common NOEXIST/EXIST misses before taking an element (in a slot the
            // lock-free search is safe; the Java side searches under the lock).
            boolean present = cpu >= 0 ? find(h, kd, ko) >= 0 : presentLocked(b, h, kd, ko);
            if (present && flags == BpfFlags.NOEXIST) {
                return -Errno.EEXIST;
            }
            if (!present && flags == BpfFlags.EXIST) {
                return -Errno.ENOENT;
            }
        }
        if (lru != null && count >= spec.maxEntries() && find(h, kd, ko) < 0) {
            // Only a hint outside a slot (see find); a wrong guess evicts one element early or late.
            evictOne();
        }
        int e = pool.alloc();
        if (e < 0) {
            return -Errno.ENOMEM;
        }
        System.arraycopy(kd, ko, keys, e * keySize, keySize);
        hashes[e] = h;
        copyValue(e, vd, vo, cpu);
        if (copies > 1 && cpu >= 0) {
            for (int c = 0; c < copies; c++) {
                if (c != cpu) {
                    Arrays.fill(values, valueOffset(e, c), valueOffset(e, c) + stride, (byte) 0);
                }
            }
        }
        if (lru != null) {
            lru.add(e);   // in the list before it is linked: see evictOne
        }
        int old;
        int err = 0;
        bucketLocks.lock(b);
        try {
            old = findLocked(b, h, kd, ko);
            if (old >= 0 && flags == BpfFlags.NOEXIST) {
                err = -Errno.EEXIST;
            } else if (old < 0 && flags == BpfFlags.EXIST) {
                err = -Errno.ENOENT;
            } else if (old >= 0 && copies > 1) {
                copyValue(old, vd, vo, cpu);   // raced with an insert of the same key: in place
                err = 1;
            } else if (old < 0 && !reserve()) {
                err = -Errno.E2BIG;
            } else {
                next[e] = heads[b];
                // Release publishes e's key, hash and value; pairs with getAcquire in find.
                LINK.setRelease(heads, b, e + 1);
                if (old >= 0) {
                    unlinkLocked(b, old);
                }
            }
        } finally {
            bucketLocks.unlock(b);
        }
        if (err != 0) {
            if (lru != null) {
                lru.remove(e);
            }
            pool.release(e);   // never linked: no run saw it
            return err > 0 ? 0 : err;
        }
        if (old >= 0) {
            if (lru != null) {
                lru.remove(old);
            }
            pool.retire(old);
        }
        while (lru != null && count > spec.maxEntries() && evictOne()) {
            // an LRU table evicts instead of failing with -E2BIG
        }
        return 0;
    }

    private boolean presentLocked(int b, int h, byte[] kd, int ko) {
        bucketLocks.lock(b);
        try {
            return findLocked(b, h, kd, ko) >= 0;
        } finally {
            bucketLocks.unlock(b);
        }
    }

    private int delete(byte[] kd, int ko) {
        int h = hash(kd, ko);
        int b = h & mask;
        int e;
        bucketLocks.lock(b);
        try {
            e = findLocked(b, h, kd, ko);
            if (e < 0) {
                return -Errno.ENOENT;
            }
            unlinkLocked(b, e);
        } finally {
            bucketLocks.unlock(b);
        }
        COUNT.getAndAdd(this, -1);
        if (lru != null) {
            lru.remove(e);
        }
        pool.retire(e);
        return 0;
    }

    /** Counts a new key unless the table is full (LRU tables overshoot and evict afterwards). */
    private boolean reserve() {
        if (lru != null) {
            COUNT.getAndAdd(this, 1);
            return true;
        }
        for (;;) {
            int c = count;
            if (c >= spec.maxEntries()) {
                return false;
            }
            if (COUNT.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Evicts the least recently used linked element. An element in the list but not linked is being
     * inserted or deleted right now; it is passed over. Returns false when nothing could be evicted.
     */
    private boolean evictOne() {
        int victim = -1;
        lru.lock.lock(0);
        try {
            for (int tries = 0; tries < 2 * slots.count() + 2 && victim < 0; tries++) {
                int e = lru.coldestLocked();
                if (e < 0) {
                    return false;
                }
                int b = hashes[e] & mask;
                bucketLocks.lock(b);
                boolean unlinked = unlinkLocked(b, e);
                bucketLocks.unlock(b);
                if (unlinked) {
                    lru.removeLocked(e);
                    victim = e;
                } else {
                    lru.moveHotLocked(e);
                }
            }
        } finally {
            lru.lock.unlock(0);
        }
        if (victim < 0) {
            return false;
        }
        COUNT.getAndAdd(this, -1);
        pool.retire(victim);
        return true;
    }

    /** Release stores pair with the plain or acquire loads of runs and of the Java side's lookups. */
    private void storeWord(int at, byte[] vd, int vo) {
        switch (valueSize) {
            case 8 -> ByteAtomics.setRelease64(values, at, (long) U64.get(vd, vo));
            case 4 -> ByteAtomics.setRelease32(values, at, (int) U32.get(vd, vo));
            case 2 -> ByteAtomics.setRelease16(values, at, (short) ((vd[vo] & 0xff) | (vd[vo + 1] << 8)));
            default -> values[at] = vd[vo];
        }
    }

    private void copyValue(int e, byte[] vd, int vo, int cpu) {
        if (copies == 1) {
            System.arraycopy(vd, vo, values, valueOffset(e, 0), valueSize);
        } else if (cpu >= 0) {
            System.arraycopy(vd, vo, values, valueOffset(e, cpu), valueSize);
        } else {
            for (int c = 0; c < copies; c++) {
                System.arraycopy(vd, vo + c * stride, values, valueOffset(e, c), valueSize);
            }
        }
    }

    /** A 32-bit hash of the key bytes (8 at a time, murmur3's finaliser); Sonde's own, not jhash. */
    private int hash(byte[] d, int o) {
        long h = 0x9e3779b97f4a7c15L ^ keySize;
        int i = 0;
        for (; i + 8 <= keySize; i += 8) {
            h = (h ^ (long) U64.get(d, o + i)) * 0xff51afd7ed558ccdL;
            h ^= h >>> 32;
        }
        for (; i < keySize; i++) {
            h = (h ^ (d[o + i] & 0xff)) * 0xc4ceb9fe1a85ec53L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }
}
