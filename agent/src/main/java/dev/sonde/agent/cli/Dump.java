package dev.sonde.agent.cli;

import dev.sonde.agent.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A map dump (DESIGN.md §4) read back: its maps and programs, and little-endian hex decoding. */
public record Dump(List<Map<String, Object>> maps, List<Map<String, Object>> programs) {
    @SuppressWarnings("unchecked")
    public static Dump read(Path file) throws IOException {
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        return new Dump((List<Map<String, Object>>) (Object) root.get("maps"), (List<Map<String, Object>>) (Object) root.get("programs"));
    }

    public Optional<Map<String, Object>> map(String name) {
        return maps.stream().filter(m -> name.equals(m.get("name"))).findFirst();
    }

    public Optional<Map<String, Object>> program(String name) {
        return programs.stream().filter(m -> name.equals(m.get("name"))).findFirst();
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> entries(Map<String, Object> map) {
        return (List<Map<String, Object>>) (Object) map.get("entries");
    }

    /** The little-endian unsigned value of up to 8 bytes of hex (wrapping above 2^63, as u64 does in Java). */
    public static long le(String hex) {
        long v = 0;
        for (int i = Math.min(hex.length(), 16) - 2; i >= 0; i -= 2) {
            v = (v << 8) | Integer.parseInt(hex.substring(i, i + 2), 16);
        }
        return v;
    }

    /** An ARRAY map of u64 values as a Java array, by index. */
    public static long[] u64Array(Map<String, Object> map) {
        long[] out = new long[((Number) map.get("max_entries")).intValue()];
        for (Map<String, Object> e : entries(map)) {
            out[(int) le((String) e.get("key"))] = le((String) e.get("value"));
        }
        return out;
    }
}
