package dev.sonde.bpf.elf;

import java.util.List;

/**
 * One BTF type record. Ids are implicit in {@code .BTF} (the first record is id 1, id 0 is
 * {@code void}); every type id a record refers to has been checked to exist, so following one
 * with {@link Btf#type} cannot fail.
 */
public sealed interface BtfType {
    int id();

    /** The name, "" for anonymous types. */
    String name();

    BtfKind kind();

    /** Id 0. */
    record Void() implements BtfType {
        public int id() {
            return 0;
        }

        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /** INT: {@code encoding} bits are 1 signed, 2 char, 4 bool. */
    record Int(int id, String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int id, String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    record Array(int id, String name, int elemType, int indexType, long nelems) implements BtfType {
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /** A STRUCT or UNION member; {@code bitfieldSize} is 0 unless the member is a bitfield. */
    record Member(String name, int type, long bitOffset, int bitfieldSize) {
    }

    /** STRUCT or UNION. */
    record Composite(int id, String name, boolean isUnion, long size, List<Member> members) implements BtfType {
        public BtfKind kind() {
            return isUnion ? BtfKind.UNION : BtfKind.STRUCT;
        }
    }

    record EnumValue(String name, long value) {
    }

    /** ENUM (32-bit values) or ENUM64. */
    record EnumType(int id, String name, boolean is64, boolean signed, long size, List<EnumValue> values)
            implements BtfType {
        public BtfKind kind() {
            return is64 ? BtfKind.ENUM64 : BtfKind.ENUM;
        }
    }

    /** A forward declaration of a struct or union. */
    record Fwd(int id, String name, boolean isUnion) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    /**
     * TYPEDEF, VOLATILE, CONST, RESTRICT or TYPE_TAG: another name or qualifier for {@code type};
     * size and layout are those of {@code type}.
     */
    record Modifier(int id, BtfKind kind, String name, int type) implements BtfType {
    }

    /** FUNC; {@code linkage} 0 static, 1 global, 2 extern. */
    record Func(int id, String name, int protoType, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A parameter; a last one with type 0 and no name means varargs. */
    record Param(String name, int type) {
    }

    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }
    }

    /** VAR; {@code linkage} 0 static, 1 global, 2 extern. */
    record Var(int id, String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /**
     * A DATASEC entry. As written by clang, {@code offset} is 0 for global variables and the
     * section's size is 0: the ELF symbol table has the real values (libbpf
     * {@code btf_fixup_datasec}).
     */
    record VarSecInfo(int type, long offset, long size) {
    }

    record DataSec(int id, String name, long size, List<VarSecInfo> vars) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record FloatType(int id, String name, int size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** DECL_TAG on {@code type}; {@code componentIdx} -1 tags the declaration itself, else a member or parameter. */
    record DeclTag(int id, String name, int type, int componentIdx) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }
}
