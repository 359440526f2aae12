package dev.sonde.agent.cli;

import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlClient.MapEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sonde map dump|lookup|update|delete}: a map's entries by MAP_DUMP, MAP_LOOKUP,
 * MAP_UPDATE and MAP_DELETE. Keys and values are written as {@link Bytes} says; per-CPU maps take
 * and give every slot's value (hex only), as bpftool does.
 */
final class MapCommands {
    /** BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
    private static final List<String> UPDATE_FLAGS = List.of("any", "noexist", "exist");

    /** A map handle on the connection and the map's entry. */
    record Target(int handle, MapEntry entry) {
    }

    private MapCommands() {
    }

    static void dump(ControlClient c, Target m, PrintStream out, boolean json) throws IOException {
        List<ControlClient.KeyValue> kvs = c.dump(m.handle(), 0);
        List<String> docs = new ArrayList<>();
        for (ControlClient.KeyValue kv : kvs) {
            if (json) {
                docs.add("{" + Bytes.json("key", kv.key()) + "," + Bytes.json("value", kv.value()) + "}");
            } else {
                out.println(Bytes.text("key", kv.key()) + "  " + Bytes.text("value", kv.value()));
            }
        }
        if (json) {
            out.println("[" + String.join(",\n", docs) + "]");
        } else {
            out.println("Found " + kvs.size() + " element" + (kvs.size() == 1 ? "" : "s"));
        }
    }

    /** {@code words}: after the map, e.g. {@code [key, hex, 01, 00, 00, 00, value, 7, noexist]}. */
    static void edit(String cmd, ControlClient c, Target m, List<String> words, PrintStream out, boolean json)
            throws IOException, SondeCli.UsageException, SondeCli.Failure {
        int v = words.indexOf("value");
        int f = -1;
        for (int i = 0; i < words.size(); i++) {
            if (UPDATE_FLAGS.contains(words.get(i))) {
                f = i;
            }
        }
        if (words.isEmpty() || !words.get(0).equals("key")) {
            throw new SondeCli.UsageException(cmd + ": the map is followed by 'key <k>'");
        }
        boolean update = cmd.equals("map update");
        if (update != (v >= 0)) {
            throw new SondeCli.UsageException(cmd + (update ? " needs 'value <v>' after the key" : " takes no value"));
        }
        if (f >= 0 && (!update || f != words.size() - 1)) {
            throw new SondeCli.UsageException(cmd + ": '" + words.get(f) + "' is a flag of map update, after the value");
        }
        int keyEnd = v >= 0 ? v : words.size();
        byte[] key = Bytes.parse(words.subList(1, keyEnd), m.entry().keySize(), "key");
        boolean perCpu = isPerCpu(m.entry().type());
        switch (cmd) {
            case "map lookup" -> {
                byte[] value = c.lookup(m.handle(), key);
                if (value == null) {
                    throw new SondeCli.Failure("map " + m.entry().name() + ": no entry with key " + Bytes.hex(key));
                }
                out.println(json ? "{" + Bytes.json("key", key) + "," + Bytes.json("value", value) + "}"
                    : Bytes.text("key", key) + "  " + Bytes.text("value", value));
            }
            case "map update" -> {
                List<String> vt = words.subList(v + 1, f >= 0 ? f : words.size());
                byte[] value = perCpu ? Bytes.parse(vt, -1, "value") : Bytes.parse(vt, m.entry().valueSize(), "value");
                long flags = f < 0 ? 0 : UPDATE_FLAGS.indexOf(words.get(f));
                c.update(m.handle(), key, value, flags);
                out.println(json ? "{\"updated\":true," + Bytes.json("key", key) + "," + Bytes.json("value", value) + "}"
                    : "updated " + Bytes.text("key", key));
            }
            case "map delete" -> {
                if (!c.delete(m.handle(), key)) {
                    throw new SondeCli.Failure("map " + m.entry().name() + ": no entry with key " + Bytes.hex(key));
                }
                out.println(json ? "{\"deleted\":true," + Bytes.json("key", key) + "}" : "deleted " + Bytes.text("key", key));
            }
            default -> throw new IllegalStateException(cmd);
        }
    }

    /** PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH: values hold every execution slot's copy. */
    static boolean isPerCpu(int type) {
        return type == 5 || type == 6 || type == 10;
    }
}
