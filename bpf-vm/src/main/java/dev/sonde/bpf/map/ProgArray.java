package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.slot.ExecutionSlots;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_PROG_ARRAY: {@code max_entries} entries, each empty or holding a program (a
 * {@link dev.sonde.bpf.vm.Program}, or whatever object the tail-call helper expects), for
 * bpf_tail_call. In Linux user space installs programs by fd; here {@link #set} takes the program
 * itself, and the bpf(2)-style byte[] update is refused.
 *
 * <p>Entries are published with release stores and read with acquire loads ({@link #get}), so a
 * tail call sees a fully prepared program. A replaced or removed program may still be running in a
 * run that fetched it before; release it after a grace period of the slots.
 */
public final class ProgArray extends BpfMap {
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(Object[].class);

    private final Object[] entries;

    public ProgArray(MapSpec spec, ExecutionSlots slots) {
        super(MapType.PROG_ARRAY, spec, slots);
        if (spec.keySize() != 4 || spec.valueSize() != 4 || spec.maxEntries() <= 0) {
            throw bad(Errno.EINVAL, "key_size and value_size must be 4 and max_entries positive");
        }
        entries = new Object[spec.maxEntries()];
    }

    /** Installs {@code program} at {@code index}: 0, -E2BIG (index ≥ max_entries), -EBADF after close. */
    public int set(int index, Object program) {
        if (program == null) {
            throw bad(Errno.EINVAL, "program is null; use clear(index)");
        }
        if (closed) {
            return -Errno.EBADF;
        }
        if (index < 0 || index >= entries.length) {
            return -Errno.E2BIG;
        }
        ENTRY.setRelease(entries, index, program);   // pairs with getAcquire in get
        return 0;
    }

    /** Empties entry {@code index}: 0, -ENOENT when already empty, -E2BIG out of range. */
    public int clear(int index) {
        if (index < 0 || index >= entries.length) {
            return -Errno.E2BIG;
        }
        return ENTRY.getAndSet(entries, index, (Object) null) == null ? -Errno.ENOENT : 0;
    }

    /** The program at {@code index} (a raw u32 from r3), or null when out of range, empty or closed: the tail-call lookup. */
    public Object get(long index) {
        if (closed || index < 0 || index >= entries.length) {
            return null;
        }
        return ENTRY.getAcquire(entries, (int) index);   // pairs with setRelease in set
    }

    @Override
    public void close() {
        super.close();
        for (int i = 0; i < entries.length; i++) {
            ENTRY.setRelease(entries, i, (Object) null);
        }
    }

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        return -Errno.EOPNOTSUPP;   // Linux gives a prog id; Sonde's programs have none
    }

    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        throw bad(Errno.EINVAL, "values are programs, not fds: use set(index, program)");
    }

    @Override
    protected int doDelete(byte[] key) {
        long i = u32Key(key) & 0xffffffffL;
        return i >= entries.length ? -Errno.E2BIG : clear((int) i);
    }

    @Override
    protected int doGetNextKey(byte[] key, byte[] next) {
        long i = key == null ? -1 : u32Key(key) & 0xffffffffL;
        if (i < 0 || i >= entries.length) {
            putU32(next, 0);
            return 0;
        }
        if (i == entries.length - 1) {
            return -Errno.ENOENT;
        }
        putU32(next, (int) i + 1);
        return 0;
    }
}
