package dev.sonde.agent;

import dev.sonde.probe.trace.TraceBuffer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The trace pipe's one consumer in an agent JVM: a daemon thread that drains the printk lines
 * (DESIGN.md §4 format) every {@value #PERIOD_MS} ms to a file, or to standard error when no file
 * was given, and once more at JVM exit. One per JVM: the trace buffer has a single consumer, so a
 * later attach with another {@code trace=} redirects this drainer instead of starting a second.
 */
public final class TraceDrainer {
    static final long PERIOD_MS = 100;
    private static TraceDrainer running;   // guarded by TraceDrainer.class

    private final TraceBuffer trace;
    private PrintStream file;             // guarded by this; null: standard error
    private Path filePath;                // guarded by this
    /** Control-socket trace-pipe readers: each gets every line too (a full queue drops lines). */
    private final List<BlockingQueue<String>> readers = new CopyOnWriteArrayList<>();

    private TraceDrainer(TraceBuffer trace) {
        this.trace = trace;
    }

    /**
     * Starts the drainer if none runs (to standard error), and points it at {@code path} when one
     * is given; null leaves a running drainer where it writes (a later attach without
     * {@code trace=} does not take the lines away from the start-up agent's file).
     */
    static synchronized TraceDrainer start(TraceBuffer trace, Path path) throws IOException {
        if (running == null) {
            running = new TraceDrainer(trace);
            Thread t = new Thread(running::loop, "sonde-trace");
            t.setDaemon(true);
            t.start();
        }
        if (path != null) {
            running.redirect(path);
        }
        return running;
    }

    private synchronized void redirect(Path path) throws IOException {
        if (path.equals(filePath)) {
            return;
        }
        PrintStream next = new PrintStream(new FileOutputStream(path.toFile(), true), false, StandardCharsets.UTF_8);
        drain();
        if (file != null) {
            file.close();
        }
        file = next;
        filePath = path;
    }

    private void loop() {
        while (true) {
            try {
                Thread.sleep(PERIOD_MS);
                drain();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("sonde: trace pipe: " + e);
            }
        }
    }

    /** Prints every complete line now (also called by the exit hook). */
    synchronized void drain() {
        PrintStream out = file != null ? file : System.err;
        if (trace.drain(line -> {
            out.println(line);
            for (BlockingQueue<String> r : readers) {
                r.offer(line);
            }
        }) > 0) {
            out.flush();
        }
    }

    /** The running drainer, or null. */
    public static synchronized TraceDrainer running() {
        return running;
    }

    public void addReader(BlockingQueue<String> q) {
        readers.add(q);
    }

    public void removeReader(BlockingQueue<String> q) {
        readers.remove(q);
    }
}
