package dev.sonde.bpf.elf;

import static dev.sonde.bpf.elf.BtfLayout.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the bytes of a {@code .BTF} section into {@link BtfType} records and checks them: the
 * header's regions lie inside the section, the string section is NUL-delimited, every name
 * offset is a string, every record (with its trailing data) lies inside the type region, every
 * type id a record refers to exists, and a FUNC points to a FUNC_PROTO.
 */
final class BtfReader {
    private final ByteView types;
    private final ByteView strings;
    private final String where;

    private BtfReader(ByteView types, ByteView strings, String where) {
        this.types = types;
        this.strings = strings;
        this.where = where;
    }

    static Btf read(ByteView section) throws ObjectFormatException {
        String where = section.where();
        if (section.length() < HDR_SIZE) {
            throw new ObjectFormatException(where + ": " + section.length() + " bytes, shorter than the "
                + HDR_SIZE + "-byte BTF header");
        }
        if (section.u16(HDR_MAGIC) != MAGIC) {
            throw new ObjectFormatException(String.format("%s: bad magic 0x%04x at offset 0", where, section.u16(HDR_MAGIC)));
        }
        if (section.u8(HDR_VERSION) != VERSION) {
            throw new ObjectFormatException(where + ": unsupported BTF version " + section.u8(HDR_VERSION) + " at offset 2");
        }
        long hdrLen = section.u32(HDR_LEN);
        if (hdrLen < HDR_SIZE || hdrLen > section.length()) {
            throw new ObjectFormatException(where + ": hdr_len " + hdrLen + " at offset 4 is not within 24.."
                + section.length());
        }
        long typeOff = section.u32(HDR_TYPE_OFF);
        long typeLen = section.u32(HDR_TYPE_LEN);
        long strOff = section.u32(HDR_STR_OFF);
        long strLen = section.u32(HDR_STR_LEN);
        if (typeOff % 4 != 0 || typeLen % 4 != 0) {
            throw new ObjectFormatException(where + ": type_off " + typeOff + " / type_len " + typeLen + " not 4-byte aligned");
        }
        ByteView body = section.slice(hdrLen, section.length() - hdrLen, where);
        ByteView typeView = region(body, typeOff, typeLen, "type section (type_off/type_len)", where + " types");
        ByteView strView = region(body, strOff, strLen, "string section (str_off/str_len)", where + " strings");
        if (strLen == 0 || strView.u8(0) != 0 || strView.u8(strLen - 1) != 0) {
            throw new ObjectFormatException(where + ": string section (str_off " + strOff + ", str_len " + strLen
                + ") must start and end with NUL");
        }
        if (typeOff < strOff + strLen && strOff < typeOff + typeLen) {
            throw new ObjectFormatException(where + ": type section and string section overlap");
        }
        BtfReader r = new BtfReader(typeView, strView, where);
        List<BtfType> list = r.decodeAll();
        r.checkReferences(list);
        return new Btf(list, strView);
    }

    private static ByteView region(ByteView body, long off, long len, String what, String name)
            throws ObjectFormatException {
        if (off > body.length() || len > body.length() - off) {
            throw new ObjectFormatException(String.format("%s: %s at 0x%x+0x%x lies outside the %d bytes after the header",
                body.where(), what, off, len, body.length()));
        }
        return body.slice(off, len, name);
    }

    private List<BtfType> decodeAll() throws ObjectFormatException {
        List<BtfType> out = new ArrayList<>();
        out.add(new BtfType.Void());
        long p = 0;
        while (p < types.length()) {
            int id = out.size();
            long start = p;
            types.check(p, TYPE_RECORD, "type [" + id + "] record");
            String name = name(types.u32(p + TYPE_NAME_OFF), id, start);
            long info = types.u32(p + TYPE_INFO);
            int sizeOrType = types.s32(p + TYPE_SIZE_OR_TYPE);
            int vlen = (int) (info & 0xffff);
            int kindNo = (int) ((info >>> 24) & 0x1f);
            boolean kflag = (info & 0x8000_0000L) != 0;
            BtfKind kind = BtfKind.of(kindNo);
            if (kind == null) {
                throw error(id, start, "unknown kind " + kindNo);
            }
            p += TYPE_RECORD;
            long extra = trailing(kind, vlen);
            types.check(p, extra, "type [" + id + "] " + kind + " data (vlen " + vlen + ")");
            out.add(decode(id, start, p, kind, name, vlen, kflag, sizeOrType));
            p += extra;
        }
        return out;
    }

    private static long trailing(BtfKind kind, int vlen) {
        return switch (kind) {
            case INT, VAR, DECL_TAG -> 4;
            case ARRAY -> 12;
            case STRUCT, UNION, ENUM64 -> (long) vlen * MEMBER_RECORD;
            case ENUM -> (long) vlen * ENUM_RECORD;
            case FUNC_PROTO -> (long) vlen * PARAM_RECORD;
            case DATASEC -> (long) vlen * VARSECINFO_RECORD;
            default -> 0;
        };
    }

    private BtfType decode(int id, long start, long p, BtfKind kind, String name, int vlen, boolean kflag, int st)
            throws ObjectFormatException {
        long size = st & 0xffffffffL;
        switch (kind) {
            case INT: {
                long enc = types.u32(p);
                return new BtfType.Int(id, name, st, (int) ((enc >>> 24) & 0xf), (int) ((enc >>> 16) & 0xff),
                    (int) (enc & 0xff));
            }
            case PTR:
                return new BtfType.Ptr(id, name, st);
            case ARRAY:
                return new BtfType.Array(id, name, types.s32(p), types.s32(p + 4), types.u32(p + 8));
            case STRUCT:
            case UNION: {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = p + (long) i * MEMBER_RECORD;
                    long off = types.u32(m + 8);
                    members.add(kflag
                        ? new BtfType.Member(name(types.u32(m), id, start), types.s32(m + 4), off & 0xffffff, (int) (off >>> 24))
                        : new BtfType.Member(name(types.u32(m), id, start), types.s32(m + 4), off, 0));
                }
                return new BtfType.Composite(id, name, kind == BtfKind.UNION, size, List.copyOf(members));
            }
            case ENUM:
            case ENUM64: {
                boolean wide = kind == BtfKind.ENUM64;
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = p + (long) i * (wide ? MEMBER_RECORD : ENUM_RECORD);
                    long v = wide ? types.u32(m + 4) | types.u32(m + 8) << 32
                                  : kflag ? types.s32(m + 4) : types.u32(m + 4);
                    values.add(new BtfType.EnumValue(name(types.u32(m), id, start), v));
                }
                return new BtfType.EnumType(id, name, wide, kflag, size, List.copyOf(values));
            }
            case FWD:
                return new BtfType.Fwd(id, name, kflag);
            case TYPEDEF:
            case VOLATILE:
            case CONST:
            case RESTRICT:
            case TYPE_TAG:
                return new BtfType.Modifier(id, kind, name, st);
            case FUNC:
                return new BtfType.Func(id, name, st, vlen);
            case FUNC_PROTO: {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = p + (long) i * PARAM_RECORD;
                    params.add(new BtfType.Param(name(types.u32(m), id, start), types.s32(m + 4)));
                }
                return new BtfType.FuncProto(id, name, st, List.copyOf(params));
            }
            case VAR:
                return new BtfType.Var(id, name, st, types.s32(p));
            case DATASEC: {
                List<BtfType.VarSecInfo> vars = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = p + (long) i * VARSECINFO_RECORD;
                    vars.add(new BtfType.VarSecInfo(types.s32(m), types.u32(m + 4), types.u32(m + 8)));
                }
                return new BtfType.DataSec(id, name, size, List.copyOf(vars));
            }
            case FLOAT:
                return new BtfType.FloatType(id, name, st);
            case DECL_TAG:
                return new BtfType.DeclTag(id, name, st, types.s32(p));
            default:
                throw error(id, start, "unknown kind " + kind);
        }
    }

    private String name(long off, int id, long start) throws ObjectFormatException {
        if (off >= strings.length()) {
            throw error(id, start, "name_off " + off + " is outside the " + strings.length() + "-byte string section");
        }
        return strings.cstring(off, "name of type [" + id + "]");
    }

    private ObjectFormatException error(int id, long offset, String what) {
        return new ObjectFormatException(String.format("%s: type [%d] at type offset 0x%x: %s", where, id, offset, what));
    }

    /** Every id a record names must exist; after this, {@link Btf#type} never fails. */
    private void checkReferences(List<BtfType> list) throws ObjectFormatException {
        int n = list.size();
        for (BtfType t : list) {
            // Java 17 has no pattern switch; the kinds that refer to other types are few.
            if (t instanceof BtfType.Ptr x) {
                ref(x, x.type(), n, "type");
            } else if (t instanceof BtfType.Array x) {
                ref(x, x.elemType(), n, "elem_type");
                ref(x, x.indexType(), n, "index_type");
            } else if (t instanceof BtfType.Composite x) {
                for (BtfType.Member m : x.members()) {
                    ref(x, m.type(), n, "member '" + m.name() + "'");
                }
            } else if (t instanceof BtfType.Modifier x) {
                ref(x, x.type(), n, "type");
            } else if (t instanceof BtfType.Func x) {
                ref(x, x.protoType(), n, "type");
                if (!(list.get(x.protoType()) instanceof BtfType.FuncProto)) {
                    throw refError(x, "type " + x.protoType() + " is not a FUNC_PROTO");
                }
            } else if (t instanceof BtfType.FuncProto x) {
                ref(x, x.returnType(), n, "return type");
                for (BtfType.Param p : x.params()) {
                    ref(x, p.type(), n, "parameter '" + p.name() + "'");
                }
            } else if (t instanceof BtfType.Var x) {
                ref(x, x.type(), n, "type");
            } else if (t instanceof BtfType.DataSec x) {
                for (BtfType.VarSecInfo v : x.vars()) {
                    ref(x, v.type(), n, "variable");
                }
            } else if (t instanceof BtfType.DeclTag x) {
                ref(x, x.type(), n, "type");
            }
        }
    }

    private void ref(BtfType t, int target, int n, String what) throws ObjectFormatException {
        if (target < 0 || target >= n) {
            throw refError(t, what + " refers to type " + Integer.toUnsignedString(target) + ", but the last id is " + (n - 1));
        }
    }

    private ObjectFormatException refError(BtfType t, String what) {
        return new ObjectFormatException(where + ": type [" + t.id() + "] " + t.kind() + " '" + t.name() + "': " + what);
    }
}
