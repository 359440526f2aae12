package dev.sonde.bpf.elf;

/** BTF type kinds, with their numbers in the {@code info} word and the names bpftool prints. */
public enum BtfKind {
    VOID(0), INT(1), PTR(2), ARRAY(3), STRUCT(4), UNION(5), ENUM(6), FWD(7), TYPEDEF(8),
    VOLATILE(9), CONST(10), RESTRICT(11), FUNC(12), FUNC_PROTO(13), VAR(14), DATASEC(15),
    FLOAT(16), DECL_TAG(17), TYPE_TAG(18), ENUM64(19);

    public final int number;

    BtfKind(int number) {
        this.number = number;
    }

    private static final BtfKind[] BY_NUMBER = values();

    /** The kind with this number, or null (0, VOID, never appears in a record). */
    static BtfKind of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
