package dev.sonde.junit;

/**
 * One entry into, exit from, or mark inside a section, as a probe saw it: the descriptor of
 * {@code struct sonde_edge} in {@code src/main/c/sonde/edge.h} (48 bytes, little-endian):
 *
 * <pre>
 *   0       8          16     20     24      32               48
 *   +-------+----------+------+------+-------+----------------+
 *   | ns    | pid_tgid | kind | site | key   | comm[16]       |
 *   +-------+----------+------+------+-------+----------------+
 * </pre>
 *
 * {@code ns} is {@code bpf_ktime_get_ns} (this JVM's {@code System.nanoTime}), {@code pidTgid}
 * {@code bpf_get_current_pid_tgid} (the Java thread id in the low 32 bits), {@code site} the test's
 * number for the section, {@code key} the instance of the section (0 when every instance is one
 * section) or, for marks, an item id, {@code comm} the thread's name as {@code bpf_get_current_comm}
 * gives it (15 bytes at most), so that messages name threads that have ended.
 */
public record Edge(long ns, long pidTgid, int kind, int site, long key, @Size(16) String comm) {
    public static final int ENTER = 1;
    public static final int EXIT = 2;
    public static final int MARK = 3;
    /** sizeof(struct sonde_edge) and the offsets of its fields. */
    public static final int SIZE = 48;
    public static final int NS = 0;
    public static final int PID_TGID = 8;
    public static final int KIND = 16;
    public static final int SITE = 20;
    public static final int KEY = 24;
    public static final int COMM = 32;

    public static Edge enter(long ns, long thread, int site, long key) {
        return new Edge(ns, thread, ENTER, site, key, "");
    }

    public static Edge exit(long ns, long thread, int site, long key) {
        return new Edge(ns, thread, EXIT, site, key, "");
    }

    public static Edge mark(long ns, long thread, int site, long key) {
        return new Edge(ns, thread, MARK, site, key, "");
    }

    /** The Java thread id ({@code Thread.getId()}) of the thread that crossed the edge. */
    public long threadId() {
        return pidTgid & 0xffffffffL;
    }

    public boolean isEnter() {
        return kind == ENTER;
    }

    public boolean isExit() {
        return kind == EXIT;
    }

    /** "enter 1", "exit 1", "mark 3": what {@link RaceAssertions#assertPerThreadOrder} compares. */
    public String step() {
        return kindName() + " " + site;
    }

    public String kindName() {
        switch (kind) {
            case ENTER: return "enter";
            case EXIT: return "exit";
            case MARK: return "mark";
            default: return "kind" + kind;
        }
    }
}
