package dev.sonde.bpf.map;

/**
 * A map definition as the loader reads it from {@code .maps} (or a global-data section): the
 * Linux type id, the full name, sizes, max_entries and map_flags. Immutable; {@code with…} returns
 * a changed copy.
 */
public record MapSpec(int type, String name, int keySize, int valueSize, int maxEntries, int flags) {

    public MapSpec {
        if (name == null) {
            throw new IllegalArgumentException("map name is null");
        }
    }

    public static MapSpec of(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type.id, name, keySize, valueSize, maxEntries, 0);
    }

    public MapSpec withFlags(int f) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, f);
    }

    public MapSpec withMaxEntries(int m) {
        return new MapSpec(type, name, keySize, valueSize, m, flags);
    }

    public MapSpec withName(String n) {
        return new MapSpec(type, n, keySize, valueSize, maxEntries, flags);
    }
}
