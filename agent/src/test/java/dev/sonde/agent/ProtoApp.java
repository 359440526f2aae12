package dev.sonde.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The traced application of the control-socket tests: {@code threads} workers call
 * {@link #work} (proto.bpf.o counts it) and, every 8th time, {@link #emit} with a per-thread
 * sequence number (proto.bpf.o writes it to a ring buffer), pausing 200 µs after every 8 calls
 * (some 30,000 calls a second per thread) so that the tests leave CPU to the rest of the machine.
 * Prints "ready" once the workers run; a line "count" on standard input prints "calls N" (the
 * work calls so far); the end of standard input ends the JVM.
 */
public final class ProtoApp {
    private static final LongAdder CALLS = new LongAdder();

    private ProtoApp() {
    }

    public static long work(int n) {
        CALLS.increment();
        return n * 31L + 7;
    }

    public static long emit(long seq, int thread) {
        return seq ^ thread;
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            ts[t] = new Thread(() -> {
                long sink = 0;
                long seq = 0;
                for (int i = 0; !stop.get(); i++) {
                    sink += work(i);
                    if ((i & 7) == 0) {
                        sink += emit(seq++, me);
                    }
                    if ((i & 7) == 7) {
                        LockSupport.parkNanos(200_000L);
                    }
                }
                if (sink == 42) {
                    System.out.print("");
                }
            }, "worker-" + t);
            ts[t].start();
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = readLine(in)) != null; ) {
            if (line.trim().equals("count")) {
                System.out.println("calls " + CALLS.sum());
                System.out.flush();
            }
        }
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
