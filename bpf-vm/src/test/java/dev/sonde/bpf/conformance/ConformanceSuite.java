package dev.sonde.bpf.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The bpf_conformance test files, copied into the test resources under {@code conformance/tests/}. */
public final class ConformanceSuite {
    /** The number of files in the copied suite (conformance/README.md). */
    public static final int SIZE = 313;

    private static final String DIR = "conformance/tests/";

    private ConformanceSuite() {
    }

    /** The file names, sorted, e.g. {@code add.data}. */
    public static List<String> names() {
        URL url = ConformanceSuite.class.getClassLoader().getResource(DIR);
        if (url == null || !url.getProtocol().equals("file")) {
            throw new IllegalStateException("conformance tests not found as a directory on the class path: " + url);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".data")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(String name) {
        try (InputStream in = ConformanceSuite.class.getClassLoader().getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no conformance test " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DataFile load(String name) {
        return DataFile.parse(name, text(name));
    }
}
