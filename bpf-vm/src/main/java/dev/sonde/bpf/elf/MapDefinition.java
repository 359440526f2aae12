package dev.sonde.bpf.elf;

/**
 * A map an object file asks for: a {@link MapSpec} (from {@code .maps} or the legacy {@code maps}
 * section) or a {@link DataSpec} (a global-data section, which is loaded as a one-entry ARRAY as
 * libbpf does). {@link BpfObjectFile#maps()} lists them; a {@link Ref}'s map index is a position
 * in that list.
 */
public sealed interface MapDefinition permits MapSpec, DataSpec {
    /** The name the map is known by: the C variable, or the section name for global data. */
    String name();

    /** Linux {@code enum bpf_map_type} number (e.g. 1 HASH, 2 ARRAY, 27 RINGBUF). */
    int type();

    int keySize();

    int valueSize();

    int maxEntries();

    /** {@code BPF_F_*} map flags. */
    int flags();
}
