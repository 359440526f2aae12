package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgArrayTest {
    final MapFixture fx = new MapFixture(2);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void programsAreInstalledAndFoundByIndex() {
        ProgArray jt = fx.create(MapSpec.of(MapType.PROG_ARRAY, "jt", 4, 4, 2));
        Object tail1 = new Object();
        assertNull(jt.get(1));
        assertEquals(0, jt.set(1, tail1));
        assertSame(tail1, jt.get(1));
        assertNull(jt.get(0));
        assertNull(jt.get(2));
        assertNull(jt.get(-1));
        assertNull(jt.get(0xffffffffL));
        assertEquals(-Errno.E2BIG, jt.set(2, tail1));
        assertThrows(MapException.class, () -> jt.update(MapFixture.u32(0), MapFixture.u32(3), 0));
        assertEquals(0, jt.delete(MapFixture.u32(1)));
        assertEquals(-Errno.ENOENT, jt.delete(MapFixture.u32(1)));
        assertNull(jt.get(1));
        assertEquals(1, MapFixture.u32(jt.nextKey(MapFixture.u32(0))));
        assertNull(jt.nextKey(MapFixture.u32(1)));
        jt.set(0, tail1);
        jt.close();
        assertNull(jt.get(0), "a closed prog array has no programs");
        assertEquals(-Errno.EBADF, jt.set(0, tail1));
    }
}
