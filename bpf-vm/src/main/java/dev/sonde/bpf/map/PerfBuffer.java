package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The per-slot buffer behind one entry of a {@link PerfEventArray}: the perf mmap ring of
 * PERF_COUNT_SW_BPF_OUTPUT, reduced to what a consumer sees. Records are perf samples:
 * <pre>
 *  offset 0  u32 type = PERF_RECORD_SAMPLE (9)
 *         4  u16 misc = 0
 *         6  u16 size   whole record, 8-aligned
 *         8  u32 raw_size = size - 12 (the payload plus zero padding, as in Linux)
 *        12  raw bytes
 * </pre>
 * A sample that does not fit is lost and counted; the consumer reports the count (Linux's
 * PERF_RECORD_LOST) through {@link PerfEventArray.LostHandler}.
 *
 * <p>Assumptions: one producer (the thread holding the slot this buffer belongs to), one consumer.
 * Guarantees: the producer never waits or allocates; the consumer sees whole samples in order.
 * {@code head} is published with release after the bytes (pairs with the consumer's acquire);
 * {@code tail} with release after the consumer copied a sample (pairs with the producer's acquire).
 */
public final class PerfBuffer {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle LOST;
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(PerfBuffer.class, "head", long.class);
            TAIL = l.findVarHandle(PerfBuffer.class, "tail", long.class);
            LOST = l.findVarHandle(PerfBuffer.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static final int PERF_RECORD_SAMPLE = 9;
    public static final int HEADER = 12;

    final int cpu;
    private final byte[] ring;
    private final int mask;
    long p00, p01, p02, p03, p04, p05, p06, p07;
    private long head;
    private long lost;
    long p10, p11, p12, p13, p14, p15, p16, p17;
    private long tail;
    private long lostReported;
    private byte[] scratch = new byte[256];

    PerfBuffer(int cpu, int size) {
        this.cpu = cpu;
        this.ring = new byte[size];
        this.mask = size - 1;
    }

    /** Producer: appends one sample of {@code len} bytes from {@code src[off…]}; 0 or -ENOSPC (lost). */
    int write(byte[] src, int off, int len) {
        int total = (HEADER + len + 7) & ~7;
        long h = head;   // only the producer writes it
        // Acquire pairs with the setRelease of tail in poll: the consumer is done with that space.
        if (total > ring.length - (h - (long) TAIL.getAcquire(this))) {
            LOST.setRelease(this, lost + 1);
            return -Errno.ENOSPC;
        }
        byte[] hdr = scratchHeader;
        I32.set(hdr, 0, PERF_RECORD_SAMPLE);
        I32.set(hdr, 4, total << 16);
        I32.set(hdr, 8, total - HEADER);
        put(h, hdr, 0, HEADER);
        put(h + HEADER, src, off, len);
        put(h + HEADER + len, ZEROS, 0, total - HEADER - len);
        // Release pairs with the getAcquire of head in poll: the sample's bytes come first.
        HEAD.setRelease(this, h + total);
        return 0;
    }

    private final byte[] scratchHeader = new byte[HEADER];
    private static final byte[] ZEROS = new byte[8];

    private void put(long pos, byte[] src, int off, int len) {
        int i = (int) (pos & mask);
        int first = Math.min(len, ring.length - i);
        System.arraycopy(src, off, ring, i, first);
        System.arraycopy(src, off + first, ring, 0, len - first);
    }

    private void get(long pos, byte[] dst, int len) {
        int i = (int) (pos & mask);
        int first = Math.min(len, ring.length - i);
        System.arraycopy(ring, i, dst, 0, first);
        System.arraycopy(ring, 0, dst, first, len - first);
    }

    /** Samples lost so far. */
    public long lost() {
        return (long) LOST.getAcquire(this);
    }

    /** Consumer: delivers up to {@code max} samples, then reports new losses; returns samples delivered. */
    public synchronized int poll(PerfEventArray.SampleHandler samples, PerfEventArray.LostHandler losses, int max) {
        long t = tail;
        int n = 0;
        // Pairs with the setRelease of head in write.
        long h = (long) HEAD.getAcquire(this);
        byte[] hdr = new byte[HEADER];
        while (n < max && t < h) {
            get(t, hdr, HEADER);
            int total = (int) I32.get(hdr, 4) >>> 16;
            int raw = (int) I32.get(hdr, 8);
            if (scratch.length < raw) {
                scratch = new byte[Integer.highestOneBit(raw) << 1];
            }
            get(t + HEADER, scratch, raw);
            t += total;
            // Release pairs with the getAcquire of tail in write.
            TAIL.setRelease(this, t);
            samples.onSample(cpu, scratch, 0, raw);
            n++;
        }
        long l = lost();
        if (l != lostReported && losses != null) {
            losses.onLost(cpu, l - lostReported);
            lostReported = l;
        }
        return n;
    }
}
