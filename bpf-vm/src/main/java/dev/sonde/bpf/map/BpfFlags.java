package dev.sonde.bpf.map;

/** Flag values of the bpf(2) uapi (linux/bpf.h) that maps read. */
public final class BpfFlags {
    private BpfFlags() {
    }

    // ---- update flags -------------------------------------------------------------------------
    /** Create or replace. */
    public static final long ANY = 0;
    /** Create only: -EEXIST when the key is present. */
    public static final long NOEXIST = 1;
    /** Replace only: -ENOENT when the key is absent. */
    public static final long EXIST = 2;
    /** Copy the value under its bpf_spin_lock; no Sonde value has one, so it gives -EINVAL. */
    public static final long F_LOCK = 4;

    // ---- map creation flags (map_flags) -------------------------------------------------------
    public static final int NO_PREALLOC = 0x1;
    public static final int NO_COMMON_LRU = 0x2;
    public static final int NUMA_NODE = 0x4;
    public static final int RDONLY = 0x8;
    public static final int WRONLY = 0x10;
    public static final int STACK_BUILD_ID = 0x20;
    public static final int ZERO_SEED = 0x40;
    public static final int RDONLY_PROG = 0x80;
    public static final int WRONLY_PROG = 0x100;
    public static final int CLONE = 0x200;
    public static final int MMAPABLE = 0x400;
    public static final int INNER_MAP = 0x1000;
    /** Every creation flag Sonde accepts (and mostly ignores: everything is preallocated). */
    public static final int KNOWN_MAP_FLAGS = NO_PREALLOC | NO_COMMON_LRU | NUMA_NODE | RDONLY | WRONLY
        | ZERO_SEED | RDONLY_PROG | WRONLY_PROG | CLONE | MMAPABLE | INNER_MAP;

    // ---- perf_event_output ---------------------------------------------------------------------
    public static final long F_INDEX_MASK = 0xffffffffL;
    public static final long F_CURRENT_CPU = F_INDEX_MASK;

    // ---- get_stackid --------------------------------------------------------------------------
    public static final long F_SKIP_FIELD_MASK = 0xff;
    public static final long F_USER_STACK = 0x100;
    public static final long F_FAST_STACK_CMP = 0x200;
    public static final long F_REUSE_STACKID = 0x400;

    // ---- ring buffer --------------------------------------------------------------------------
    public static final long RB_NO_WAKEUP = 1;
    public static final long RB_FORCE_WAKEUP = 2;
    public static final long RB_AVAIL_DATA = 0;
    public static final long RB_RING_SIZE = 1;
    public static final long RB_CONS_POS = 2;
    public static final long RB_PROD_POS = 3;
}
