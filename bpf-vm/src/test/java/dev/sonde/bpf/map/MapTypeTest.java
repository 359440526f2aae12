package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MapTypeTest {

    @Test
    void theTableHasLinuxIdsAndBpftoolNames() {
        String[][] expected = {
            {"1", "hash"}, {"2", "array"}, {"3", "prog_array"}, {"4", "perf_event_array"}, {"5", "percpu_hash"},
            {"6", "percpu_array"}, {"7", "stack_trace"}, {"9", "lru_hash"}, {"10", "lru_percpu_hash"}, {"27", "ringbuf"}};
        assertEquals(expected.length, MapType.values().length);
        for (String[] row : expected) {
            MapType t = MapType.byId(Integer.parseInt(row[0]));
            assertEquals(row[1], t.bpftoolName);
            assertSame(t, MapType.byName(row[1]));
        }
        assertNull(MapType.byId(11));
    }

    @Test
    void everyTypeIsBuiltFromTheTableAndCloses() {
        try (MapFixture fx = new MapFixture(2)) {
            for (MapType t : MapType.values()) {
                MapSpec spec = switch (t) {
                    case RINGBUF -> new MapSpec(t.id, "m", 0, 0, 4096, 0);
                    case PERF_EVENT_ARRAY, PROG_ARRAY -> MapSpec.of(t, "m", 4, 4, 2);
                    default -> MapSpec.of(t, "m", 4, 8, 2);
                };
                BpfMap m = MapType.create(spec, fx.slots);
                assertSame(t, m.type());
                assertEquals(t.getClass(), m.type().getClass());
                m.close();
                m.close();
                assertEquals(true, m.isClosed());
            }
            MapException e = assertThrows(MapException.class, () -> MapType.create(new MapSpec(11, "trie", 8, 8, 4, 0), fx.slots));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }
}
