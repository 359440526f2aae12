package dev.sonde.probe.object;

/**
 * The layout of an object handle: the address of a Java object's view (DESIGN.md §3, §4 "Objects").
 *
 * <pre>
 *  63 62 61                 40 39        32 31                       0
 * +-----+---------------------+------------+--------------------------+
 * | 1 0 |    hit tag (22)     | index (8)  |   byte offset (32)       |
 * +-----+---------------------+------------+--------------------------+
 *  \________ region id (bpf-vm's Addr), 0x8000_0000..0xbfff_ffff _____/
 * </pre>
 *
 * <p>Why a handle can never be loaded directly: its region id, read as the {@code int} bpf-vm's
 * {@code Cpu} uses, is negative. {@code Cpu.regionOf} takes ids 1..15 as per-run regions and looks
 * only positive ids up in the global {@code RegionTable}, so every load or store through a handle
 * finds no region and faults, while the read helpers, finding no region, hand the address to
 * {@code ProbeEnv.readObject}. No region is ever registered for a view.
 *
 * <p>The hit tag names one hit of one slot: slot {@code s} of {@code n} uses the tags
 * {@code s, s + n, s + 2n, …} in turn (wrapping below 2^22), so a tag is never live on two slots at
 * once and a handle kept from an earlier hit (in a map, say) finds a different tag and faults until
 * the slot's tags wrap, after at least 2^22 / n hits of that slot. The index is the handle's position
 * in the hit's object table ({@link ObjectTable#CAPACITY} = 256: enough for the 255 parameter slots
 * a JVM method can have, {@code this} and the return value or throwable). The offset is {@code k} in
 * "handle + k addresses byte k of the view", unsigned.
 *
 * <p>The symbol addresses of {@code dev.sonde.probe.symbol.SymbolLayout} use the region ids above
 * this range (top bits 1 1), so the two never meet.
 */
public final class HandleLayout {
    private HandleLayout() {
    }

    /** Bits 63..62 of every handle. */
    public static final long TAG_BITS = 0b10L << 62;
    public static final long TAG_MASK = 0b11L << 62;

    public static final int HIT_TAG_SHIFT = 40;
    public static final int HIT_TAG_BITS = 22;
    public static final int HIT_TAG_LIMIT = 1 << HIT_TAG_BITS;
    public static final int INDEX_SHIFT = 32;
    public static final int INDEX_BITS = 8;
    public static final int INDEX_LIMIT = 1 << INDEX_BITS;

    /** Region ids of object views, as bpf-vm's {@code Addr.region} returns them: [FIRST, LAST]. */
    public static final int FIRST_REGION_ID = (int) (TAG_BITS >>> 32);
    public static final int LAST_REGION_ID = FIRST_REGION_ID | (1 << 30) - 1;

    /** The handle of entry {@code index} of the hit tagged {@code hitTag}, at view offset 0. */
    public static long handle(int hitTag, int index) {
        return TAG_BITS | (long) hitTag << HIT_TAG_SHIFT | (long) index << INDEX_SHIFT;
    }

    public static boolean isHandle(long addr) {
        return (addr & TAG_MASK) == TAG_BITS;
    }

    public static int hitTag(long handle) {
        return (int) (handle >>> HIT_TAG_SHIFT) & (HIT_TAG_LIMIT - 1);
    }

    public static int index(long handle) {
        return (int) (handle >>> INDEX_SHIFT) & (INDEX_LIMIT - 1);
    }

    /** The byte offset into the view, 0..2^32-1. */
    public static long offset(long handle) {
        return handle & 0xffff_ffffL;
    }
}
