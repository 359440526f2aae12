package dev.sonde.bpf.elf;

/** Renders BTF as {@code bpftool btf dump file X} (plain format) does, for golden comparison. */
final class BpftoolFormat {
    private BpftoolFormat() {
    }

    static String dump(Btf btf) throws ObjectFormatException {
        StringBuilder sb = new StringBuilder();
        for (BtfType t : btf.types().subList(1, btf.size())) {
            sb.append('[').append(t.id()).append("] ").append(t.kind()).append(' ').append(name(t.name()));
            if (t instanceof BtfType.Int i) {
                sb.append(" size=").append(i.size()).append(" bits_offset=").append(i.bitOffset()).append(" nr_bits=")
                    .append(i.bits()).append(" encoding=").append(switch (i.encoding()) {
                        case 0 -> "(none)";
                        case BtfType.Int.SIGNED -> "SIGNED";
                        case BtfType.Int.CHAR -> "CHAR";
                        case BtfType.Int.BOOL -> "BOOL";
                        default -> "(invalid)";
                    });
            } else if (t instanceof BtfType.Ptr p) {
                sb.append(" type_id=").append(p.type());
            } else if (t instanceof BtfType.Modifier m) {
                sb.append(" type_id=").append(m.type());
            } else if (t instanceof BtfType.Array a) {
                sb.append(" type_id=").append(a.elemType()).append(" index_type_id=").append(a.indexType())
                    .append(" nr_elems=").append(a.nelems());
            } else if (t instanceof BtfType.Composite c) {
                sb.append(" size=").append(c.size()).append(" vlen=").append(c.members().size());
                for (BtfType.Member m : c.members()) {
                    sb.append("\n\t").append(name(m.name())).append(" type_id=").append(m.type()).append(" bits_offset=")
                        .append(m.bitOffset());
                    if (m.bitfieldSize() != 0) {
                        sb.append(" bitfield_size=").append(m.bitfieldSize());
                    }
                }
            } else if (t instanceof BtfType.FuncProto f) {
                sb.append(" ret_type_id=").append(f.returnType()).append(" vlen=").append(f.params().size());
                for (BtfType.Param p : f.params()) {
                    sb.append("\n\t").append(name(p.name())).append(" type_id=").append(p.type());
                }
            } else if (t instanceof BtfType.Func f) {
                sb.append(" type_id=").append(f.protoType()).append(" linkage=").append(linkage(f.linkage()));
            } else if (t instanceof BtfType.Var v) {
                sb.append(" type_id=").append(v.type()).append(", linkage=").append(linkage(v.linkage()));
            } else if (t instanceof BtfType.DataSec d) {
                sb.append(" size=").append(d.size()).append(" vlen=").append(d.vars().size());
                for (BtfType.VarSecInfo v : d.vars()) {
                    sb.append("\n\ttype_id=").append(v.type()).append(" offset=").append(v.offset()).append(" size=")
                        .append(v.size()).append(" (VAR ").append(name(btf.type(v.type()).name())).append(')');
                }
            } else {
                throw new IllegalArgumentException("no bpftool format for " + t.kind() + " in this test");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String name(String n) {
        return "'" + (n.isEmpty() ? "(anon)" : n) + "'";
    }

    private static String linkage(int l) {
        return switch (l) {
            case 0 -> "static";
            case 1 -> "global";
            case 2 -> "extern";
            default -> "(unknown)";
        };
    }
}
