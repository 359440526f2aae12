package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.List;

/**
 * What every map has: its definition, its storage regions, and two faces.
 *
 * <p><b>Java side</b> ({@link #lookup}, {@link #update}, {@link #delete}, {@link #getNextKey}), the
 * bpf(2) syscall commands: byte[] keys and values, results 0 or -errno as Linux returns them;
 * arguments of the wrong size throw {@link MapException}. Per-CPU maps take and give values in
 * Linux's syscall layout: one {@code round_up(value_size, 8)} slot per execution slot, see
 * {@link #javaValueSize}. These calls may lock and allocate; they must not be made from a thread
 * that holds an execution slot (programs use the program side).
 *
 * <p><b>Program side</b> ({@link #lookupElem}, {@link #updateElem}, {@link #deleteElem}), what the
 * helpers call with raw register values and the running {@link Cpu}: keys and values are program
 * addresses, lookups return a program address into the value storage (0 when absent), the others
 * 0 or -errno. They allocate nothing and never wait for other threads except across the few
 * instructions of a bucket or ring lock. A bad key or value pointer faults the run, as the verifier
 * would have rejected it in Linux.
 *
 * <p>After {@link #close} the regions are gone from the region table (their ids recycled after a
 * grace period), Java-side calls return -EBADF and program-side calls return 0 / -EBADF without
 * touching memory.
 */
public abstract class BpfMap implements AutoCloseable {
    protected final MapSpec spec;
    protected final MapType type;
    protected final ExecutionSlots slots;
    protected final RegionTable table;
    /** Read on every program-side call; plain volatile read (a plain load on x86). */
    protected volatile boolean closed;
    private final List<Integer> regionIds = new ArrayList<>(2);
    /** The map pointer programs hold (lddw src=1): an empty region whose owner is this map. */
    private long address;
    /** The first region registered: the value storage (array values, hash slab, ring data); -1 if none. */
    private volatile int valueRegionId = -1;

    protected BpfMap(MapType type, MapSpec spec, ExecutionSlots slots) {
        if (spec.type() != type.id) {
            throw new MapException(Errno.EINVAL, "map " + spec.name() + ": type " + spec.type() + " given to " + type);
        }
        this.type = type;
        this.spec = spec;
        this.slots = slots;
        this.table = slots.regionTable();
        if ((spec.flags() & ~BpfFlags.KNOWN_MAP_FLAGS) != 0) {
            throw bad(Errno.EINVAL, String.format("unknown map_flags 0x%x", spec.flags() & ~BpfFlags.KNOWN_MAP_FLAGS));
        }
    }

    /**
     * The program-visible address of the map itself, which {@code lddw src=1} loads and map helpers
     * take as their first argument: an empty, unreadable region whose owner is this map.
     */
    public final synchronized long address() {
        if (address == 0) {
            address = Addr.of(registerRegion(Region.Kind.MAP, " (map pointer)", new byte[0], 0, 0), 0);
        }
        return address;
    }

    /**
     * The region that holds every value a program can get a pointer to (so a verifier's "inside a
     * value of this map" proof means "inside this region"), or -1 for maps without values.
     */
    public final int valueRegionId() {
        return valueRegionId;
    }

    // ---- definition ---------------------------------------------------------------------------

    public MapType type() {
        return type;
    }

    public MapSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public int keySize() {
        return spec.keySize();
    }

    public int valueSize() {
        return spec.valueSize();
    }

    public int maxEntries() {
        return spec.maxEntries();
    }

    public int flags() {
        return spec.flags();
    }

    /** Size of a Java-side value buffer: value_size, or slots × round_up(value_size, 8) for per-CPU maps. */
    public int javaValueSize() {
        return spec.valueSize();
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- Java side ----------------------------------------------------------------------------

    /** Copies the value of {@code key} into {@code value}: 0, -ENOENT, -EBADF after close. */
    public final int lookup(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value, "value buffer");
        return closed ? -Errno.EBADF : doLookup(key, value);
    }

    /** The value of {@code key}, or null when absent. */
    public final byte[] lookup(byte[] key) {
        byte[] v = new byte[javaValueSize()];
        return lookup(key, v) == 0 ? v : null;
    }

    /** bpf_map_update_elem: 0 or -errno (-EEXIST, -ENOENT, -E2BIG, -EINVAL, -ENOMEM …). */
    public final int update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        checkValue(value, "value");
        return closed ? -Errno.EBADF : doUpdate(key, value, flags);
    }

    /** bpf_map_delete_elem: 0, -ENOENT, or -EINVAL for arrays. */
    public final int delete(byte[] key) {
        checkKey(key);
        return closed ? -Errno.EBADF : doDelete(key);
    }

    /** bpf_map_get_next_key: writes the key after {@code key} (the first for null) into {@code next}; 0 or -ENOENT. */
    public final int getNextKey(byte[] key, byte[] next) {
        if (key != null) {
            checkKey(key);
        }
        checkKey(next);
        return closed ? -Errno.EBADF : doGetNextKey(key, next);
    }

    /** The key after {@code key} (the first for null), or null at the end. */
    public final byte[] nextKey(byte[] key) {
        byte[] next = new byte[spec.keySize()];
        return getNextKey(key, next) == 0 ? next : null;
    }

    protected abstract int doLookup(byte[] key, byte[] value);

    protected abstract int doUpdate(byte[] key, byte[] value, long flags);

    protected abstract int doDelete(byte[] key);

    protected abstract int doGetNextKey(byte[] key, byte[] next);

    // ---- program side -------------------------------------------------------------------------

    /** bpf_map_lookup_elem: address of the value (this slot's copy for per-CPU maps), 0 when absent. */
    public long lookupElem(Cpu cpu, long keyAddr) {
        return 0;
    }

    /**
     * bpf_map_lookup_percpu_elem: the value of copy {@code which} of a per-CPU map; 0 when absent,
     * when {@code which} is no slot, or for maps that are not per-CPU.
     */
    public long lookupPercpuElem(Cpu cpu, long keyAddr, long which) {
        return 0;
    }

    /** bpf_map_update_elem with the key and value at program addresses: 0 or -errno. */
    public long updateElem(Cpu cpu, long keyAddr, long valueAddr, long flags) {
        return closed ? -Errno.EBADF : -Errno.EINVAL;
    }

    /** bpf_map_delete_elem: 0 or -errno. */
    public long deleteElem(Cpu cpu, long keyAddr) {
        return closed ? -Errno.EBADF : -Errno.EINVAL;
    }

    // ---- close --------------------------------------------------------------------------------

    /**
     * Makes the map unusable: (1) marks it closed so program-side calls stop touching it, (2) removes
     * its regions from the table so new runs fault on stale addresses, (3) after a grace period —
     * when no run that could still hold an address into it is left — recycles the region ids.
     */
    @Override
    public void close() {
        synchronized (regionIds) {
            if (closed) {
                return;
            }
            closed = true;
            for (int id : regionIds) {
                table.release(id);
            }
            List<Integer> ids = List.copyOf(regionIds);
            slots.callAfterGracePeriod(() -> ids.forEach(table::recycle));
        }
    }

    // ---- for subclasses -----------------------------------------------------------------------

    /** Registers {@code data} as one region of this map and returns its id. */
    protected final int registerRegion(Region.Kind kind, String suffix, byte[] data, int size, int perms) {
        int id = table.register(new Region(kind, "map " + spec.name() + suffix, data, 0, size, perms, this));
        synchronized (regionIds) {
            regionIds.add(id);
            if (valueRegionId < 0 && kind != Region.Kind.MAP) {
                valueRegionId = id;
            }
        }
        return id;
    }

    /** Region permissions a program gets on values, from BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG. */
    protected final int programPerms() {
        if ((spec.flags() & BpfFlags.RDONLY_PROG) != 0) {
            return Region.READ;
        }
        if ((spec.flags() & BpfFlags.WRONLY_PROG) != 0) {
            return Region.WRITE;
        }
        return Region.READ_WRITE;
    }

    protected static long address(int regionId, int offset) {
        return Addr.of(regionId, offset);
    }

    protected final MapException bad(int errno, String what) {
        return new MapException(errno, type.bpftoolName + " map " + spec.name() + ": " + what);
    }

    protected void checkKey(byte[] key) {
        if (key == null || key.length != spec.keySize()) {
            throw bad(Errno.EINVAL, "key of " + (key == null ? "null" : key.length + " bytes")
                + ", key_size is " + spec.keySize());
        }
    }

    protected void checkValue(byte[] value, String what) {
        if (value == null || value.length != javaValueSize()) {
            throw bad(Errno.EINVAL, what + " of " + (value == null ? "null" : value.length + " bytes")
                + ", expected " + javaValueSize());
        }
    }

    /** Linux's round_up(v, 8). */
    protected static int roundUp8(int v) {
        return (v + 7) & ~7;
    }

    protected static int u32Key(byte[] key) {
        return (key[0] & 0xff) | (key[1] & 0xff) << 8 | (key[2] & 0xff) << 16 | (key[3] & 0xff) << 24;
    }

    protected static void putU32(byte[] out, int v) {
        out[0] = (byte) v;
        out[1] = (byte) (v >> 8);
        out[2] = (byte) (v >> 16);
        out[3] = (byte) (v >> 24);
    }

    @Override
    public String toString() {
        return type.bpftoolName + " map " + spec.name() + "[key " + spec.keySize() + ", value " + spec.valueSize()
            + ", max " + spec.maxEntries() + (closed ? ", closed]" : "]");
    }
}
