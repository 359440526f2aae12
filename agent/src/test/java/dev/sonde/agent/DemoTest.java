package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/sonde demo}: the Bookshop with the bundled probe, its histogram printed as BCC prints one. */
@Timeout(120)
class DemoTest {
    @Test
    void theDemoPrintsALatencyHistogramAndTheCallsPerShelf(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + System.getProperty("java.home"), "bash",
            Path.of("..", "bin", "sonde").toAbsolutePath().normalize().toString(), "demo", "--seconds", "1", "--threads", "2"));
        Launch.Result r = Launch.run(cmd, dir);
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> out = r.out().lines().toList();
        assertTrue(out.contains("     usecs               : count     distribution"), r.out());
        long rows = out.stream().filter(l -> l.matches(" +\\d+ -> \\d+ +: \\d+ +\\|\\**\\s*\\|")).count();
        assertTrue(rows >= 3, r.out());
        assertTrue(out.stream().anyMatch(l -> l.matches(" +\\d+ -> \\d+ +: \\d+ +\\|\\*{40}\\|")), "the largest bucket has 40 stars: " + r.out());
        assertTrue(out.contains("Calls by shelf (the argument of lookup):"), r.out());
        assertEquals(8, out.stream().filter(l -> l.matches(" +[0-7] +\\d+")).count(), r.out());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("sonde demo:")), r.err());
    }
}
