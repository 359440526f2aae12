package dev.sonde.probe.hit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.HelperTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** probe.h, the C side, agrees with the Java descriptors: JVM helper ids and names, SONDE_PARM's offsets. */
class ProbeHeaderTest {
    private static final Path HEADER = Path.of("../c-lib-bindings/include/sonde/probe.h");

    @Test
    void jvmHelpersHaveTheHeadersIdsAndNames() throws Exception {
        String h = Files.readString(HEADER);
        Matcher m = Pattern.compile("\\(\\* const (sonde_\\w+)\\)\\([^)]*\\) = \\(void \\*\\) (0x[0-9a-f]+);").matcher(h);
        Map<Integer, String> header = new TreeMap<>();
        while (m.find()) {
            header.put(Integer.decode(m.group(2)), m.group(1));
        }
        Map<Integer, String> java = new TreeMap<>();
        for (HelperTable.Entry e : JvmHelpers.jvm().entries()) {
            java.put(e.id(), e.name());
        }
        assertEquals(header, java);
        assertEquals(4, java.size());
    }

    @Test
    void sondeParmReadsTheSnapshotSlotOfStackSnapshot() throws Exception {
        String h = Files.readString(HEADER);
        assertTrue(h.contains("(void *)((ctx)->sp + 8 * ((n) - 6))"), "SONDE_PARM's address expression");
        for (int n = 7; n <= 255; n++) {
            assertEquals(8 * (n - 6), StackSnapshot.offset(n));
        }
        assertEquals(8, StackSnapshot.size(6));
        assertEquals(8 + 8 * 249, StackSnapshot.MAX_SIZE);
    }
}
