package dev.sonde.bpf.elf;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A BPF object file as clang writes it for libbpf ({@code clang -target bpf -g -O2 -c x.bpf.c}),
 * parsed, checked and linked: the maps it asks for, its programs as self-contained instruction
 * arrays, its licence and BTF. Immutable; everything is read eagerly, so every error in the file
 * surfaces from {@link #parse} as an {@link ObjectFormatException}.
 *
 * <p>{@link #maps()} order, which is also the map index in {@link Ref}s and in the linked
 * {@code lddw} immediates:
 * <ol>
 * <li>BTF-defined maps of {@code .maps}, by offset in the section (= their ELF symbol's value);</li>
 * <li>legacy {@code maps} definitions, by offset;</li>
 * <li>global-data sections ({@code .rodata*}, {@code .data*}, {@code .bss*}), in section-header
 *     order, empty ones left out.</li>
 * </ol>
 * {@link #programs()} order: by section-header index, then by offset within the section.
 */
public final class BpfObjectFile {
    private final String objectName;
    private final List<MapDefinition> maps;
    private final List<LinkedProgram> programs;
    private final String license;
    private final OptionalInt kernelVersion;
    private final Btf btf;
    private final BtfExt btfExt;

    BpfObjectFile(String objectName, List<MapDefinition> maps, List<LinkedProgram> programs, String license,
                  OptionalInt kernelVersion, Btf btf, BtfExt btfExt) {
        this.objectName = objectName;
        this.maps = List.copyOf(maps);
        this.programs = List.copyOf(programs);
        this.license = license;
        this.kernelVersion = kernelVersion;
        this.btf = btf;
        this.btfExt = btfExt;
    }

    /**
     * Parses an object file.
     *
     * @param objectName how messages and map dumps name the object (e.g. its file name)
     * @throws ObjectFormatException with a message that starts with {@code objectName} and names the
     *         section and the offset, field or relocation that is wrong
     */
    public static BpfObjectFile parse(String objectName, byte[] bytes) throws ObjectFormatException {
        try {
            return ObjectParser.parse(objectName, bytes);
        } catch (ObjectFormatException e) {
            throw new ObjectFormatException(objectName + ": " + e.getMessage());
        }
    }

    public String objectName() {
        return objectName;
    }

    /** Map specs, then data specs, in the order documented on the class. */
    public List<MapDefinition> maps() {
        return maps;
    }

    public List<LinkedProgram> programs() {
        return programs;
    }

    /** The program with this C function name. */
    public Optional<LinkedProgram> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The index in {@link #maps()} of the map with this name, or -1. */
    public int mapIndex(String name) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The {@code license} section's string; "" when the object has none. */
    public String license() {
        return license;
    }

    /** The legacy {@code version} section's u32, if present. */
    public OptionalInt kernelVersion() {
        return kernelVersion;
    }

    /** The object's {@code .BTF}, if it has one (clang writes it with {@code -g}). */
    public Optional<Btf> btf() {
        return Optional.ofNullable(btf);
    }

    /** func_info and line_info per section; empty when the object has no {@code .BTF.ext}. */
    public BtfExt btfExt() {
        return btfExt;
    }

    @Override
    public String toString() {
        return "BpfObjectFile[" + objectName + ", " + maps.size() + " maps, " + programs.size() + " programs]";
    }
}
