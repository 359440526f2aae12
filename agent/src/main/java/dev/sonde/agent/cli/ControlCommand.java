package dev.sonde.agent.cli;

import dev.sonde.agent.control.ControlProtocol;
import dev.sonde.agent.control.ControlServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands that talk to a JVM's control socket ({@link ControlProtocol}):
 *
 * <pre>
 *   sonde prog list  &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde map list   &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde map dump   &lt;pid&gt;|--socket &lt;path&gt; [&lt;map-name&gt;] [--json]
 *   sonde link list  &lt;pid&gt;|--socket &lt;path&gt;
 *   sonde link detach &lt;pid&gt;|--socket &lt;path&gt; &lt;link-id&gt;
 *   sonde trace-pipe &lt;pid&gt;|--socket &lt;path&gt;      (until interrupted, or the JVM exits)
 * </pre>
 */
final class ControlCommand {
    private ControlCommand() {
    }

    /** {@code words}: the command's words after {@code sonde} (e.g. {@code [map, dump, 123, counts]}). */
    static int run(List<String> words, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        String cmd = words.get(0).equals("trace-pipe") ? "trace-pipe" : words.get(0) + " " + (words.size() > 1 ? words.get(1) : "");
        List<String> rest = new ArrayList<>(words.subList(cmd.equals("trace-pipe") ? 1 : Math.min(2, words.size()), words.size()));
        boolean json = rest.remove("--json");
        Path socket = null;
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
        ByteBuffer request = switch (cmd) {
            case "prog list" -> none(rest, ControlProtocol.PROG_LIST);
            case "map list" -> none(rest, ControlProtocol.MAP_LIST);
            case "link list" -> none(rest, ControlProtocol.LINK_LIST);
            case "trace-pipe" -> none(rest, ControlProtocol.TRACE_PIPE);
            case "map dump" -> {
                if (rest.size() > 1) {
                    throw new SondeCli.UsageException("map dump takes at most one map name");
                }
                yield ControlProtocol.mapDump(json, rest.isEmpty() ? "" : rest.get(0));
            }
            case "link detach" -> {
                if (rest.size() != 1 || !rest.get(0).matches("\\d{1,9}")) {
                    throw new SondeCli.UsageException("link detach needs one link id (see: sonde link list)");
                }
                yield ControlProtocol.linkDetach(Integer.parseInt(rest.get(0)));
            }
            default -> throw new SondeCli.UsageException("unknown command '" + cmd.trim() + "'");
        };
        if (!Files.exists(socket)) {
            throw new SondeCli.Failure("no control socket " + socket + " (is the agent loaded, without socket=off?)");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ControlProtocol.write(ch, request);
            ControlProtocol.Frame reply = ControlProtocol.read(ch);
            if (reply == null) {
                throw new SondeCli.Failure("the JVM closed the control socket without a reply");
            }
            if (reply.op() == ControlProtocol.ERROR || reply.status() < 0) {
                throw new SondeCli.Failure(reply.text() + " (status " + reply.status() + ")");
            }
            if (!cmd.equals("trace-pipe")) {
                out.print(reply.text());
                return 0;
            }
            out.flush();
            for (ControlProtocol.Frame f; (f = ControlProtocol.read(ch)) != null; ) {
                if (f.op() == ControlProtocol.TRACE_LINE && f.status() == 0) {
                    out.println(f.text());
                    out.flush();
                }
            }
            return 0;
        } catch (IOException e) {
            throw new SondeCli.Failure("control socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer none(List<String> rest, int op) throws SondeCli.UsageException {
        if (!rest.isEmpty()) {
            throw new SondeCli.UsageException("unexpected arguments " + rest);
        }
        return ControlProtocol.frame(op, new byte[0]);
    }
}
