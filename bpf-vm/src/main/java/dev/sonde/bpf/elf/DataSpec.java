package dev.sonde.bpf.elf;

import java.util.Arrays;
import java.util.List;

/**
 * A global-data section ({@code .data*}, {@code .rodata*}, {@code .bss*}). Like libbpf, Sonde
 * loads each as an ARRAY map with one entry whose value is the section, named after the section
 * ({@code .rodata}, {@code .bss}, {@code .rodata.str1.1}, ...), frozen read-only for
 * {@code .rodata*}.
 *
 * <p>The contents are kept only as far as the file has them: a {@code .bss} header can claim
 * any size, and nothing is allocated for it until {@link #bytes()} is called.
 *
 * @param name         the section name
 * @param sectionIndex the ELF section index
 * @param size         the section size in bytes
 * @param readOnly     true for {@code .rodata*}: the program may not write it
 * @param variables    the ELF symbols (OBJECT) defined in the section, by offset
 */
public record DataSpec(String name, int sectionIndex, int size, boolean readOnly, List<Variable> variables,
                       byte[] contents) implements MapDefinition {

    /** Linux {@code BPF_MAP_TYPE_ARRAY}. */
    public static final int ARRAY = 2;
    /** Linux {@code BPF_F_RDONLY_PROG}: libbpf sets it on {@code .rodata} maps. */
    public static final int F_RDONLY_PROG = 0x80;

    /** A global variable of the section: name, byte offset, size (from the ELF symbol). */
    public record Variable(String name, int offset, int size) {
    }

    public DataSpec {
        variables = List.copyOf(variables);
        contents = contents.clone();
    }

    /** The initial value: the section's bytes, zeros for NOBITS. A fresh copy each call. */
    public byte[] bytes() {
        return Arrays.copyOf(contents, size);
    }

    /** The file bytes only (empty for NOBITS); prefer {@link #bytes()}. */
    @Override
    public byte[] contents() {
        return contents.clone();
    }

    public int type() {
        return ARRAY;
    }

    public int keySize() {
        return 4;
    }

    public int valueSize() {
        return size;
    }

    public int maxEntries() {
        return 1;
    }

    public int flags() {
        return readOnly ? F_RDONLY_PROG : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSpec d && name.equals(d.name) && sectionIndex == d.sectionIndex && size == d.size
            && readOnly == d.readOnly && variables.equals(d.variables) && Arrays.equals(contents, d.contents);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(contents);
    }

    @Override
    public String toString() {
        return "DataSpec[" + name + ", section " + sectionIndex + ", " + size + " bytes" + (readOnly ? ", read-only" : "")
            + ", " + variables + "]";
    }
}
