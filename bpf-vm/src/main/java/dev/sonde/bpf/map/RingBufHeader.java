package dev.sonde.bpf.map;

/**
 * The 8-byte header in front of every ring-buffer record (uapi {@code struct bpf_ringbuf_hdr}),
 * little-endian, at an 8-aligned data offset:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------------------------------------+-+-+
 * |                 payload length (30 bits)                    |D|B|  len    (offset 0)
 * +-------------------------------------------------------------+-+-+
 * |                           pg_off                                |  (offset 4)
 * +-----------------------------------------------------------------+
 * </pre>
 * B = BPF_RINGBUF_BUSY_BIT (bit 31): reserved, not yet committed; D = BPF_RINGBUF_DISCARD_BIT
 * (bit 30): committed but to be skipped. A record occupies {@code round_up(len + 8, 8)} bytes.
 * {@code pg_off} is the kernel's page distance back to the ring header; Sonde writes the record's
 * page index in the data area and consumers ignore it, as libbpf does.
 */
public final class RingBufHeader {
    private RingBufHeader() {
    }

    public static final int SIZE = 8;
    public static final int LEN_OFFSET = 0;
    public static final int PG_OFF_OFFSET = 4;
    public static final int BUSY_BIT = 1 << 31;
    public static final int DISCARD_BIT = 1 << 30;
    public static final int LEN_MASK = ~(BUSY_BIT | DISCARD_BIT);
    /** Largest payload a reserve accepts (Linux's RINGBUF_MAX_RECORD_SZ = UINT_MAX / 4). */
    public static final long MAX_RECORD = 0xffffffffL / 4;
    /** Page size the data size must be a multiple of. */
    public static final int PAGE_SIZE = 4096;

    /** Bytes a record with {@code payload} bytes occupies, header and padding included. */
    public static long recordLength(long payload) {
        return (payload + SIZE + 7) & ~7L;
    }
}
