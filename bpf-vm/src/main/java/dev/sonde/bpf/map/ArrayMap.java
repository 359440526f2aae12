package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;

/**
 * BPF_MAP_TYPE_ARRAY (and, with one copy per slot, PERCPU_ARRAY): {@code max_entries} values,
 * zero at creation, that always exist. Keys are u32 indices.
 *
 * <p>Storage is one region; value {@code i} of copy {@code c} starts at
 * {@code c * max_entries * stride + i * stride}, {@code stride = round_up(value_size, 8)} as in
 * Linux's arraymap.c, so every value is 8-aligned and the VM's atomics work on it. Copies are
 * contiguous per slot, so slots updating the same index do not share cache lines. Updates copy in
 * place without a lock, as Linux does without BPF_F_LOCK.
 */
public class ArrayMap extends BpfMap {
    protected final int stride;
    /** 1, or the slot count for per-CPU arrays. */
    protected final int copies;
    protected final byte[] values;
    protected final int regionId;

    public ArrayMap(MapSpec spec, ExecutionSlots slots) {
        this(MapType.ARRAY, spec, slots, 1);
    }

    protected ArrayMap(MapType type, MapSpec spec, ExecutionSlots slots, int copies) {
        super(type, spec, slots);
        if (spec.keySize() != 4) {
            throw bad(Errno.EINVAL, "key_size must be 4, is " + spec.keySize());
        }
        if (spec.valueSize() <= 0 || spec.maxEntries() <= 0) {
            throw bad(Errno.EINVAL, "value_size and max_entries must be positive");
        }
        this.copies = copies;
        this.stride = roundUp8(spec.valueSize());
        long size = (long) copies * spec.maxEntries() * stride;
        if (size > Integer.MAX_VALUE - 8) {
            throw bad(Errno.E2BIG, "needs " + size + " bytes of values, more than one region holds");
        }
        this.values = new byte[(int) size];
        this.regionId = registerRegion(Region.Kind.MAP_VALUE, "", values, values.length, programPerms());
    }

    @Override
    public int javaValueSize() {
        return copies == 1 ? spec.valueSize() : copies * stride;
    }

    /** Byte offset of value {@code index} of copy {@code cpu} (cpu is ignored for plain arrays). */
    protected final int offset(int index, int cpu) {
        return copies == 1 ? index * stride : (cpu * spec.maxEntries() + index) * stride;
    }

    /** The backing storage, for the global-data loader and the dump (read it through {@link #lookup}). */
    public byte[] storage() {
        return values;
    }

    /** Program address of value {@code index} of copy {@code cpu}: what lddw src=2 (map value) resolves to. */
    public long valueAddress(int index, int cpu) {
        return address(regionId, offset(index, cpu));
    }

    // ---- program side -------------------------------------------------------------------------

    @Override
    public long lookupElem(Cpu cpu, long keyAddr) {
        if (closed) {
            return 0;
        }
        long index = cpu.load32(keyAddr);
        return index >= spec.maxEntries() ? 0 : address(regionId, offset((int) index, cpu.id));
    }

    @Override
    public long lookupPercpuElem(Cpu cpu, long keyAddr, long which) {
        if (closed || copies == 1 || which < 0 || which >= copies) {
            return 0;
        }
        long index = cpu.load32(keyAddr);
        return index >= spec.maxEntries() ? 0 : address(regionId, offset((int) index, (int) which));
    }

    @Override
    public long updateElem(Cpu cpu, long keyAddr, long valueAddr, long flags) {
        if (closed) {
            return -Errno.EBADF;
        }
        int err = checkFlags(flags);
        long index = cpu.load32(keyAddr);
        if (err == 0) {
            err = checkIndex(index, flags);
        }
        if (err != 0) {
            return err;
        }
        Region v = cpu.resolve(valueAddr, spec.valueSize(), Region.READ);
        System.arraycopy(v.data(), v.base() + (int) valueAddr, values, offset((int) index, cpu.id), spec.valueSize());
        return 0;
    }

    @Override
    public long deleteElem(Cpu cpu, long keyAddr) {
        return closed ? -Errno.EBADF : -Errno.EINVAL;
    }

    // ---- Java side ----------------------------------------------------------------------------

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        long index = u32Key(key) & 0xffffffffL;
        if (index >= spec.maxEntries()) {
            return -Errno.ENOENT;
        }
        for (int c = 0; c < copies; c++) {
            System.arraycopy(values, offset((int) index, c), value, c * stride, spec.valueSize());
        }
        return 0;
    }

    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        long index = u32Key(key) & 0xffffffffL;
        int err = checkFlags(flags);
        if (err == 0) {
            err = checkIndex(index, flags);
        }
        if (err != 0) {
            return err;
        }
        for (int c = 0; c < copies; c++) {
            System.arraycopy(value, c * stride, values, offset((int) index, c), spec.valueSize());
        }
        return 0;
    }

    @Override
    protected int doDelete(byte[] key) {
        return -Errno.EINVAL;
    }

    @Override
    protected int doGetNextKey(byte[] key, byte[] next) {
        long index = key == null ? -1 : u32Key(key) & 0xffffffffL;
        if (index < 0 || index >= spec.maxEntries()) {
            putU32(next, 0);
            return 0;
        }
        if (index == spec.maxEntries() - 1) {
            return -Errno.ENOENT;
        }
        putU32(next, (int) index + 1);
        return 0;
    }

    /** Linux checks flags first: anything above BPF_EXIST, or F_LOCK without a spin lock in the value. */
    static int checkFlags(long flags) {
        if ((flags & ~BpfFlags.F_LOCK) > BpfFlags.EXIST || (flags & BpfFlags.F_LOCK) != 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    private int checkIndex(long index, long flags) {
        if (index >= spec.maxEntries()) {
            return -Errno.E2BIG;
        }
        if ((flags & ~BpfFlags.F_LOCK) == BpfFlags.NOEXIST) {
            return -Errno.EEXIST;   // every element always exists
        }
        return 0;
    }
}
