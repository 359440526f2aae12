package dev.sonde.bpf.elf;

/**
 * What the loader resolved one {@code lddw} of a linked program to. The linked instruction bytes
 * already say the same thing in Linux's encoding (src = pseudo source, imm = map index, next_imm =
 * value offset, or imm = pc-relative code offset); this record is the same fact for code that
 * would rather not decode it.
 *
 * @param slot      the {@code lddw}'s first slot in the linked array
 * @param kind      MAP, MAP_VALUE or FUNC
 * @param mapIndex  index into {@link BpfObjectFile#maps()} (MAP, MAP_VALUE); -1 for FUNC
 * @param offset    byte offset into the map's value (MAP_VALUE); 0 otherwise
 * @param target    the code slot in the linked array (FUNC); -1 otherwise
 */
public record Ref(int slot, Kind kind, int mapIndex, int offset, int target) {

    public enum Kind {
        /** {@code lddw src=1} (BPF_PSEUDO_MAP_FD): the map itself, e.g. for {@code bpf_map_lookup_elem}. */
        MAP(1),
        /** {@code lddw src=2} (BPF_PSEUDO_MAP_VALUE): address of the first value + offset (global data). */
        MAP_VALUE(2),
        /** {@code lddw src=4} (BPF_PSEUDO_FUNC): a code address (bpf_loop callbacks). */
        FUNC(4);

        /** The lddw src field Linux uses for it. */
        public final int pseudoSource;

        Kind(int pseudoSource) {
            this.pseudoSource = pseudoSource;
        }
    }

    static Ref map(int slot, int mapIndex) {
        return new Ref(slot, Kind.MAP, mapIndex, 0, -1);
    }

    static Ref mapValue(int slot, int mapIndex, int offset) {
        return new Ref(slot, Kind.MAP_VALUE, mapIndex, offset, -1);
    }

    static Ref func(int slot, int target) {
        return new Ref(slot, Kind.FUNC, -1, 0, target);
    }
}
