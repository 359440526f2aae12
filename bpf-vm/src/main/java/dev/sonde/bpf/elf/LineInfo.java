package dev.sonde.bpf.elf;

/**
 * Where an instruction came from in the C source ({@code .BTF.ext} line_info).
 *
 * @param slot   the instruction's slot: within its ELF section in {@link BtfExt}, within the linked
 *               array in {@link LinkedProgram}
 * @param file   the source file name as the compiler recorded it
 * @param line   1-based; 0 when the compiler attributes the instruction to no line
 * @param column 1-based; 0 when unknown
 * @param source the text of the source line, "" if absent
 */
public record LineInfo(int slot, String file, int line, int column, String source) {

    LineInfo withSlot(int newSlot) {
        return new LineInfo(newSlot, file, line, column, source);
    }

    /** {@code file:line} (with {@code :column} when known), as error messages cite it. */
    public String location() {
        return column > 0 ? file + ":" + line + ":" + column : file + ":" + line;
    }
}
