package dev.sonde.testapp;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A thread's busy work for the sampling tests, outside Sonde's packages (whose frames samples
 * leave out).
 */
public final class Busy {
    public static volatile long sink;

    private Busy() {
    }

    public static void spin(AtomicBoolean stop, CountDownLatch started) {
        started.countDown();
        long x = 1;
        while (!stop.get()) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }
}
