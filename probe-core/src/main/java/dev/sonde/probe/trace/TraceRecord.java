package dev.sonde.probe.trace;

/**
 * One trace-pipe record in a slot's ring ({@link TraceRing}): what a {@code bpf_printk} call
 * leaves for the reader, who formats it with {@code TraceLine} (DESIGN.md §4). Little-endian.
 *
 * <pre>
 *  0                   8                   16        20        22        24
 * +-------------------+-------------------+---------+---------+---------+------------+---------+
 * | timestamp ns (8)  | java thread id (8)| len (4) | name (2)| msg (2) | name bytes | message |
 * +-------------------+-------------------+---------+---------+---------+------------+---------+
 * </pre>
 * {@code len} = 24 + name + msg, the record's unpadded length; the next record starts at the
 * 8-byte boundary after it. The slot is not stored: it is the ring's index. Records wrap around the
 * ring's end byte by byte.
 */
public final class TraceRecord {
    private TraceRecord() {
    }

    public static final int TIMESTAMP = 0;
    public static final int THREAD_ID = 8;
    public static final int LENGTH = 16;
    public static final int NAME_LENGTH = 20;
    public static final int MESSAGE_LENGTH = 22;
    public static final int HEADER = 24;
    public static final int ALIGN = 8;

    /** Longest thread name kept, in UTF-8 bytes (cut at a character boundary). */
    public static final int MAX_NAME = 255;
    /** Longest message kept (bpf-vm's printk line limit). */
    public static final int MAX_MESSAGE = 512;

    /** The space a record of these lengths takes in the ring. */
    public static int footprint(int nameLength, int messageLength) {
        return (HEADER + nameLength + messageLength + ALIGN - 1) & -ALIGN;
    }
}
