package dev.sonde.probe.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import dev.sonde.probe.symbol.SymbolLayout;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class ObjectTableTest {
    @Test
    void handlesRoundTripAndNullIsZero() {
        ObjectTable t = new ObjectTable(1, 4);
        String s = "héllo";
        int[] a = {1, 2};
        long hs = t.handleOf(s);
        long ha = t.handleOf(a);
        assertEquals(0, t.handleOf(null));
        assertNotEquals(0, hs);
        assertNotEquals(hs, ha);
        assertSame(s, t.resolve(hs));
        assertSame(a, t.resolve(ha));
        assertSame(s, t.resolve(hs + 3), "handle + k still names the object; k is the view offset");
        assertEquals(3, HandleLayout.offset(hs + 3));
        assertNull(t.resolve(0));
        assertEquals(2, t.size());
    }

    @Test
    void handlesAreInTheObjectViewRangeAndNeverLoadable() {
        ObjectTable t = new ObjectTable(0, 1);
        long h = t.handleOf("x");
        int region = Addr.region(h);
        assertTrue(region >= HandleLayout.FIRST_REGION_ID && region <= HandleLayout.LAST_REGION_ID);
        assertTrue(region < SymbolLayout.FIRST_REGION_ID, "object views and symbols do not overlap");
        assertTrue(HandleLayout.isHandle(h));
        assertTrue(!SymbolLayout.isSymbol(h));
        // A Cpu whose global table holds many regions still finds no region at a handle.
        RegionTable table = new RegionTable();
        Cpu cpu = new Cpu(0, table);
        assertNull(cpu.regionOf(h));
        assertNull(cpu.regionOf(h + 1));
        assertThrows(RuntimeException.class, () -> cpu.load8(h));
        assertEquals(FaultKind.NO_REGION, cpu.faultKind());
    }

    @Test
    void staleHandlesResolveToNothingAndClearDropsReferences() throws Exception {
        ObjectTable t = new ObjectTable(2, 3);
        long h = t.handleOf("first hit");
        t.clear();
        assertNull(t.resolve(h), "after the hit ended");
        long h2 = t.handleOf("second hit");
        assertEquals(HandleLayout.index(h), HandleLayout.index(h2), "same index, new tag");
        assertNull(t.resolve(h), "a kept handle does not name the next hit's object");
        assertEquals("second hit", t.resolve(h2));
        t.clear();
        Field f = ObjectTable.class.getDeclaredField("refs");
        f.setAccessible(true);
        for (Object o : (Object[]) f.get(t)) {
            assertNull(o, "no reference survives the hit");
        }
    }

    @Test
    void tagsOfDifferentSlotsNeverMeetAndWrapWithinTheirResidue() {
        int slots = 3;
        ObjectTable s0 = new ObjectTable(0, slots);
        ObjectTable s1 = new ObjectTable(1, slots);
        long h1 = s1.handleOf("slot 1");
        assertNull(s0.resolve(h1), "a handle of another slot's hit");
        s0.handleOf("slot 0");
        assertNull(s0.resolve(h1));
        // 2^22 = 4194304 = 3 * 1398101 + 1: slot 1 uses tags 1, 4, ..., 4194301, then 1 again.
        int hits = 0;
        do {
            assertEquals(1, s1.tag() % slots);
            assertTrue(s1.tag() < HandleLayout.HIT_TAG_LIMIT);
            s1.clear();
            hits++;
        } while (s1.tag() != 1);
        assertEquals(1398101, hits, "every tag of the slot's residue is used once before the wrap");
    }

    @Test
    void aFullTableGivesNull() {
        ObjectTable t = new ObjectTable(0, 1);
        for (int i = 0; i < ObjectTable.CAPACITY; i++) {
            assertNotEquals(0, t.handleOf(i));
        }
        assertEquals(0, t.handleOf("one too many"));
    }
}
