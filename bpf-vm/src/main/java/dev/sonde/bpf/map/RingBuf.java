package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.ByteAtomics;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * BPF_MAP_TYPE_RINGBUF: Linux's multi-producer, single-consumer ring (kernel/bpf/ringbuf.c) with
 * its record protocol ({@link RingBufHeader}) and free-running 64-bit producer and consumer
 * positions; a record lives at data offset {@code pos & (size - 1)}.
 *
 * <p>Linux maps the data area twice back to back so a record that wraps is contiguous. Sonde's
 * region is a byte[] of {@code 2 * size}: a record always occupies {@code [idx, idx + len)}
 * there, its wrapped part falling into the second half instead of the start. The consumer reads it
 * from the same place, so no bytes are copied; the start of the first half that the wrapped part
 * logically covers is free by the space check and unused until the next lap. The bounds a program
 * gets are the whole region's (the verifier keeps accesses inside the reserved size).
 *
 * <p>Assumptions: one consumer at a time (poll is synchronised); a record pointer is submitted or
 * discarded exactly once (the verifier's job).
 *
 * <p>Guarantees, with their ordering pairs:
 * <ol>
 * <li>Producers serialise on a spin lock (Linux's rb->spinlock) for the reservation only: check
 *     space against the consumer position they last loaded, and only when that is not enough load
 *     {@code consumer_pos} again (acquire, pairs with the consumer's release after it read its
 *     records), write the header with BUSY, publish {@code producer_pos} (release, pairs with the
 *     consumer's acquire), unlock. The consumer releases its position once per poll (or per
 *     quarter ring), not per record, so the two sides share a cache line only as often as needed.</li>
 * <li>Commit exchanges the header word (volatile), clearing BUSY and maybe setting DISCARD; pairs
 *     with the consumer's acquire load of the header: a committed record's bytes are complete.</li>
 * <li>The consumer stops at the first BUSY header, so records arrive in reservation order even
 *     when a later one commits first, and never torn.</li>
 * <li>reserve, output and commit allocate nothing; a reserve that does not fit returns 0 and
 *     counts a drop.</li>
 * </ol>
 */
public final class RingBuf extends BpfMap {
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle PROD;
    private static final VarHandle CONS;
    private static final VarHandle DROPS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PROD = l.findVarHandle(RingBuf.class, "producerPos", long.class);
            CONS = l.findVarHandle(RingBuf.class, "consumerPos", long.class);
            DROPS = l.findVarHandle(RingBuf.class, "drops", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Consumer callback: the record's payload is {@code buf[offset, offset + length)}, valid only during the call. */
    @FunctionalInterface
    public interface Handler {
        /** Returns 0 to go on; a negative value stops the poll, which returns it. */
        int onRecord(byte[] buf, int offset, int length);
    }

    private final int size;
    private final long mask;
    private final byte[] data;
    private final int regionId;
    private final SpinLocks lock = new SpinLocks(1);
    // Producer and consumer positions on separate cache lines, as Linux puts them on separate pages.
    // The producers' line holds producerPos and their cached copy of consumerPos (both written
    // under the lock), so a reserve that fits touches no line the consumer writes.
    long p00, p01, p02, p03, p04, p05, p06, p07;
    private long producerPos;
    private long consumerSeen;
    long p10, p11, p12, p13, p14, p15, p16, p17;
    private long consumerPos;
    long p20, p21, p22, p23, p24, p25, p26, p27;
    // Written rarely (by a drop), away from both positions. `waiter`, read by every commit and
    // written only by a consumer about to park, is a reference: HotSpot lays references out after
    // all the primitive fields, so it sits beside data, lock and size (read-only), not here.
    private long drops;
    private volatile Thread waiter;
    long p30, p31, p32, p33, p34, p35, p36, p37;

    public RingBuf(MapSpec spec, ExecutionSlots slots) {
        super(MapType.RINGBUF, spec, slots);
        int n = spec.maxEntries();
        if (spec.keySize() != 0 || spec.valueSize() != 0) {
            throw bad(Errno.EINVAL, "key_size and value_size must be 0");
        }
        if (n <= 0 || Integer.bitCount(n) != 1 || n % RingBufHeader.PAGE_SIZE != 0 || n > 1 << 30) {
            throw bad(Errno.EINVAL, "max_entries " + n + " must be a power of two, a multiple of 4096 and at most 2^30");
        }
        size = n;
        mask = n - 1;
        data = new byte[2 * n];
        regionId = registerRegion(Region.Kind.RINGBUF, " data", data, data.length, Region.READ_WRITE);
    }

    public int dataSize() {
        return size;
    }

    /** Reserves that failed for lack of space (or after close). */
    public long drops() {
        return (long) DROPS.getOpaque(this);
    }

    // ---- program side -------------------------------------------------------------------------

    /** bpf_ringbuf_reserve: address of {@code size} writable bytes, or 0 (no space, too big, flags ≠ 0). */
    public long reserve(Cpu cpu, long size, long flags) {
        return flags != 0 ? 0 : reserve(size);
    }

    private long reserve(long payload) {
        if (closed || payload < 0 || payload > RingBufHeader.MAX_RECORD) {
            return 0;
        }
        long len = RingBufHeader.recordLength(payload);
        if (len > size) {
            return 0;
        }
        int idx;
        lock.lock(0);
        try {
            long prod = producerPos;   // written only under this lock
            long newProd = prod + len;
            // consumerSeen is a consumerPos that an earlier reserve loaded with acquire, perhaps
            // on another producer's thread: it is written and read only under this lock, whose
            // CAS and release carry it (and the happens-before of that acquire) from producer to
            // producer. The space it frees is still free (the consumer only moves forward), so the
            // shared line is read again only when that space runs out.
            if (newProd - consumerSeen > mask) {
                // Acquire pairs with the setRelease of consumerPos in poll: the consumer is done
                // with the space we are about to hand out.
                consumerSeen = (long) CONS.getAcquire(this);
                if (newProd - consumerSeen > mask) {
                    DROPS.getAndAdd(this, 1L);
                    return 0;
                }
            }
            idx = (int) (prod & mask);
            I32.set(data, idx + RingBufHeader.LEN_OFFSET, (int) payload | RingBufHeader.BUSY_BIT);
            I32.set(data, idx + RingBufHeader.PG_OFF_OFFSET, idx / RingBufHeader.PAGE_SIZE);
            // Release pairs with the getAcquire of producerPos in poll: the BUSY header is visible
            // before the position that covers it.
            PROD.setRelease(this, newProd);
        } finally {
            lock.unlock(0);
        }
        return address(regionId, idx + RingBufHeader.SIZE);
    }

    /** bpf_ringbuf_submit: the record at {@code dataAddr} (from any ring) becomes visible. */
    public static void submit(Cpu cpu, long dataAddr, long flags) {
        owner(cpu, dataAddr).commit(cpu, dataAddr, flags, false);
    }

    /** bpf_ringbuf_discard: the record at {@code dataAddr} is skipped by the consumer. */
    public static void discard(Cpu cpu, long dataAddr, long flags) {
        owner(cpu, dataAddr).commit(cpu, dataAddr, flags, true);
    }

    private static RingBuf owner(Cpu cpu, long dataAddr) {
        Region r = cpu.regionOf(dataAddr);
        if (r == null || !(r.owner() instanceof RingBuf)) {
            throw cpu.fault(FaultKind.NO_REGION, dataAddr, RingBufHeader.SIZE);
        }
        return (RingBuf) r.owner();
    }

    private void commit(Cpu cpu, long dataAddr, long flags, boolean discard) {
        int hdr = (int) dataAddr - RingBufHeader.SIZE;
        if (hdr < 0 || hdr >= size || (hdr & 7) != 0) {
            throw cpu.fault(FaultKind.OUT_OF_BOUNDS, dataAddr, RingBufHeader.SIZE);
        }
        int len = (int) I32.get(data, hdr);
        int committed = (len & ~RingBufHeader.BUSY_BIT) | (discard ? RingBufHeader.DISCARD_BIT : 0);
        // Volatile exchange pairs with the getAcquire of the header in poll: the payload stores
        // precede the cleared BUSY bit.
        ByteAtomics.getAndSet32(data, hdr, committed);
        wake(hdr, flags);
    }

    /** bpf_ringbuf_output: reserve, copy {@code size} bytes from {@code dataAddr}, submit. 0, -EAGAIN, -EINVAL. */
    public long output(Cpu cpu, long dataAddr, long size, long flags) {
        if ((flags & ~(BpfFlags.RB_NO_WAKEUP | BpfFlags.RB_FORCE_WAKEUP)) != 0) {
            return -Errno.EINVAL;
        }
        if (closed) {
            return -Errno.EBADF;
        }
        Region src = size > 0 ? cpu.resolve(dataAddr, (int) Math.min(size, Integer.MAX_VALUE), Region.READ) : null;
        long rec = reserve(size);
        if (rec == 0) {
            return -Errno.EAGAIN;
        }
        int at = (int) rec;
        if (src != null) {
            System.arraycopy(src.data(), src.base() + (int) dataAddr, data, at, (int) size);
        }
        commit(cpu, rec, flags, false);
        return 0;
    }

    /**
     * bpf_ringbuf_query: a snapshot of available data, ring size, consumer or producer position;
     * 0 otherwise. While a poll is delivering, the consumer position it reports lags by up to a
     * quarter ring (the consumer publishes it per poll or per quarter ring, libbpf per record),
     * so RB_AVAIL_DATA may count records already delivered and producers may see the ring full
     * up to a quarter ring early.
     */
    public long query(Cpu cpu, long flags) {
        long cons = (long) CONS.getAcquire(this);
        long prod = (long) PROD.getAcquire(this);
        if (flags == BpfFlags.RB_AVAIL_DATA) {
            return prod - cons;
        } else if (flags == BpfFlags.RB_RING_SIZE) {
            return size;
        } else if (flags == BpfFlags.RB_CONS_POS) {
            return cons;
        } else if (flags == BpfFlags.RB_PROD_POS) {
            return prod;
        }
        return 0;
    }

    /** NO_WAKEUP never, FORCE_WAKEUP always, otherwise only if the consumer has caught up to this record. */
    private void wake(int hdr, long flags) {
        Thread w = waiter;
        if (w == null || (flags & BpfFlags.RB_NO_WAKEUP) != 0) {
            return;
        }
        if ((flags & BpfFlags.RB_FORCE_WAKEUP) != 0 || (((long) CONS.getAcquire(this)) & mask) == hdr) {
            LockSupport.unpark(w);
        }
    }

    // ---- consumer -----------------------------------------------------------------------------

    /**
     * Delivers up to {@code max} committed records in order, skipping discarded ones, without
     * waiting. Returns the number delivered, or the handler's negative result (that record counts
     * as consumed, as in libbpf).
     */
    public synchronized int poll(Handler handler, int max) {
        long cons = consumerPos;   // only the consumer writes it
        int n = 0;
        while (n < max) {
            // Pairs with the setRelease of producerPos in reserve.
            long prod = (long) PROD.getAcquire(this);
            if (cons >= prod) {
                break;
            }
            int idx = (int) (cons & mask);
            // Pairs with the getAndSet in commit.
            int len = (int) ByteAtomics.getAcquire32(data, idx);
            if ((len & RingBufHeader.BUSY_BIT) != 0) {
                break;
            }
            int payload = len & RingBufHeader.LEN_MASK;
            cons += RingBufHeader.recordLength(payload);
            int r = 0;
            if ((len & RingBufHeader.DISCARD_BIT) == 0) {
                r = handler.onRecord(data, idx + RingBufHeader.SIZE, payload);
                n++;
            }
            if (r < 0) {
                CONS.setRelease(this, cons);   // as below
                return r;
            }
            if (cons - consumerPos >= size >>> 2) {
                CONS.setRelease(this, cons);   // a long poll frees space as it goes, a quarter ring at a time
            }
        }
        // Once per poll (or per quarter ring), not per record: the producers read the line only
        // when they run out of the space they last saw. Release pairs with the getAcquire of
        // consumerPos in reserve: we are done reading every record before cons.
        if (cons != consumerPos) {
            CONS.setRelease(this, cons);
        }
        return n;
    }

    /** Like {@link #poll(Handler, int)}, but waits up to {@code timeoutNanos} for a first record. */
    public int poll(Handler handler, int max, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (;;) {
            int n = poll(handler, max);
            long left = deadline - System.nanoTime();
            if (n != 0 || left <= 0 || closed) {
                return n;
            }
            waiter = Thread.currentThread();
            // Re-check after publishing `waiter` (volatile): a commit that missed it has made its
            // record visible before our next poll.
            if (query(null, BpfFlags.RB_AVAIL_DATA) == 0) {
                LockSupport.parkNanos(this, Math.min(left, 10_000_000L));
            } else {
                Thread.onSpinWait();
            }
            waiter = null;
        }
    }

    // ---- bpf(2) map commands: not supported on a ring buffer -----------------------------------

    @Override
    protected void checkKey(byte[] key) {
    }

    @Override
    protected void checkValue(byte[] value, String what) {
    }

    @Override
    protected int doLookup(byte[] key, byte[] value) {
        return -Errno.ENOTSUPP;
    }

    @Override
    protected int doUpdate(byte[] key, byte[] value, long flags) {
        return -Errno.ENOTSUPP;
    }

    @Override
    protected int doDelete(byte[] key) {
        return -Errno.ENOTSUPP;
    }

    @Override
    protected int doGetNextKey(byte[] key, byte[] next) {
        return -Errno.ENOTSUPP;
    }

    @Override
    public long updateElem(Cpu cpu, long keyAddr, long valueAddr, long flags) {
        return -Errno.ENOTSUPP;
    }

    @Override
    public long deleteElem(Cpu cpu, long keyAddr) {
        return -Errno.ENOTSUPP;
    }
}
