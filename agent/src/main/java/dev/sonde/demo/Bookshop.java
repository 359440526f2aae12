package dev.sonde.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo application (and the agent tests' traced JVM): clerks on several threads look books up
 * in a {@link Catalog}, shelf {@code i % 8} on their i-th lookup, and restock after every 100th.
 *
 * <pre>
 *   Bookshop [--threads N] --calls C     each clerk makes exactly C lookups, then the JVM exits 0
 *   Bookshop [--threads N] --seconds S   clerks work for S seconds
 *   Bookshop [--threads N] --serve       clerks work until standard input ends; a line "count"
 *                                        prints the lookups so far; "ready" is printed at start
 * </pre>
 */
public final class Bookshop {
    private Bookshop() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 4;
        long calls = -1;
        double seconds = -1;
        boolean serve = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Long.parseLong(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--serve" -> serve = true;
                default -> {
                    System.err.println("usage: Bookshop [--threads N] (--calls C | --seconds S | --serve)");
                    System.exit(2);
                }
            }
        }
        Catalog catalog = new Catalog();
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        long perClerk = calls;
        List<Thread> clerks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int clerk = t;
            Thread th = new Thread(() -> {
                long sum = 0;
                for (long i = 0; perClerk < 0 ? !stop.get() : i < perClerk; i++) {
                    sum += catalog.lookup((int) (i % 8));
                    done.increment();
                    if (i % 100 == 99) {
                        catalog.restock(clerk);
                    }
                }
                if (sum == 42) {
                    System.out.print("");   // keeps sum alive
                }
            }, "clerk-" + t);
            clerks.add(th);
            th.start();
        }
        long start = System.nanoTime();
        if (serve) {
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = readLine(in)) != null; ) {
                if (line.trim().equals("count")) {
                    System.out.println("lookups " + done.sum());
                    System.out.flush();
                }
            }
            stop.set(true);
        } else if (seconds >= 0) {
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
        }
        for (Thread th : clerks) {
            th.join();
        }
        System.out.printf("bookshop: %d lookups by %d clerks in %.1f s%n", done.sum(), threads, (System.nanoTime() - start) / 1e9);
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
