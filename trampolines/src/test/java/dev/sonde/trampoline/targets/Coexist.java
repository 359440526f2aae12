package dev.sonde.trampoline.targets;

import java.util.concurrent.atomic.AtomicInteger;

/** Instrumented by another agent (Byte Buddy Advice) and by Sonde at once. */
public class Coexist {
    /** Counted by the other agent's advice. */
    public static final AtomicInteger OTHER = new AtomicInteger();

    public static int work(int x) {
        return x * 5;
    }
}
