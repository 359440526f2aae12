package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.boot.Hooks;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

/** The boot package is exactly BootJar.CLASSES, is loaded by the bootstrap loader, and names only the JDK. */
class BootPackageTest {
    @Test
    void theBootClassesAreOnTheBootstrapClassPath() {
        Fixture.trampolines();
        assertNull(Hooks.class.getClassLoader());
        assertNull(dev.sonde.trampoline.boot.ThreadState.class.getClassLoader());
    }

    @Test
    void bootJarListsEveryClassOfThePackage() throws Exception {
        URL dir = BootJar.class.getClassLoader().getResource(BootJar.PACKAGE);
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
            s.forEach(p -> files.add(p.getFileName().toString().replace(".class", "")));
        }
        assertEquals(new TreeSet<>(BootJar.CLASSES), files);
    }

    @Test
    void bootClassesNameOnlyJdkTypesAndEachOther() throws Exception {
        List<String> foreign = new ArrayList<>();
        for (String c : BootJar.CLASSES) {
            try (InputStream in = BootJar.class.getClassLoader().getResourceAsStream(BootJar.PACKAGE + c + ".class")) {
                new ClassReader(in.readAllBytes()).accept(new ClassRemapper(new ClassWriter(0), new Remapper() {
                    @Override
                    public String map(String internalName) {
                        if (!internalName.startsWith("java/") && !internalName.startsWith(BootJar.PACKAGE)) {
                            foreign.add(c + " -> " + internalName);
                        }
                        return internalName;
                    }
                }), 0);
            }
        }
        assertTrue(foreign.isEmpty(), foreign.toString());
    }
}
