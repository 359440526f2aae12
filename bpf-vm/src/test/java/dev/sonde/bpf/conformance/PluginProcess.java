package dev.sonde.bpf.conformance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/sonde-bpf-plugin} as a separate process, the way the bpf_conformance runner does. */
final class PluginProcess {
    private static final long TIMEOUT_SECONDS = 60;

    private PluginProcess() {
    }

    /** What one run left behind. */
    record Result(int status, String stdout, String stderr) {
    }

    /** The checked-in script, found from the module directory that surefire runs in. */
    static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("bin/sonde-bpf-plugin");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("bin/sonde-bpf-plugin not found above " + Path.of("").toAbsolutePath());
    }

    /** Hex as the runner writes it: each byte as two digits and a space, then a newline. */
    static String runnerHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x ", b & 0xff));
        }
        return sb.toString();
    }

    static Result run(Path script, List<String> args, String stdin) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        Path out = Files.createTempFile("plugin", ".out");
        Path err = Files.createTempFile("plugin", ".err");
        try {
            Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // The plugin may exit without reading stdin (usage errors); its status tells.
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result run(List<String> args, String stdin) throws IOException, InterruptedException {
        return run(script(), args, stdin);
    }
}
