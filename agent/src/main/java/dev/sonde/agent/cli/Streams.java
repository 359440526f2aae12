package dev.sonde.agent.cli;

import dev.sonde.agent.Json;
import dev.sonde.agent.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The two streaming commands, each a loop of one pulling request (TRACE_READ, RINGBUF_POLL) that
 * waits up to a second: they end when the JVM closes the socket (exit 0), after {@code --count}
 * records, or when interrupted. Output is flushed after every batch; with {@code --json} every
 * line or record is one JSON document on its own line.
 */
final class Streams {
    private static final int WAIT_MS = 1000;

    private Streams() {
    }

    static void tracePipe(ControlClient c, PrintStream out, boolean json) throws IOException {
        while (true) {
            List<String> lines;
            try {
                lines = c.traceRead(0, WAIT_MS);
            } catch (IOException e) {
                if (e instanceof dev.sonde.agent.control.ControlException) {
                    throw e;
                }
                return;   // the JVM went away: the pipe ends
            }
            for (String l : lines) {
                out.println(json ? "{\"line\":" + Json.quote(l) + "}" : l);
            }
            out.flush();
            if (out.checkError()) {
                return;   // the reader of our output went away
            }
        }
    }

    /**
     * {@code words} after the map: {@code [--format <struct>] [--count <n>]}. Records print in hex
     * (one line each), or by the format's fields; a record the format does not fit prints as hex
     * with the reason.
     */
    static void ringbuf(ControlClient c, MapCommands.Target m, List<String> words, PrintStream out, boolean json)
            throws IOException, SondeCli.UsageException {
        RecordFormat format = null;
        long count = Long.MAX_VALUE;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if ((w.equals("--format") || w.equals("--count")) && i + 1 >= words.size()) {
                throw new SondeCli.UsageException(w + " needs a value");
            }
            switch (w) {
                case "--format" -> format = RecordFormat.parse(words.get(++i));
                case "--count" -> {
                    String n = words.get(++i);
                    if (!n.matches("\\d{1,12}") || Long.parseLong(n) == 0) {
                        throw new SondeCli.UsageException("--count takes a positive number of records, not '" + n + "'");
                    }
                    count = Long.parseLong(n);
                }
                default -> throw new SondeCli.UsageException("ringbuf: unexpected argument '" + w + "'");
            }
        }
        long seen = 0;
        long dropped = -1;
        while (seen < count) {
            ControlClient.RingRecords r;
            try {
                r = c.ringbufPoll(m.handle(), (int) Math.min(count - seen, 4096), WAIT_MS);
            } catch (IOException e) {
                if (e instanceof dev.sonde.agent.control.ControlException) {
                    throw e;
                }
                return;
            }
            for (byte[] rec : r.records()) {
                out.println(line(rec, format, json));
                seen++;
            }
            if (r.dropped() != dropped && dropped >= 0 && !json) {
                System.err.println("sonde ringbuf: " + (r.dropped() - dropped) + " records dropped (the ring was full)");
            }
            dropped = r.dropped();
            out.flush();
            if (out.checkError()) {
                return;
            }
        }
    }

    private static String line(byte[] rec, RecordFormat format, boolean json) {
        if (format != null) {
            try {
                return json ? format.json(rec) : format.text(rec);
            } catch (IllegalArgumentException e) {
                return json ? "{\"hex\":\"" + Bytes.hex(rec) + "\",\"error\":" + Json.quote(e.getMessage()) + "}"
                    : Bytes.hex(rec) + "  (" + e.getMessage() + ")";
            }
        }
        return json ? "{\"size\":" + rec.length + ",\"hex\":\"" + Bytes.hex(rec) + "\"}" : Bytes.hex(rec);
    }
}
