package dev.sonde.probe.hit;

import dev.sonde.bpf.ctx.PtRegs;
import java.util.List;

/**
 * The Java meaning of each pt_regs field (DESIGN.md §3): the one table {@link ContextImage} fills
 * from. Offsets come from bpf-vm's {@link PtRegs}, the layout descriptor the C header mirrors.
 *
 * <pre>
 * di si dx cx r8 r9   PARAM 1..6        r12    THIS (0 static; 0 at a constructor's entry)
 * sp                  STACK_SNAPSHOT    ax     RETURN (value, or the throwable's handle; 0 at entry)
 * ip                  METHOD            flags  FLAGS (bit 0: exceptional exit)
 * everything else     ZERO
 * </pre>
 */
public final class ContextLayout {
    private ContextLayout() {
    }

    public enum Source { ZERO, PARAM, THIS, STACK_SNAPSHOT, RETURN, METHOD, FLAGS }

    /** One field: its kernel name, offset, source and, for PARAM, the 1-based parameter. */
    public record Field(String name, int offset, Source source, int param) {
    }

    /** All 21 fields in layout order. */
    public static final List<Field> FIELDS = build();

    // The same table as arrays, for the fill loop (no iterator, no boxing).
    static final int[] OFFSETS = new int[FIELDS.size()];
    static final Source[] SOURCES = new Source[FIELDS.size()];
    static final int[] PARAMS = new int[FIELDS.size()];

    static {
        for (int i = 0; i < FIELDS.size(); i++) {
            OFFSETS[i] = FIELDS.get(i).offset();
            SOURCES[i] = FIELDS.get(i).source();
            PARAMS[i] = FIELDS.get(i).param();
        }
    }

    private static List<Field> build() {
        Field[] f = new Field[PtRegs.FIELDS.length];
        for (int i = 0; i < f.length; i++) {
            String name = PtRegs.FIELDS[i];
            int offset = 8 * i;
            int param = 0;
            for (int p = 1; p <= PtRegs.REGISTER_PARAMS; p++) {
                if (PtRegs.param(p) == offset) {
                    param = p;
                }
            }
            Source s;
            if (param > 0) {
                s = Source.PARAM;
            } else if (offset == PtRegs.R12) {
                s = Source.THIS;
            } else if (offset == PtRegs.SP) {
                s = Source.STACK_SNAPSHOT;
            } else if (offset == PtRegs.AX) {
                s = Source.RETURN;
            } else if (offset == PtRegs.IP) {
                s = Source.METHOD;
            } else if (offset == PtRegs.FLAGS) {
                s = Source.FLAGS;
            } else {
                s = Source.ZERO;
            }
            f[i] = new Field(name, offset, s, param);
        }
        return List.of(f);
    }
}
