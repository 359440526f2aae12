package dev.sonde.agent.control;

import dev.sonde.bpf.map.RingBuf;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * RINGBUF_SHM: a thread that consumes a ring-buffer map's records in order and copies each into a
 * file ring (mode 0600, under /dev/shm, else the temp directory) laid out as the kernel's ring
 * buffer, which a client maps and consumes as libbpf consumes a kernel ring (ControlProtocol's
 * diagram: {@code cons} at 0, {@code prod} at 4096, data at 8192).
 *
 * <p>Assumptions: this thread is the file ring's only producer and the map's only consumer (the
 * server refuses RINGBUF_POLL and a second RINGBUF_SHM on a mirrored map); the client is the file
 * ring's only consumer and writes nothing but {@code cons}.
 *
 * <p>Guarantees, with their ordering pairs:
 * <ol>
 * <li>A record's header and bytes are written with plain stores, then {@code prod} with a release
 *     store ({@link #publish}, once per batch of up to 256 records and before any wait); pairs with the client's acquire load of {@code prod} (libsonde's
 *     ring consumer; the Java reader in the agent's ring test): a record below {@code prod} is
 *     complete. The single producer writes a record whole before publishing it, so no header it
 *     publishes carries BUSY.</li>
 * <li>Space is reused only after an acquire load of {@code cons} ({@link #consumed}) shows the
 *     client has moved past it; pairs with the client's release store of {@code cons} after it read
 *     the records below: the client's reads of old bytes happen before this thread overwrites them.</li>
 * <li>When the file ring is full the thread waits (parking 1 ms at a time) inside the map's poll:
 *     the map's ring then fills and the program's {@code bpf_ringbuf_reserve} fails and counts a
 *     drop, as in the kernel.</li>
 * </ol>
 * The mapping stays valid in this JVM until the buffer is collected; the file is removed on close.
 */
final class ShmRing implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final RingBuf ring;
    private final Path path;
    private final int dataSize;
    private final int mask;
    private final MappedByteBuffer mem;
    private final Thread thread;
    private volatile boolean stop;
    private long prod;   // only the mirror thread writes it
    /** {@code prod} as last published; the mirror thread's. */
    private long published;
    /** {@code cons} as last read: the space below it is free for sure (the client only moves it on). */
    private long knownCons;

    private ShmRing(RingBuf ring, Path path, MappedByteBuffer mem) {
        this.ring = ring;
        this.path = path;
        this.dataSize = ring.dataSize();
        this.mask = dataSize - 1;
        this.mem = mem;
        this.mem.order(ByteOrder.LITTLE_ENDIAN);
        this.thread = new Thread(this::run, "sonde-ringbuf-shm-" + ring.name());
        this.thread.setDaemon(true);
    }

    /** Creates the file and starts the mirror; the caller has checked that no other consumer runs. */
    static ShmRing start(RingBuf ring, int mapId) throws IOException {
        Path dir = Path.of("/dev/shm");
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            dir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        Path path = dir.resolve("sonde-" + ProcessHandle.current().pid() + "-map" + mapId + "-" + SERIAL.incrementAndGet() + ".ring");
        Files.deleteIfExists(path);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        MappedByteBuffer mem;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            mem = ch.map(FileChannel.MapMode.READ_WRITE, 0, ControlProtocol.SHM_OFF_DATA + (long) ring.dataSize());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
        ShmRing s = new ShmRing(ring, path, mem);
        s.thread.start();
        return s;
    }

    Path path() {
        return path;
    }

    int dataSize() {
        return dataSize;
    }

    private void run() {
        try {
            while (!stop && !ring.isClosed()) {
                ring.poll(this::copy, 256, 50_000_000L);
                publish();   // once per batch of up to 256 records, not per record
            }
        } catch (RuntimeException e) {
            // the map went away under the poll: the mirror ends, the client sees no more records
        }
    }

    /** RingBuf's handler: copies one record in, waiting for room; -1 ends the poll when closing. */
    private int copy(byte[] buf, int off, int len) {
        long size = (len + ControlProtocol.RB_HEADER + 7) & ~7L;
        if (size > dataSize) {
            return 0;   // larger than the whole file ring (the map's ring is larger): dropped
        }
        // cons is read again only when the space known free runs short: the client only advances it.
        while (dataSize - (prod - knownCons) < size) {
            knownCons = consumed();
            if (dataSize - (prod - knownCons) >= size) {
                break;
            }
            if (stop || ring.isClosed()) {
                return -1;
            }
            publish();   // what is written so far, or the client would wait for it while we wait for room
            LockSupport.parkNanos(1_000_000L);
        }
        int at = (int) (prod & mask);
        // The 8-byte header never wraps: positions and data_size are multiples of 8.
        mem.putInt(ControlProtocol.SHM_OFF_DATA + at, len);
        mem.putInt(ControlProtocol.SHM_OFF_DATA + at + 4, 0);
        int start = (at + ControlProtocol.RB_HEADER) & mask;
        int first = Math.min(len, dataSize - start);
        mem.put(ControlProtocol.SHM_OFF_DATA + start, buf, off, first);
        if (first < len) {
            mem.put(ControlProtocol.SHM_OFF_DATA, buf, off + first, len - first);
        }
        prod += size;
        return 0;
    }

    /**
     * Release: every record's bytes written so far before the position; pairs with the client's
     * acquire load of prod. Called after each batch of the map's poll and before waiting for room.
     */
    private void publish() {
        if (published != prod) {
            published = prod;
            LONGS.setRelease(mem, ControlProtocol.SHM_OFF_PROD, prod);
        }
    }

    /** Acquire: pairs with the client's release store of cons after it read the records below it. */
    private long consumed() {
        return (long) LONGS.getAcquire(mem, ControlProtocol.SHM_OFF_CONS);
    }

    /**
     * Stops the mirror, waits for its thread to end and removes the file. The wait has no bound:
     * once scheduled, the thread sees {@code stop} within one poll (50 ms) or one wait for room
     * (1 ms). A close that gave up earlier (it waited at most 5 s) could return, on a loaded
     * machine, with the thread still copying, and the ring then had two consumers, the old mirror
     * and the one the client starts next (RINGBUF_POLL, a new mirror), each taking records the
     * other never sees.
     */
    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a file that cannot go is left; nothing else is harmed
        }
    }
}
