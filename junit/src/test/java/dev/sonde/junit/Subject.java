package dev.sonde.junit;

/** The methods the kit's own probes (src/test/bpf/kit.bpf.c) attach to. */
public final class Subject {
    private long total;

    public long work(long n) {
        total += n;
        return total;
    }

    public static long say(long n) {
        return -n;
    }
}
