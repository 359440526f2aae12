package dev.sonde.bpf.elf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Map definitions from the {@code .maps} section, read from BTF as libbpf's
 * {@code parse_btf_map_def} does. The section's bytes carry nothing: each map is a VAR of
 * DATASEC {@code .maps} whose type is an anonymous struct, and each attribute is a member whose
 * <em>type</em> encodes the value ({@code __uint(name, n)} is {@code int (*name)[n]},
 * {@code __type(name, T)} is {@code T *name}). Where a map sits in the section comes from its
 * ELF symbol, because clang writes 0 for global VAR offsets in the DATASEC.
 */
final class BtfMaps {
    private BtfMaps() {
    }

    static final int PROG_ARRAY = 3;
    static final int ARRAY_OF_MAPS = 12;
    static final int HASH_OF_MAPS = 13;

    /**
     * A parsed map with its place in {@code .maps}.
     *
     * @param valuesOffset byte offset of the {@code values} member inside the map's struct, -1 if none
     */
    record Located(MapSpec spec, long offset, long size, long valuesOffset) {
    }

    static List<Located> parse(Btf btf, ElfFile elf, ElfSection maps) throws ObjectFormatException {
        String where = maps.describe();
        BtfType.DataSec sec = btf.dataSec(maps.name()).orElse(null);
        if (sec == null) {
            throw new ObjectFormatException(where + ": .BTF has no DATASEC '.maps' describing the maps");
        }
        List<Located> out = new ArrayList<>();
        for (BtfType.VarSecInfo info : sec.vars()) {
            BtfType t = btf.type(info.type());
            if (!(t instanceof BtfType.Var var)) {
                throw new ObjectFormatException(where + ": DATASEC '.maps' entry type [" + info.type() + "] is " + t.kind()
                    + ", not a VAR");
            }
            ElfSymbol sym = symbol(elf, maps, var.name());
            String mapWhere = where + ": map '" + var.name() + "'";
            BtfType def = btf.resolve(var.type());
            if (!(def instanceof BtfType.Composite c) || c.isUnion()) {
                throw new ObjectFormatException(mapWhere + ": type [" + var.type() + "] is " + def.kind() + ", not a struct");
            }
            long size = sym.size() > 0 ? sym.size() : c.size();
            if (sym.value() < 0 || sym.value() > maps.size() || size > maps.size() - sym.value()) {
                throw new ObjectFormatException(String.format("%s: symbol at offset 0x%x, size %d lies outside the section's"
                    + " %d bytes", mapWhere, sym.value(), size, maps.size()));
            }
            out.add(parseDef(btf, var.name(), c, mapWhere, sym.value(), size));
        }
        out.sort(Comparator.comparingLong(Located::offset));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).offset() < out.get(i - 1).offset() + out.get(i - 1).size()) {
                throw new ObjectFormatException(where + ": maps '" + out.get(i - 1).spec().name() + "' and '"
                    + out.get(i).spec().name() + "' overlap");
            }
        }
        return out;
    }

    private static ElfSymbol symbol(ElfFile elf, ElfSection maps, String name) throws ObjectFormatException {
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() == maps.index() && s.name().equals(name) && !s.isSection()) {
                return s;
            }
        }
        throw new ObjectFormatException(maps.describe() + ": map '" + name + "' is in BTF but has no ELF symbol in the section");
    }

    private static Located parseDef(Btf btf, String name, BtfType.Composite def, String where, long offset, long size)
            throws ObjectFormatException {
        long type = -1;
        long maxEntries = 0;
        long flags = 0;
        long pinning = 0;
        long keySize = -1;
        long valueSize = -1;
        int keyType = 0;
        int valueType = 0;
        long valuesOffset = -1;
        List<BtfType.Member> members = def.members();
        for (int i = 0; i < members.size(); i++) {
            BtfType.Member m = members.get(i);
            String field = where + ": field '" + m.name() + "'";
            switch (m.name()) {
                case "type" -> type = intField(btf, m, field);
                case "max_entries" -> maxEntries = intField(btf, m, field);
                case "map_flags" -> flags = intField(btf, m, field);
                case "pinning" -> pinning = intField(btf, m, field);
                case "numa_node", "map_extra" -> intField(btf, m, field);  // no meaning in one process; checked only
                case "key_size" -> keySize = agree(keySize, intField(btf, m, field), field, "key");
                case "value_size" -> valueSize = agree(valueSize, intField(btf, m, field), field, "value");
                case "key" -> {
                    keyType = pointee(btf, m, field);
                    keySize = agree(keySize, btf.sizeOf(keyType), field, "key_size");
                }
                case "value" -> {
                    valueType = pointee(btf, m, field);
                    valueSize = agree(valueSize, btf.sizeOf(valueType), field, "value_size");
                }
                case "values" -> {
                    if (i != members.size() - 1) {
                        throw new ObjectFormatException(field + ": must be the last field");
                    }
                    checkValues(btf, m, type, field);
                    valueSize = agree(valueSize, 4, field, "value_size");
                    if (m.bitOffset() % 8 != 0) {
                        throw new ObjectFormatException(field + ": bit offset " + m.bitOffset() + " is not byte-aligned");
                    }
                    valuesOffset = m.bitOffset() / 8;
                }
                default -> throw new ObjectFormatException(field + ": unknown map attribute");
            }
        }
        if (type < 0) {
            throw new ObjectFormatException(where + ": has no 'type' field");
        }
        MapSpec spec = new MapSpec(name, (int) type, size32(Math.max(keySize, 0), where, "key size"),
            size32(Math.max(valueSize, 0), where, "value size"), size32(maxEntries, where, "max_entries"), (int) flags,
            (int) pinning, keyType, valueType, new TreeMap<>());
        return new Located(spec, offset, size, valuesOffset);
    }

    /** {@code __uint(name, n)}: PTR to an ARRAY of n elements (the array's element type is irrelevant). */
    private static long intField(Btf btf, BtfType.Member m, String where) throws ObjectFormatException {
        BtfType ptr = btf.resolve(m.type());
        if (!(ptr instanceof BtfType.Ptr p)) {
            throw new ObjectFormatException(where + ": type [" + m.type() + "] is " + ptr.kind() + ", not PTR (__uint)");
        }
        BtfType arr = btf.type(p.type());
        if (!(arr instanceof BtfType.Array a)) {
            throw new ObjectFormatException(where + ": PTR [" + p.id() + "] points to " + arr.kind() + ", not ARRAY (__uint)");
        }
        return a.nelems();
    }

    /** {@code __type(name, T)}: PTR to T; returns T's id. */
    private static int pointee(Btf btf, BtfType.Member m, String where) throws ObjectFormatException {
        BtfType ptr = btf.resolve(m.type());
        if (!(ptr instanceof BtfType.Ptr p)) {
            throw new ObjectFormatException(where + ": type [" + m.type() + "] is " + ptr.kind() + ", not PTR (__type)");
        }
        return p.type();
    }

    /** {@code __array(values, T)}: an ARRAY of 0 elements of PTR to T (a FUNC_PROTO for PROG_ARRAY). */
    private static void checkValues(Btf btf, BtfType.Member m, long type, String where) throws ObjectFormatException {
        if (type == ARRAY_OF_MAPS || type == HASH_OF_MAPS) {
            throw new ObjectFormatException(where + ": map-in-map definitions are not supported");
        }
        if (type != PROG_ARRAY) {
            throw new ObjectFormatException(where + ": only a PROG_ARRAY (type 3) may have initial values, this map has type "
                + type + (type < 0 ? " (or 'type' comes after 'values')" : ""));
        }
        BtfType arr = btf.type(m.type());
        if (!(arr instanceof BtfType.Array a) || a.nelems() != 0) {
            throw new ObjectFormatException(where + ": type [" + m.type() + "] is not a zero-length ARRAY");
        }
        BtfType ptr = btf.resolve(a.elemType());
        if (!(ptr instanceof BtfType.Ptr p) || !(btf.resolve(p.type()) instanceof BtfType.FuncProto)) {
            throw new ObjectFormatException(where + ": elements are not pointers to functions");
        }
    }

    private static long agree(long previous, long value, String where, String other) throws ObjectFormatException {
        if (previous >= 0 && previous != value) {
            throw new ObjectFormatException(where + ": gives " + value + ", but " + other + " gives " + previous);
        }
        return value;
    }

    private static int size32(long v, String where, String what) throws ObjectFormatException {
        if (v > Integer.MAX_VALUE) {
            throw new ObjectFormatException(where + ": " + what + " " + v + " is too large");
        }
        return (int) v;
    }
}
