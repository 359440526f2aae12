package dev.sonde.agent.control;

import dev.sonde.agent.MapDump;
import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.probe.control.LinkStats;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the control socket's requests do, on every object and link of the JVM's Sonde (those of
 * the start-up agent and of every later attach). Replies are text, as bpftool prints; a map dump
 * may be the JSON of DESIGN.md §4. Link ids are given on first sight and never reused.
 */
final class ControlCommands {
    private final Sonde sonde;
    private final Map<ProbeLink, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    ControlCommands(Sonde sonde) {
        this.sonde = sonde;
    }

    ByteBuffer handle(ControlProtocol.Frame f) {
        int reply = f.op() | ControlProtocol.REPLY;
        try {
            switch (f.op()) {
                case ControlProtocol.PROG_LIST:
                    return ControlProtocol.reply(reply, 0, progList());
                case ControlProtocol.MAP_LIST:
                    return ControlProtocol.reply(reply, 0, mapList());
                case ControlProtocol.MAP_DUMP: {
                    if (f.payload().length < 1) {
                        return ControlProtocol.reply(ControlProtocol.ERROR, -ControlProtocol.EINVAL, "MAP_DUMP needs a flags byte");
                    }
                    boolean json = (f.payload()[0] & ControlProtocol.MAP_DUMP_JSON) != 0;
                    String name = new String(f.payload(), 1, f.payload().length - 1, StandardCharsets.UTF_8);
                    return mapDump(reply, json, name);
                }
                case ControlProtocol.LINK_LIST:
                    return ControlProtocol.reply(reply, 0, linkList());
                case ControlProtocol.LINK_DETACH: {
                    if (f.payload().length != 4) {
                        return ControlProtocol.reply(ControlProtocol.ERROR, -ControlProtocol.EINVAL, "LINK_DETACH takes a 4-byte link id");
                    }
                    return detach(reply, ByteBuffer.wrap(f.payload()).order(ByteOrder.LITTLE_ENDIAN).getInt());
                }
                default:
                    return ControlProtocol.reply(ControlProtocol.ERROR, -ControlProtocol.EINVAL, "unknown request op " + f.op());
            }
        } catch (RuntimeException e) {
            return ControlProtocol.reply(ControlProtocol.ERROR, -ControlProtocol.EINVAL, "request failed: " + e);
        }
    }

    private String progList() {
        StringBuilder b = new StringBuilder();
        for (ProbeObject o : sonde.objects()) {
            for (LoadedProgram p : o.programs()) {
                LinkStats s = LinkStats.ZERO;
                for (ProbeLink l : o.links()) {
                    if (l.programName().equals(p.name())) {
                        s = s.plus(l.stats());
                    }
                }
                b.append(String.format("%s  %s  %s  run_cnt %d  run_time_ns %d  nmissed %d  faults %d%n", o.name(), p.name(),
                    p.section(), s.runCount(), s.runTimeNs(), s.nmissed(), s.faults()));
            }
        }
        return b.toString();
    }

    private String mapList() {
        StringBuilder b = new StringBuilder();
        for (ProbeObject o : sonde.objects()) {
            for (BpfMap m : o.maps()) {
                b.append(String.format("%s  %s  %s  key %dB  value %dB  max_entries %d%n", o.name(), m.name(),
                    m.type().bpftoolName, m.keySize(), m.valueSize(), m.maxEntries()));
            }
        }
        return b.toString();
    }

    private ByteBuffer mapDump(int reply, boolean json, String name) {
        List<ProbeObject> objects = sonde.objects();
        if (json && name.isEmpty()) {
            return ControlProtocol.reply(reply, 0, MapDump.json(objects));
        }
        StringBuilder b = new StringBuilder();
        List<String> maps = new ArrayList<>();
        for (ProbeObject o : objects) {
            for (BpfMap m : o.maps()) {
                if (!name.isEmpty() && !name.equals(m.name())) {
                    continue;
                }
                if (json) {
                    maps.add(MapDump.map(o.name(), m));
                } else {
                    b.append(o.name()).append(' ').append(m.name()).append(" (").append(m.type().bpftoolName).append("):\n");
                    MapDump.text(m, b);
                }
            }
        }
        if (!name.isEmpty() && (json ? maps.isEmpty() : b.length() == 0)) {
            return ControlProtocol.reply(reply, -ControlProtocol.ENOENT, "no map named " + name);
        }
        return ControlProtocol.reply(reply, 0, json ? "{\"maps\":[" + String.join(",\n", maps) + "],\"programs\":[]}\n" : b.toString());
    }

    private String linkList() {
        StringBuilder b = new StringBuilder();
        for (ProbeObject o : sonde.objects()) {
            for (ProbeLink l : o.links()) {
                if (!l.isOpen()) {
                    continue;
                }
                int id = ids.computeIfAbsent(l, k -> nextId.getAndIncrement());
                b.append(String.format("%d  %s  %s  %s  methods %d  run_cnt %d%n", id, o.name(), l.programName(),
                    l.target().secName(), l.methods().size(), l.stats().runCount()));
            }
        }
        return b.toString();
    }

    private ByteBuffer detach(int reply, int id) {
        linkList();   // gives ids to links not listed yet
        for (Map.Entry<ProbeLink, Integer> e : ids.entrySet()) {
            if (e.getValue() == id && e.getKey().isOpen()) {
                e.getKey().close();
                return ControlProtocol.reply(reply, 0, "detached link " + id + " (" + e.getKey().programName() + ")\n");
            }
        }
        return ControlProtocol.reply(reply, -ControlProtocol.ENOENT, "no open link " + id);
    }
}
