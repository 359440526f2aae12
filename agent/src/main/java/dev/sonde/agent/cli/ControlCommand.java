package dev.sonde.agent.cli;

import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlProtocol;
import dev.sonde.agent.control.ControlServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands that talk to a JVM's control socket, over {@link ControlClient} (protocol version 2):
 *
 * <pre>
 *   sonde prog list  &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde map list   &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde map dump   &lt;pid&gt;|--socket &lt;path&gt; [&lt;map-name&gt;]     (the JSON dump of DESIGN.md §4)
 *   sonde link list  &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde link detach &lt;pid&gt;|--socket &lt;path&gt; &lt;link-id&gt;
 *   sonde trace-pipe &lt;pid&gt;|--socket &lt;path&gt;      (until interrupted, or the JVM exits)
 * </pre>
 */
final class ControlCommand {
    private ControlCommand() {
    }

    static int run(List<String> words, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        String cmd = words.get(0).equals("trace-pipe") ? "trace-pipe" : words.get(0) + " " + (words.size() > 1 ? words.get(1) : "");
        List<String> rest = new ArrayList<>(words.subList(cmd.equals("trace-pipe") ? 1 : Math.min(2, words.size()), words.size()));
        rest.remove("--json");
        Path socket;
        int s = rest.indexOf("--socket");
        if (s >= 0) {
            if (s + 1 >= rest.size()) {
                throw new SondeCli.UsageException("--socket needs a path");
            }
            socket = Path.of(rest.get(s + 1));
            rest.remove(s + 1);
            rest.remove(s);
        } else if (!rest.isEmpty() && rest.get(0).matches("\\d+")) {
            socket = ControlServer.defaultPath(Long.parseLong(rest.remove(0)));
        } else {
            throw new SondeCli.UsageException(cmd.trim() + " needs a pid or --socket <path>");
        }
        try (ControlClient c = ControlClient.connect(socket)) {
            switch (cmd) {
                case "prog list" -> {
                    for (ControlClient.Entry e : c.list(ControlProtocol.KIND_PROG)) {
                        ControlClient.ProgEntry p = (ControlClient.ProgEntry) e;
                        out.printf("%d  %s  %s  run_cnt %d  run_time_ns %d  nmissed %d  faults %d%n", p.id(), p.name(), p.section(),
                            p.stats().runCount(), p.stats().runTimeNs(), p.stats().nmissed(), p.stats().faults());
                    }
                }
                case "map list" -> {
                    for (ControlClient.Entry e : c.list(ControlProtocol.KIND_MAP)) {
                        ControlClient.MapEntry m = (ControlClient.MapEntry) e;
                        out.printf("%d  %s  type %d  key %dB  value %dB  max_entries %d%n", m.id(), m.name(), m.type(), m.keySize(),
                            m.valueSize(), m.maxEntries());
                    }
                }
                case "map dump" -> out.print(c.dumpJson(rest.isEmpty() ? "" : rest.get(0)));
                case "link list" -> {
                    for (ControlClient.Entry e : c.list(ControlProtocol.KIND_LINK)) {
                        ControlClient.LinkEntry l = (ControlClient.LinkEntry) e;
                        out.printf("%d  prog %d  %s  methods %d  run_cnt %d%n", l.id(), l.progId(), l.target(), l.methods(),
                            l.stats().runCount());
                    }
                }
                case "link detach" -> {
                    if (rest.size() != 1 || !rest.get(0).matches("\\d{1,9}")) {
                        throw new SondeCli.UsageException("link detach needs one link id (see: sonde link list)");
                    }
                    int h = c.getById(ControlProtocol.KIND_LINK, Integer.parseInt(rest.get(0)));
                    c.detach(h);
                    out.println("detached link " + rest.get(0));
                }
                case "trace-pipe" -> {
                    while (true) {
                        for (String l : c.traceRead(0, 1000)) {
                            out.println(l);
                        }
                        out.flush();
                    }
                }
                default -> throw new SondeCli.UsageException("unknown command '" + cmd.trim() + "'");
            }
            return 0;
        } catch (IOException e) {
            throw new SondeCli.Failure("control socket " + socket + ": " + e.getMessage(), e);
        }
    }
}
