package dev.sonde.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools at start-up: {@code sonde <tool> … --exec <java args>} starts {@code Boot}, which makes
 * its calls first thing in {@code main} and exits with status 3. The counts are exact only if the
 * tool attached before {@code main} (the agent's hold) and read after the last call (the exit
 * waits for the tool); the application's output and exit status come through.
 */
@Timeout(180)
class ToolsAtStartupTest {
    static final String SOURCE = """
        package bootapp;

        public final class Boot {
            static volatile long sink;

            static void step(int i) {
                sink += i;
            }

            static long slow(int i) {
                return i * 2L;
            }

            public static void main(String[] args) {
                int n = Integer.parseInt(args[0]);
                for (int i = 0; i < n; i++) {
                    step(i);
                    if (i % 4 == 0) {
                        sink += slow(i);
                    }
                }
                System.out.println("boot: " + n + " steps");
                System.exit(3);
            }
        }
        """;

    @TempDir
    static Path dir;
    private static Path classes;

    @BeforeAll
    static void compile() throws Exception {
        Path src = dir.resolve("bootapp").resolve("Boot.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        classes = dir.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "--release", "17", "-d", classes.toString(), src.toString()), "Boot compiles");
    }

    /** The tool's arguments, then --exec and Boot's command line. */
    private static ToolProcess run(String... toolArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of(toolArgs));
        args.add("--exec");
        if (Runtime.version().feature() >= 24) {
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        args.addAll(List.of("-XX:+UseSerialGC", "-cp", classes.toString(), "bootapp.Boot", "1000"));
        return ToolProcess.start(dir, args.toArray(String[]::new)).awaitExit();
    }

    /** The JSON lines of the tool's standard output (the application's own lines are there too). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> finalReport(ToolProcess t) throws Exception {
        List<String> json = t.stdout().lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(!json.isEmpty(), "a JSON report; stderr:\n" + t.stderr());
        Map<String, Object> m = (Map<String, Object>) Json.parse(json.get(json.size() - 1));
        assertEquals(Boolean.TRUE, m.get("final"), m.toString());
        return m;
    }

    @Test
    void funccountSeesEveryCallFromTheFirstLineOfMain() throws Exception {
        try (ToolProcess t = run("funccount", "bootapp.Boot::*", "--json")) {
            assertEquals(0, t.process.exitValue(), t.stderr());
            assertTrue(t.stdout().contains("boot: 1000 steps\n"), "the application's output comes through: " + t.stdout());
            Map<String, Object> r = finalReport(t);
            Map<String, Long> calls = new HashMap<>();
            for (Object o : (List<?>) r.get("calls")) {
                Map<?, ?> c = (Map<?, ?>) o;
                calls.put((String) c.get("method"), (Long) c.get("count"));
            }
            assertEquals(Map.of("bootapp.Boot.step(I)V", 1000L, "bootapp.Boot.slow(I)J", 250L,
                "bootapp.Boot.main([Ljava/lang/String;)V", 1L), calls);
            assertEquals(1251L, r.get("total"));
            assertEquals(3L, r.get("exit_status"));
            assertEquals(t.stderr().contains("sonde: hold released by a client"), true, t.stderr());
        }
    }

    @Test
    void funclatencyTimesEveryCallAndPrintsTheExitStatus() throws Exception {
        try (ToolProcess t = run("funclatency", "bootapp.Boot::slow")) {
            assertEquals(0, t.process.exitValue(), t.stderr());
            String out = t.stdout();
            assertTrue(out.contains("boot: 1000 steps\n"), out);
            assertTrue(out.contains("count: 250"), out);
            assertTrue(out.matches("(?s).*JVM \\d+ exited with status 3\\R.*"), out);
        }
    }

    @Test
    void argdistAtStartUpNeedsAPositionAndAType() throws Exception {
        try (ToolProcess t = run("argdist", "bootapp.Boot::step", "i")) {
            assertEquals(2, t.process.exitValue(), t.stderr());
            assertTrue(t.stderr().contains("give the position and type, e.g. 1:int"), t.stderr());
        }
        try (ToolProcess t = run("argdist", "bootapp.Boot::slow", "1:int", "--json")) {
            assertEquals(0, t.process.exitValue(), t.stderr());
            Map<String, Object> r = finalReport(t);
            assertEquals(250L, r.get("total"));
            assertEquals(3L, r.get("exit_status"));
        }
    }
}
