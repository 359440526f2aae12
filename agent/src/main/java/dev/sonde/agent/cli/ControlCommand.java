package dev.sonde.agent.cli;

import dev.sonde.agent.Json;
import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlClient.Entry;
import dev.sonde.agent.control.ControlClient.LinkEntry;
import dev.sonde.agent.control.ControlClient.MapEntry;
import dev.sonde.agent.control.ControlClient.ObjectEntry;
import dev.sonde.agent.control.ControlClient.ProgEntry;
import dev.sonde.agent.control.ControlClient.Stats;
import dev.sonde.agent.control.ControlException;
import dev.sonde.agent.control.ControlProtocol;
import dev.sonde.agent.control.ControlServer;
import dev.sonde.bpf.map.MapType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commands that talk to a JVM's control socket through {@link ControlClient}. The JVM is a
 * pid (its default socket) or {@code --socket <path>}; {@code --json} prints one JSON document
 * (JSON lines for the streams trace-pipe and ringbuf).
 *
 * <pre>
 *   sonde prog list &lt;pid&gt;                  sonde prog show &lt;pid&gt; &lt;prog-id&gt;
 *   sonde map list &lt;pid&gt;                   sonde map dump &lt;pid&gt; &lt;map&gt;
 *   sonde map lookup &lt;pid&gt; &lt;map&gt; key &lt;k&gt;
 *   sonde map update &lt;pid&gt; &lt;map&gt; key &lt;k&gt; value &lt;v&gt; [any|noexist|exist]
 *   sonde map delete &lt;pid&gt; &lt;map&gt; key &lt;k&gt;
 *   sonde link list &lt;pid&gt;                  sonde link detach &lt;pid&gt; &lt;link-id&gt;
 *   sonde pin &lt;pid&gt; link|map|prog|object &lt;id&gt; &lt;name&gt;      sonde unpin &lt;pid&gt; &lt;name&gt;
 *   sonde trace-pipe &lt;pid&gt;                 (until interrupted or the JVM ends)
 *   sonde ringbuf &lt;pid&gt; &lt;map&gt; [--format "struct {...}"] [--count N]
 *   sonde sym &lt;pid&gt; &lt;address&gt;             sonde methods &lt;pid&gt; &lt;target&gt;
 * </pre>
 *
 * {@code <map>} is a map id or a map name (a name two objects share is ambiguous: use the id).
 * Keys and values: {@link Bytes}.
 */
final class ControlCommand {
    private final List<String> args;
    private final PrintStream out;
    private final boolean json;
    private final Path socket;
    private final String cmd;

    private ControlCommand(String cmd, List<String> args, PrintStream out, boolean json, Path socket) {
        this.cmd = cmd;
        this.args = args;
        this.out = out;
        this.json = json;
        this.socket = socket;
    }

    /** {@code words}: the command's words after {@code sonde}, e.g. {@code [map, dump, 123, counts]}. */
    static int run(List<String> words, PrintStream out, PrintStream err) throws SondeCli.UsageException, SondeCli.Failure {
        String group = words.get(0);
        boolean sub = group.equals("prog") || group.equals("map") || group.equals("link");
        if (sub && words.size() < 2) {
            throw new SondeCli.UsageException(group + " needs a subcommand");
        }
        String cmd = sub ? group + " " + words.get(1) : group;
        List<String> rest = new ArrayList<>(words.subList(sub ? 2 : 1, words.size()));
        boolean json = rest.remove("--json");
        Path socket;
        int s = rest.indexOf("--socket");
        if (s >= 0) {
            if (s + 1 >= rest.size()) {
                throw new SondeCli.UsageException("--socket needs a path");
            }
            socket = Path.of(rest.get(s + 1));
            rest.remove(s + 1);
            rest.remove(s);
        } else if (!rest.isEmpty() && rest.get(0).matches("\\d{1,18}")) {
            socket = ControlServer.findSocket(Long.parseLong(rest.remove(0)));
        } else {
            throw new SondeCli.UsageException(cmd + " needs a pid (see: sonde jvms) or --socket <path>");
        }
        return new ControlCommand(cmd, rest, out, json, socket).run();
    }

    private int run() throws SondeCli.UsageException, SondeCli.Failure {
        checkArgs();
        try (ControlClient c = connect()) {
            switch (cmd) {
                case "prog list" -> progList(c, null);
                case "prog show" -> progList(c, id(args.get(0), "prog id"));
                case "map list" -> mapList(c);
                case "map dump" -> MapCommands.dump(c, map(c, args.get(0)), out, json);
                case "map lookup", "map update", "map delete" -> MapCommands.edit(cmd, c, map(c, args.get(0)),
                    args.subList(1, args.size()), out, json);
                case "link list" -> linkList(c);
                case "link detach" -> detach(c, id(args.get(0), "link id"));
                case "pin" -> pin(c);
                case "unpin" -> unpin(c, args.get(0));
                case "trace-pipe" -> Streams.tracePipe(c, out, json);
                case "ringbuf" -> Streams.ringbuf(c, map(c, args.get(0)), args.subList(1, args.size()), out, json);
                case "sym" -> sym(c, args.get(0));
                case "methods" -> methods(c, args.get(0));
                default -> throw new IllegalStateException(cmd);
            }
            out.flush();
            return 0;
        } catch (ControlException e) {
            throw new SondeCli.Failure(e.getMessage() + " (errno " + e.errno() + ")", e);
        } catch (IOException e) {
            throw new SondeCli.Failure("control socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private void checkArgs() throws SondeCli.UsageException {
        int[] counts = switch (cmd) {
            case "prog list", "map list", "link list", "trace-pipe" -> new int[] {0, 0};
            case "prog show", "link detach", "unpin", "sym", "methods", "map dump" -> new int[] {1, 1};
            case "map lookup", "map update", "map delete" -> new int[] {3, Integer.MAX_VALUE};
            case "ringbuf" -> new int[] {1, Integer.MAX_VALUE};
            case "pin" -> new int[] {3, 3};
            default -> throw new SondeCli.UsageException("unknown command '" + cmd + "'");
        };
        if (args.size() < counts[0] || args.size() > counts[1]) {
            throw new SondeCli.UsageException(cmd + (args.size() < counts[0] ? ": arguments missing" : ": unexpected arguments " + args));
        }
    }

    private ControlClient connect() throws SondeCli.Failure {
        try {
            return ControlClient.connect(socket);
        } catch (IOException e) {
            throw new SondeCli.Failure(e.getMessage(), e);
        }
    }

    static int id(String s, String what) throws SondeCli.UsageException {
        if (!s.matches("\\d{1,10}") || Long.parseLong(s) > 0xffffffffL || Long.parseLong(s) == 0) {
            throw new SondeCli.UsageException("'" + s + "' is not a " + what + " (a number from 1)");
        }
        return (int) Long.parseLong(s);
    }

    /** A handle on the map with this id or name. */
    static MapEntry mapEntry(ControlClient c, String idOrName) throws IOException, SondeCli.Failure {
        List<MapEntry> found = new ArrayList<>();
        for (Entry e : c.list(ControlProtocol.KIND_MAP)) {
            MapEntry m = (MapEntry) e;
            if (idOrName.matches("\\d+") ? Integer.toUnsignedString(m.id()).equals(idOrName) : m.name().equals(idOrName)) {
                found.add(m);
            }
        }
        if (found.isEmpty()) {
            throw new SondeCli.Failure("no map " + (idOrName.matches("\\d+") ? "with id " : "named ") + idOrName + " (see: sonde map list)");
        }
        if (found.size() > 1) {
            List<String> ids = found.stream().map(m -> String.valueOf(m.id())).toList();
            throw new SondeCli.Failure("map name " + idOrName + " is ambiguous: maps " + String.join(", ", ids) + " have it; give the id");
        }
        return found.get(0);
    }

    private static MapCommands.Target map(ControlClient c, String idOrName) throws IOException, SondeCli.Failure {
        MapEntry m = mapEntry(c, idOrName);
        return new MapCommands.Target(c.getById(ControlProtocol.KIND_MAP, m.id()), m);
    }

    private static Map<Integer, String> objectNames(ControlClient c) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (Entry e : c.list(ControlProtocol.KIND_OBJECT)) {
            names.put(e.id(), ((ObjectEntry) e).name());
        }
        return names;
    }

    static String typeName(int type) {
        try {
            return MapType.byId(type).bpftoolName;
        } catch (RuntimeException e) {
            return "type " + type;
        }
    }

    static String progType(int type) {
        return switch (type) {
            case ControlProtocol.PROG_TYPE_KPROBE -> "kprobe";
            case ControlProtocol.PROG_TYPE_KRETPROBE -> "kretprobe";
            case ControlProtocol.PROG_TYPE_TIMER -> "timer";
            default -> "other";
        };
    }

    private static String statsJson(Stats s) {
        return "\"run_cnt\":" + s.runCount() + ",\"run_time_ns\":" + s.runTimeNs() + ",\"nmissed\":" + s.nmissed()
            + ",\"faults\":" + s.faults();
    }

    private static String statsText(Stats s) {
        return "run_cnt " + s.runCount() + "  run_time_ns " + s.runTimeNs() + "  nmissed " + s.nmissed() + "  faults " + s.faults();
    }

    private void progList(ControlClient c, Integer only) throws IOException, SondeCli.Failure {
        Map<Integer, String> objects = objectNames(c);
        List<String> docs = new ArrayList<>();
        boolean found = false;
        for (Entry e : c.list(ControlProtocol.KIND_PROG)) {
            ProgEntry p = (ProgEntry) e;
            if (only != null && p.id() != only) {
                continue;
            }
            found = true;
            String obj = objects.getOrDefault(p.objId(), "?");
            if (json) {
                docs.add("{\"id\":" + p.id() + ",\"obj_id\":" + p.objId() + ",\"object\":" + Json.quote(obj) + ",\"name\":"
                    + Json.quote(p.name()) + ",\"section\":" + Json.quote(p.section()) + ",\"type\":" + Json.quote(progType(p.type()))
                    + ",\"insns\":" + p.insns() + "," + statsJson(p.stats()) + "}");
            } else {
                out.printf("%d: %s  name %s  object %s (%d)  section %s  insns %d%n\t%s%n", p.id(), progType(p.type()), p.name(),
                    obj, p.objId(), p.section(), p.insns(), statsText(p.stats()));
            }
        }
        if (only != null && !found) {
            throw new SondeCli.Failure("no program with id " + only + " (see: sonde prog list)");
        }
        if (json) {
            out.println(only != null ? docs.get(0) : "[" + String.join(",\n", docs) + "]");
        }
    }

    private void mapList(ControlClient c) throws IOException {
        Map<Integer, String> objects = objectNames(c);
        List<String> docs = new ArrayList<>();
        for (Entry e : c.list(ControlProtocol.KIND_MAP)) {
            MapEntry m = (MapEntry) e;
            String obj = objects.getOrDefault(m.objId(), "?");
            if (json) {
                docs.add("{\"id\":" + m.id() + ",\"obj_id\":" + m.objId() + ",\"object\":" + Json.quote(obj) + ",\"name\":"
                    + Json.quote(m.name()) + ",\"type\":" + Json.quote(typeName(m.type())) + ",\"key_size\":" + m.keySize()
                    + ",\"value_size\":" + m.valueSize() + ",\"max_entries\":" + m.maxEntries() + ",\"flags\":" + m.flags() + "}");
            } else {
                out.printf("%d: %s  name %s  object %s (%d)  key %dB  value %dB  max_entries %d  flags 0x%x%n", m.id(),
                    typeName(m.type()), m.name(), obj, m.objId(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags());
            }
        }
        if (json) {
            out.println("[" + String.join(",\n", docs) + "]");
        }
    }

    private void linkList(ControlClient c) throws IOException {
        Map<Integer, String> progs = new HashMap<>();
        for (Entry e : c.list(ControlProtocol.KIND_PROG)) {
            progs.put(e.id(), ((ProgEntry) e).name());
        }
        List<String> docs = new ArrayList<>();
        for (Entry e : c.list(ControlProtocol.KIND_LINK)) {
            LinkEntry l = (LinkEntry) e;
            String prog = progs.getOrDefault(l.progId(), "?");
            if (json) {
                docs.add("{\"id\":" + l.id() + ",\"prog_id\":" + l.progId() + ",\"prog\":" + Json.quote(prog) + ",\"target\":"
                    + Json.quote(l.target()) + ",\"cookie\":" + Long.toUnsignedString(l.cookie()) + ",\"methods\":" + l.methods()
                    + ",\"open\":" + l.open() + ",\"pinned\":" + Json.quote(l.pinned()) + "," + statsJson(l.stats()) + "}");
            } else {
                out.printf("%d: prog %d (%s)  target %s  methods %d  cookie %s%s%s%n\t%s%n", l.id(), l.progId(), prog, l.target(),
                    l.methods(), Long.toUnsignedString(l.cookie()), l.open() ? "" : "  detached",
                    l.pinned().isEmpty() ? "" : "  pinned " + l.pinned(), statsText(l.stats()));
            }
        }
        if (json) {
            out.println("[" + String.join(",\n", docs) + "]");
        }
    }

    private void detach(ControlClient c, int id) throws IOException {
        int h = c.getById(ControlProtocol.KIND_LINK, id);
        c.detach(h);
        c.close(h);
        out.println(json ? "{\"detached\":" + id + "}" : "detached link " + id);
    }

    private void pin(ControlClient c) throws IOException, SondeCli.UsageException {
        int kind = switch (args.get(0)) {
            case "link" -> ControlProtocol.KIND_LINK;
            case "map" -> ControlProtocol.KIND_MAP;
            case "prog" -> ControlProtocol.KIND_PROG;
            case "object" -> ControlProtocol.KIND_OBJECT;
            default -> throw new SondeCli.UsageException("pin: '" + args.get(0) + "' is not link, map, prog or object");
        };
        int id = id(args.get(1), args.get(0) + " id");
        String name = args.get(2);
        int h = c.getById(kind, id);
        c.pin(h, name);
        c.close(h);
        out.println(json ? "{\"pinned\":" + Json.quote(name) + ",\"kind\":" + Json.quote(args.get(0)) + ",\"id\":" + id + "}"
            : "pinned " + args.get(0) + " " + id + " as " + name);
    }

    private void unpin(ControlClient c, String name) throws IOException {
        c.unpin(name);
        out.println(json ? "{\"unpinned\":" + Json.quote(name) + "}" : "unpinned " + name);
    }

    private void sym(ControlClient c, String text) throws IOException, SondeCli.UsageException, SondeCli.Failure {
        long addr;
        try {
            addr = text.startsWith("0x") || text.startsWith("0X") ? Long.parseUnsignedLong(text.substring(2), 16)
                : Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new SondeCli.UsageException("sym: '" + text + "' is not an address (0x… hex, or decimal)");
        }
        Optional<ControlClient.Symbol> s = c.sym(addr);
        if (s.isEmpty()) {
            throw new SondeCli.Failure(String.format("no method has the address 0x%016x", addr));
        }
        String a = String.format("0x%016x", addr);
        out.println(json ? "{\"address\":" + Json.quote(a) + ",\"symbol\":" + Json.quote(s.get().symbol()) + ",\"line\":" + s.get().line() + "}"
            : a + " " + s.get().symbol() + (s.get().line() >= 0 ? " line " + s.get().line() : ""));
    }

    private void methods(ControlClient c, String pattern) throws IOException {
        List<String> docs = new ArrayList<>();
        for (ControlClient.MethodInfo m : c.methods(pattern)) {
            if (json) {
                List<String> ps = m.params().stream().map(Json::quote).toList();
                docs.add("{\"symbol\":" + Json.quote(m.symbol()) + ",\"address\":" + Json.quote(String.format("0x%016x", m.addr()))
                    + ",\"params\":[" + String.join(",", ps) + "]}");
            } else {
                out.printf("0x%016x %s%s%n", m.addr(), m.symbol(), m.params().isEmpty() ? "" : "  (" + String.join(", ", m.params()) + ")");
            }
        }
        if (json) {
            out.println("[" + String.join(",\n", docs) + "]");
        }
    }
}
