package dev.sonde.trampoline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts the package {@code dev.sonde.trampoline.boot} on the bootstrap class path.
 *
 * <p>Which classes and why: a trampoline inside a {@code java.*} class can only link to classes
 * its defining loader (the bootstrap loader) sees. So the classes that trampoline bytecode names
 * go there: {@code Hooks} (the static entry points and the invokedynamic bootstrap method),
 * {@code ThreadState} (the per-thread flag and argument arrays the bytecode writes) and
 * {@code StateLocal} (the ThreadLocal holding it). They import only the JDK. Everything else (slots,
 * images, handlers) stays in the application loader and is reached through method handles.
 *
 * <p>This must happen before anything loads those classes through the application loader (which
 * would then define a second, unrelated copy); {@link #install} checks it and fails loudly.
 */
final class BootJar {
    static final String PACKAGE = "dev/sonde/trampoline/boot/";
    static final List<String> CLASSES = List.of("Hooks", "ThreadState", "StateLocal");

    private BootJar() {}

    static void install(Instrumentation inst) {
        ClassLoader own = BootJar.class.getClassLoader();
        if (!onBootPath()) {
            try {
                Path jar = Files.createTempFile("sonde-trampoline-boot", ".jar");
                jar.toFile().deleteOnExit();
                try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out)) {
                    for (String c : CLASSES) {
                        String entry = PACKAGE + c + ".class";
                        try (InputStream in = own.getResourceAsStream(entry)) {
                            if (in == null) {
                                throw new IllegalStateException("boot class " + entry + " not found beside " + BootJar.class);
                            }
                            jos.putNextEntry(new JarEntry(entry));
                            in.transferTo(jos);
                            jos.closeEntry();
                        }
                    }
                }
                inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the trampoline boot jar", e);
            }
        }
        for (String c : CLASSES) {
            String name = (PACKAGE + c).replace('/', '.');
            try {
                Class<?> seen = Class.forName(name, false, own);
                if (seen.getClassLoader() != null) {
                    throw new IllegalStateException(name + " was loaded by " + seen.getClassLoader()
                            + " before Trampolines.install appended it to the bootstrap class path; install first");
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("boot class " + name + " not found after install", e);
            }
        }
    }

    private static boolean onBootPath() {
        try {
            Class.forName((PACKAGE + "Hooks").replace('/', '.'), false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
