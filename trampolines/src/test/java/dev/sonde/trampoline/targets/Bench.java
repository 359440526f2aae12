package dev.sonde.trampoline.targets;

/** Identical methods for the JMH benchmark: one stays plain, one is traced, one is traced then detached. */
public class Bench {
    public static long plain(int a, long b) {
        return a * 31L + b;
    }

    public static long traced(int a, long b) {
        return a * 31L + b;
    }

    public static long traced3(int a, long b) {
        return a * 31L + b;
    }

    public static long detached(int a, long b) {
        return a * 31L + b;
    }
}
