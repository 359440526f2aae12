package dev.sonde.trampoline.targets;

/** An interface with a default and a static method. */
public interface Greeter {
    default String greet(String who) {
        return "hi " + who;
    }

    static int twice(int x) {
        return 2 * x;
    }
}
