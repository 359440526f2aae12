package dev.sonde.probe.trace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slot's ring of {@link TraceRecord}s: a single-producer, single-consumer byte ring.
 *
 * <p>Assumptions:
 * <ol>
 * <li>One producer at a time: the thread holding the slot (slots are held exclusively, and the
 *     slot's claim and release order one holder's writes before the next holder's).</li>
 * <li>One consumer at a time: {@link TraceBuffer} drains under its lock.</li>
 * </ol>
 *
 * <p>Guarantees: {@link #write} never allocates, blocks or throws; a record that does not fit is
 * dropped whole and counted. A reader that sees a producer position sees every byte of the records
 * before it, and the producer never overwrites bytes the consumer has not released.
 */
final class TraceRing {
    private static final VarHandle PRODUCER;
    private static final VarHandle CONSUMER;
    private static final VarHandle DROPPED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER = l.findVarHandle(TraceRing.class, "producer", long.class);
            CONSUMER = l.findVarHandle(TraceRing.class, "consumer", long.class);
            DROPPED = l.findVarHandle(TraceRing.class, "dropped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] buf;
    private final int mask;
    /** Bytes written; only the producer writes it. */
    @SuppressWarnings("unused")
    private long producer;
    /** Bytes released; only the consumer writes it. */
    @SuppressWarnings("unused")
    private long consumer;
    @SuppressWarnings("unused")
    private long dropped;
    /** The thread name's UTF-8, encoded here first to learn its length. */
    private final byte[] name = new byte[TraceRecord.MAX_NAME];

    TraceRing(int capacity) {
        if (capacity < 1024 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two of at least 1024, is " + capacity);
        }
        buf = new byte[capacity];
        mask = capacity - 1;
    }

    /** Producer: appends one record, or drops and counts it when the ring lacks room. */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    void write(long nanos, Thread thread, byte[] msg, int off, int len) {
        int msgLen = Math.min(Math.max(len, 0), TraceRecord.MAX_MESSAGE);
        int nameLen = encodeName(thread.getName());
        int need = TraceRecord.footprint(nameLen, msgLen);
        long p = (long) PRODUCER.getOpaque(this); // only this thread writes it
        // Acquire: the consumer's reads of the space it released are done before we overwrite it;
        // pairs with the setRelease of consumer in release().
        long c = (long) CONSUMER.getAcquire(this);
        if (p + need - c > buf.length) {
            // Opaque: a single writer; the reader wants a recent count, not an ordering.
            DROPPED.setOpaque(this, (long) DROPPED.getOpaque(this) + 1);
            return;
        }
        put64(p + TraceRecord.TIMESTAMP, nanos);
        put64(p + TraceRecord.THREAD_ID, thread.getId());
        put32(p + TraceRecord.LENGTH, TraceRecord.HEADER + nameLen + msgLen);
        put16(p + TraceRecord.NAME_LENGTH, nameLen);
        put16(p + TraceRecord.MESSAGE_LENGTH, msgLen);
        long q = p + TraceRecord.HEADER;
        for (int i = 0; i < nameLen; i++) {
            buf[(int) (q + i) & mask] = name[i];
        }
        q += nameLen;
        for (int i = 0; i < msgLen; i++) {
            buf[(int) (q + i) & mask] = msg[off + i];
        }
        // Release: the record's bytes are visible to a reader that sees the new position; pairs
        // with the getAcquire of producer in available().
        PRODUCER.setRelease(this, p + need);
    }

    /** The UTF-8 of {@code s} into {@link #name}, whole characters only, at most MAX_NAME bytes. */
    private int encodeName(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            int cp = c;
            int w;
            if (c < 0x80) {
                w = 1;
            } else if (c < 0x800) {
                w = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                w = 4;
            } else if (Character.isSurrogate(c)) {
                cp = '?';
                w = 1;
            } else {
                w = 3;
            }
            if (n + w > name.length) {
                break;
            }
            if (w == 1) {
                name[n] = (byte) cp;
            } else {
                int lead = w == 2 ? 0xc0 : w == 3 ? 0xe0 : 0xf0;
                name[n] = (byte) (lead | cp >> (6 * (w - 1)));
                for (int k = 1; k < w; k++) {
                    name[n + k] = (byte) (0x80 | (cp >> (6 * (w - 1 - k))) & 0x3f);
                }
            }
            if (w == 4) {
                i++;
            }
            n += w;
        }
        return n;
    }

    // ---- consumer ---------------------------------------------------------------------------------

    /** Consumer: the producer position; records before it are complete. */
    long available() {
        // Acquire: pairs with the setRelease of producer in write().
        return (long) PRODUCER.getAcquire(this);
    }

    /** Consumer: the position of the next unread record. */
    long consumed() {
        return (long) CONSUMER.getOpaque(this); // only the consumer writes it
    }

    /** Consumer: frees the space before {@code pos}. */
    void release(long pos) {
        // Release: our reads of the freed records happen before the producer reuses the bytes;
        // pairs with the getAcquire of consumer in write().
        CONSUMER.setRelease(this, pos);
    }

    long dropped() {
        return (long) DROPPED.getOpaque(this);
    }

    long get64(long pos) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | (buf[(int) (pos + k) & mask] & 0xff);
        }
        return v;
    }

    int get32(long pos) {
        return (int) get64Partial(pos, 4);
    }

    int get16(long pos) {
        return (int) get64Partial(pos, 2);
    }

    private long get64Partial(long pos, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) {
            v = v << 8 | (buf[(int) (pos + k) & mask] & 0xff);
        }
        return v;
    }

    void copy(long pos, byte[] dst, int off, int len) {
        for (int i = 0; i < len; i++) {
            dst[off + i] = buf[(int) (pos + i) & mask];
        }
    }

    private void put64(long pos, long v) {
        for (int k = 0; k < 8; k++) {
            buf[(int) (pos + k) & mask] = (byte) (v >>> (8 * k));
        }
    }

    private void put32(long pos, int v) {
        for (int k = 0; k < 4; k++) {
            buf[(int) (pos + k) & mask] = (byte) (v >>> (8 * k));
        }
    }

    private void put16(long pos, int v) {
        buf[(int) pos & mask] = (byte) v;
        buf[(int) (pos + 1) & mask] = (byte) (v >>> 8);
    }
}
