package dev.sonde.bpf.elf;

import java.util.List;
import java.util.Optional;

/**
 * The parsed {@code .BTF} section of an object: its types by id and its string section, with the
 * two queries loaders need — skipping modifiers and typedefs, and byte sizes. Immutable.
 *
 * <p>Type records may form cycles only through pointers in well-formed BTF; a malformed file can
 * make a typedef or array chain loop. Every walk is therefore bounded by {@link #MAX_DEPTH} (the
 * same bound as libbpf's {@code MAX_RESOLVE_DEPTH}) and fails with an
 * {@link ObjectFormatException} instead of looping.
 */
public final class Btf {
    static final int MAX_DEPTH = 32;

    private final List<BtfType> types;
    private final ByteView strings;

    Btf(List<BtfType> types, ByteView strings) {
        this.types = List.copyOf(types);
        this.strings = strings;
    }

    /** Parses and checks a {@code .BTF} section's bytes. */
    public static Btf parse(byte[] section) throws ObjectFormatException {
        return BtfReader.read(ByteView.of(section, ".BTF"));
    }

    static Btf parse(ByteView section) throws ObjectFormatException {
        return BtfReader.read(section);
    }

    /** Number of ids, including 0 ({@code void}). */
    public int size() {
        return types.size();
    }

    /** All types, indexed by id (index 0 is {@code void}). */
    public List<BtfType> types() {
        return types;
    }

    public BtfType type(int id) throws ObjectFormatException {
        if (id < 0 || id >= types.size()) {
            throw new ObjectFormatException(".BTF: no type with id " + Integer.toUnsignedString(id));
        }
        return types.get(id);
    }

    /** The string at an offset of the string section (e.g. from {@code .BTF.ext}). */
    public String string(long offset) throws ObjectFormatException {
        return strings.cstring(offset, "string offset");
    }

    /** Follows TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG to the type they qualify. */
    public BtfType resolve(int id) throws ObjectFormatException {
        BtfType t = type(id);
        for (int depth = 0; t instanceof BtfType.Modifier m; depth++) {
            if (depth >= MAX_DEPTH) {
                throw new ObjectFormatException(".BTF: type [" + id + "]: modifier/typedef chain longer than " + MAX_DEPTH);
            }
            t = type(m.type());
        }
        return t;
    }

    /** The byte size of an object of this type (libbpf {@code btf__resolve_size}). */
    public long sizeOf(int id) throws ObjectFormatException {
        long count = 1;
        BtfType t = type(id);
        for (int depth = 0; ; depth++) {
            if (depth >= MAX_DEPTH) {
                throw new ObjectFormatException(".BTF: type [" + id + "]: type chain longer than " + MAX_DEPTH);
            }
            long size;
            if (t instanceof BtfType.Modifier m) {
                t = type(m.type());
                continue;
            } else if (t instanceof BtfType.Var v) {
                t = type(v.type());
                continue;
            } else if (t instanceof BtfType.Array a) {
                count = multiply(count, a.nelems(), id);
                t = type(a.elemType());
                continue;
            } else if (t instanceof BtfType.Int i) {
                size = i.size() & 0xffffffffL;
            } else if (t instanceof BtfType.Composite c) {
                size = c.size();
            } else if (t instanceof BtfType.EnumType e) {
                size = e.size();
            } else if (t instanceof BtfType.FloatType f) {
                size = f.size() & 0xffffffffL;
            } else if (t instanceof BtfType.DataSec d) {
                size = d.size();
            } else if (t instanceof BtfType.Ptr) {
                size = 8;
            } else {
                throw new ObjectFormatException(".BTF: type [" + id + "]: " + t.kind() + " [" + t.id() + "] has no size");
            }
            return multiply(count, size, id);
        }
    }

    private static long multiply(long a, long b, int id) throws ObjectFormatException {
        long r = a * b;
        // Sizes are u32 in BTF; anything larger is not an object the kernel would accept either.
        if (b != 0 && (r / b != a || r > 0xffffffffL)) {
            throw new ObjectFormatException(".BTF: type [" + id + "]: size overflows 32 bits");
        }
        return r;
    }

    /** The first type of this kind and name. */
    public Optional<BtfType> find(BtfKind kind, String name) {
        for (BtfType t : types) {
            if (t.kind() == kind && t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The DATASEC named after an ELF section ({@code .maps}, {@code .rodata}, ...). */
    public Optional<BtfType.DataSec> dataSec(String name) {
        return find(BtfKind.DATASEC, name).map(t -> (BtfType.DataSec) t);
    }
}
