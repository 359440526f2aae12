package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: entry {@code i} is the perf buffer of execution slot {@code i}
 * (in Linux a perf event fd per CPU that user space installs). Here the Java consumer installs the
 * buffers with {@link #open}; {@code max_entries} 0 means the slot count, as libbpf sets it.
 *
 * <p>A program writes only its own slot's buffer ({@code BPF_F_CURRENT_CPU} or its own index;
 * another index gives -EOPNOTSUPP as in Linux, where the event must be on the current CPU), so
 * every buffer has a single producer.
 */
public final class PerfEventArray extends BpfMap {
    private static final VarHandle BUFFER = MethodHandles.arrayElementVarHandle(PerfBuffer[].class);

    @FunctionalInterface
    public interface SampleHandler {
        /** One sample from slot {@code cpu}; {@code data[offset, offset + size)} is valid during the call only. */
        void onSample(int cpu, byte[] data, int offset, int size);
    }

    @FunctionalInterface
    public interface LostHandler {
        void onLost(int cpu, long count);
    }

    private final PerfBuffer[] buffers;

    public PerfEventArray(MapSpec spec, ExecutionSlots slots) {
        super(MapType.PERF_EVENT_ARRAY, spec.maxEntries() == 0 ? spec.withMaxEntries(slots.count()) : spec, slots);
        if (spec.keySize() != 4 || spec.valueSize() != 4) {
            throw bad(Errno.EINVAL, "key_size and value_size must be 4");
        }
        if (maxEntries() < 0) {
            throw bad(Errno.EINVAL, "max_entries must not be negative");
        }
        buffers = new PerfBuffer[maxEntries()];
    }

    /** Installs a buffer of {@code bytes} (a power of two) for every entry that is a slot and has none. */
    public void open(int bytes) {
        if (bytes < 64 || Integer.bitCount(bytes) != 1) {
            throw bad(Errno.EINVAL, "perf buffer size " + bytes + " must be a power of two of at least 64");
        }
        for (int i = 0; i < Math.min(buffers.length, slots.count()); i++) {
            // Release pairs with the getAcquire in output: a program sees a fully built buffer.
            BUFFER.compareAndSet(buffers, i, null, new PerfBuffer(i, bytes));
        }
    }

    /** The buffer of entry {@code i}, or null. */
    public PerfBuffer buffer(int i) {
        return (PerfBuffer) BUFFER.getAcquire(buffers, i);
    }

    /** Polls every buffer once (perf_buffer__poll without waiting); returns samples delivered. */
    public int poll(SampleHandler samples, LostHandler losses, int maxPerBuffer) {
        int n = 0;
        for (int i = 0; i < buffers.length; i++) {
            PerfBuffer b = buffer(i);
            if (b != null) {
                n += b.poll(samples, losses, maxPerBuffer);
            }
        }
        return n;
    }

    /** bpf_perf_event_output: 0, -EINVAL (flags), -E2BIG (index), -ENOENT (no buffer), -EOPNOTSUPP (other slot), -ENOSPC (lost). */
    public long output(Cpu cpu, long flags, long dataAddr, long size) {
        if (closed) {
            return -Errno.EBADF;
        }
        if ((flags & ~BpfFlags.F_INDEX_MASK) != 0) {
            return -Errno.EINVAL;
        }
        long index = flags == BpfFlags.F_CURRENT_CPU ? cpu.id : flags;
        if (index >= buffers.length) {
            return -Errno.E2BIG;
        }
        PerfBuffer b = (PerfBuffer) BUFFER.getAcquire(buffers, (int) index);
        if (b == null) {
            return -Errno.ENOENT;
        }
        if (index != cpu.id) {
            return -Errno.EOPNOTSUPP;
        }
        if (size < 0 || size > 0xffff - PerfBuffer.HEADER - 7) {
            return -Errno.E2BIG;
        }
        if (size == 0) {
            return b.write(EMPTY, 0, 0);
        }
        Region r = cpu.resolve(dataAddr, (int) size, Region.READ);
        return b.write(r.data(), r.base() + (int) dataAddr, (int) size);
    }

    private static final byte[] EMPTY = new byte[0];

    // ---- bpf(2) side: the entries are buffers, not values --------------------------------------

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        return -Errno.EOPNOTSUPP;
    }

    /** Installing an event by fd has no meaning here; use {@link #open}. */
    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        return -Errno.EINVAL;
    }

    /** Removes entry {@code key}'s buffer: later outputs to it give -ENOENT. */
    @Override
    protected int doDelete(byte[] key) {
        long i = u32Key(key) & 0xffffffffL;
        if (i >= buffers.length) {
            return -Errno.E2BIG;
        }
        return BUFFER.getAndSet(buffers, (int) i, (PerfBuffer) null) == null ? -Errno.ENOENT : 0;
    }

    @Override
    protected int doGetNextKey(byte[] key, byte[] next) {
        long i = key == null ? -1 : u32Key(key) & 0xffffffffL;
        if (i < 0 || i >= buffers.length) {
            putU32(next, 0);
            return buffers.length == 0 ? -Errno.ENOENT : 0;
        }
        if (i == buffers.length - 1) {
            return -Errno.ENOENT;
        }
        putU32(next, (int) i + 1);
        return 0;
    }
}
