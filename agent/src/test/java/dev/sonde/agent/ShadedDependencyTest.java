package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.cli.Dump;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent jar brings its Byte Buddy and JCTools relocated under {@code dev.sonde.shaded}: an
 * application that ships another Byte Buddy (1.14, older than Sonde's) uses its own, and Sonde's
 * probes work beside it.
 */
@Timeout(120)
class ShadedDependencyTest {
    static final Path APP_BYTE_BUDDY = Path.of("target", "clash", "byte-buddy-app.jar").toAbsolutePath();

    @Test
    void theJarHoldsNoUnrelocatedThirdPartyClass() throws Exception {
        try (JarFile jar = new JarFile(Launch.JAR.toFile())) {
            List<String> leaked = jar.stream().map(e -> e.getName())
                .filter(n -> n.contains("net/bytebuddy/") || n.contains("org/jctools/")).toList();
            assertEquals(List.of(), leaked);
            assertTrue(jar.getEntry("dev/sonde/shaded/bytebuddy/jar/asm/ClassWriter.class") != null);
            assertTrue(jar.getEntry("dev/sonde/trampoline/boot/Hooks.class") != null, "the boot classes keep their names");
            assertEquals("dev.sonde.agent.SondeAgent", jar.getManifest().getMainAttributes().getValue("Premain-Class"));
            assertEquals("true", jar.getManifest().getMainAttributes().getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void anApplicationWithItsOwnByteBuddyRunsBesideTheAgent(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("dump.json");
        Launch.Result r = Launch.run(Launch.java(Launch.agent("probes=" + Launch.probe("clash.bpf.o") + ",dump=" + dump),
            "-cp", Launch.TEST_CLASSES + ":" + APP_BYTE_BUDDY, "clash.ClashApp", "500"), dir);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("made clash.Made with Byte Buddy from ") && r.out().contains("byte-buddy-app.jar"), r.out());
        assertTrue(r.out().contains("sum 125250"), r.out());
        Dump d = Dump.read(dump);
        assertEquals(500L, d.program("on_work").orElseThrow().get("run_cnt"));
        assertEquals("f401000000000000", Dump.entries(d.map(".bss").orElseThrow()).get(0).get("value"));
    }
}
