package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.cli.Dump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the agent: each problem is one {@code sonde:} line on standard error naming it;
 * the application starts, runs and exits 0 as without the agent, and good objects still attach.
 */
@Timeout(120)
class BadInputTest {
    @Test
    void aBadOptionIsReportedAndTheApplicationRunsUnprobed(@TempDir Path dir) throws Exception {
        Launch.Result r = Launch.run(Launch.java(Launch.agent("probes=" + Launch.DEMO_PROBE + ",colour=blue"),
            "-cp", Launch.JAR.toString(), "dev.sonde.demo.Bookshop", "--threads", "2", "--calls", "50"), dir);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("bookshop: 100 lookups by 2 clerks"), r.out());
        List<String> sonde = r.errLines("sonde:");
        assertEquals(1, sonde.size(), r.err());
        assertTrue(sonde.get(0).contains("unknown option 'colour'") && sonde.get(0).contains("no probes attached"), sonde.get(0));
    }

    @Test
    void eachBrokenObjectIsNamedAndTheGoodOnesAttach(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.bpf.o"), "this is not an ELF file\n");
        Path missing = dir.resolve("missing.bpf.o");
        Path dump = dir.resolve("dump.json");
        String probes = String.join(":", Launch.DEMO_PROBE.toString(), missing.toString(), garbage.toString(),
            Launch.probe("unsafe.bpf.o").toString(), Launch.probe("nomethod.bpf.o").toString(),
            Launch.probe("nomatch.bpf.o").toString());
        Launch.Result r = Launch.run(Launch.java(Launch.agent("probes=" + probes + ",dump=" + dump),
            "-cp", Launch.JAR.toString(), "dev.sonde.demo.Bookshop", "--threads", "2", "--calls", "80"), dir);

        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out().replaceFirst("bookshop: 160 lookups by 2 clerks in [0-9.]+ s\\R", ""), "stdout is the application's alone");
        assertOne(r, "probe object " + missing + ": no such file");
        assertOne(r, "probe object " + garbage + " does not load:");
        assertOne(r, "probe object " + Launch.probe("unsafe.bpf.o") + " does not load:");
        assertOne(r, "probe object " + Launch.probe("nomethod.bpf.o") + " is not attached:");
        assertTrue(line(r, "is not attached").contains("no_such_method") && line(r, "is not attached").contains("noSuchMethod"),
            line(r, "is not attached"));
        assertTrue(line(r, "unsafe.bpf.o does not load").contains("past_the_end"), "the verifier names the program: " + line(r, "unsafe"));
        assertOne(r, "ready: 2 of 6 probe objects attached");
        assertOne(r, "nomatch.bpf.o: program never_runs: kprobe/dev.sonde.demo.NoSuchClass::nothing matched no method");

        Dump d = Dump.read(dump);
        assertEquals(160L, d.program("lookup_entry").orElseThrow().get("run_cnt"), "the good object counted every call");
        assertEquals(0L, d.program("never_runs").orElseThrow().get("run_cnt"));
    }

    private static void assertOne(Launch.Result r, String text) {
        assertEquals(1, r.errLines("sonde:").stream().filter(l -> l.contains(text)).count(), "one line with '" + text + "' in\n" + r.err());
    }

    private static String line(Launch.Result r, String text) {
        return r.errLines("sonde:").stream().filter(l -> l.contains(text)).findFirst().orElse("(none)");
    }
}
