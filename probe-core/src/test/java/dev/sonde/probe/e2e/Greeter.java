package dev.sonde.probe.e2e;

/** The traced class of the end-to-end test (its methods are never really called by a trampoline). */
public class Greeter {
    public String greet(String name, int count, double weight) {
        return "Hello, " + name + "!";
    }

    public static long wide(int a, int b, int c, int d, int e, long f, long g, long[] h) {
        return a + b + c + d + e + f + g + h.length;
    }
}
