package dev.sonde.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The agent's own messages: one line each, {@code sonde: …}, on standard error (DESIGN.md §4:
 * the agent never writes to standard output), and appended to the report file when the CLI asked
 * for one. Never throws: a message that cannot be written is lost, the application goes on.
 */
final class AgentLog {
    private final Path report;

    AgentLog(Path report) {
        this.report = report;
    }

    void info(String message) {
        String line = "sonde: " + message;
        PrintStream err = System.err;
        err.println(line);
        err.flush();
        if (report != null) {
            try {
                Files.writeString(report, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                err.println("sonde: cannot write the report " + report + ": " + e);
            }
        }
    }
}
