package dev.sonde.bpf.verifier;

import java.util.Objects;

/**
 * The abstract value of one register (or of one spilled stack slot). Immutable.
 *
 * <ul>
 * <li>{@code NOT_INIT}: reading it is an error; {@code releasedAt} ≥ 0 says it held a ring-buffer
 *     record that the instruction at that index submitted or discarded.</li>
 * <li>{@code SCALAR}: a number described by {@link #value}; {@link #id} ≠ 0 links copies made by
 *     {@code mov} so that a branch refining one refines all (Linux's find_equal_scalars).</li>
 * <li>{@code PTR}: region start + {@link #value} (the byte offset, itself a {@link Scalar}, so the
 *     offset may vary and wrap exactly as the 64-bit address does). {@link #region} names the map
 *     index, the stack frame depth or the caller-memory index; {@link #size} is the region's size
 *     in bytes; {@link #id} links copies of one maybe-null pointer for null-check propagation;
 *     {@link #refId} ≠ 0 names the acquired reference (a ring-buffer record).</li>
 * </ul>
 */
final class Reg {
    enum Type { NOT_INIT, SCALAR, PTR }

    static final Reg NOT_INIT = new Reg(Type.NOT_INIT, null, null, 0, 0, false, false, 0, 0, -1);
    static final Reg UNKNOWN = scalar(Scalar.UNKNOWN);

    final Type type;
    final Scalar value;
    final PointerKind kind;
    final int region;
    final long size;
    final boolean writable;
    final boolean maybeNull;
    final int id;
    final int refId;
    final int releasedAt;

    private Reg(Type type, Scalar value, PointerKind kind, int region, long size, boolean writable,
                boolean maybeNull, int id, int refId, int releasedAt) {
        this.type = type;
        this.value = value;
        this.kind = kind;
        this.region = region;
        this.size = size;
        this.writable = writable;
        this.maybeNull = maybeNull;
        this.id = id;
        this.refId = refId;
        this.releasedAt = releasedAt;
    }

    static Reg scalar(Scalar s) {
        return new Reg(Type.SCALAR, s, null, 0, 0, false, false, 0, 0, -1);
    }

    static Reg constant(long v) {
        return scalar(Scalar.constant(v));
    }

    static Reg pointer(PointerKind kind, int region, long size, boolean writable, Scalar offset) {
        return new Reg(Type.PTR, offset, kind, region, size, writable, false, 0, 0, -1);
    }

    static Reg released(int pc) {
        return new Reg(Type.NOT_INIT, null, null, 0, 0, false, false, 0, 0, pc);
    }

    boolean isInit() {
        return type != Type.NOT_INIT;
    }

    boolean isScalar() {
        return type == Type.SCALAR;
    }

    boolean isPtr() {
        return type == Type.PTR;
    }

    boolean isPtr(PointerKind k) {
        return type == Type.PTR && kind == k;
    }

    Reg withValue(Scalar s) {
        return new Reg(type, s, kind, region, size, writable, maybeNull, type == Type.SCALAR ? 0 : id, refId, releasedAt);
    }

    /** The same scalar value keeping its link id (for refinements propagated to copies). */
    Reg refined(Scalar s) {
        return new Reg(type, s, kind, region, size, writable, maybeNull, id, refId, releasedAt);
    }

    Reg withId(int newId) {
        return new Reg(type, value, kind, region, size, writable, maybeNull, newId, refId, releasedAt);
    }

    Reg withNull(boolean mayBeNull, int newId) {
        return new Reg(type, value, kind, region, size, writable, mayBeNull, newId, refId, releasedAt);
    }

    Reg withRef(int ref) {
        return new Reg(type, value, kind, region, size, writable, maybeNull, id, ref, releasedAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reg r && type == r.type && Objects.equals(value, r.value) && kind == r.kind
            && region == r.region && size == r.size && writable == r.writable && maybeNull == r.maybeNull
            && id == r.id && refId == r.refId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, value, kind, region, id);
    }

    @Override
    public String toString() {
        return switch (type) {
            case NOT_INIT -> releasedAt >= 0 ? "released@" + releasedAt : "?";
            case SCALAR -> (id != 0 ? "id" + id + ":" : "") + value;
            case PTR -> {
                StringBuilder sb = new StringBuilder(kind.logName);
                if (maybeNull) {
                    sb.append("_or_null");
                }
                sb.append('(');
                switch (kind) {
                    case STACK -> sb.append("frame=").append(region).append(",off=").append(offString(-512));
                    case MAP_VALUE, GLOBAL_DATA, MAP_PTR -> sb.append("map=").append(region).append(",off=").append(offString(0));
                    case CODE -> sb.append("insn=").append(region);
                    default -> sb.append("off=").append(offString(0));
                }
                if (kind.isMemory() && kind != PointerKind.STACK) {
                    sb.append(",size=").append(size);
                }
                if (id != 0) {
                    sb.append(",id=").append(id);
                }
                if (refId != 0) {
                    sb.append(",ref=").append(refId);
                }
                yield sb.append(')').toString();
            }
        };
    }

    private String offString(long bias) {
        if (value.isConst()) {
            return Long.toString(value.constValue() + bias);
        }
        return bias == 0 ? value.toString() : value + (bias < 0 ? "" + bias : "+" + bias);
    }
}
