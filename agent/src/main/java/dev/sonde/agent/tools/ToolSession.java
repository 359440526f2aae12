package dev.sonde.agent.tools;

import dev.sonde.agent.control.AgentLoader;
import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One tool's connection to a JVM: loads the agent if the JVM has none ({@link AgentLoader}),
 * loads the tool's bundled probe object (compiled into the agent jar under {@code bpf/tools/}),
 * finds its programs and maps, attaches, and symbolizes addresses. Everything the tool holds is a
 * handle on this connection, so when the tool ends, or is killed, and the connection closes, the
 * agent detaches the links and releases the object (control-protocol.md, "Handles are file
 * descriptors"): nothing is left attached.
 */
final class ToolSession implements AutoCloseable {
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

    final long pid;
    final ControlClient client;
    final int object;
    private final List<Integer> links = new ArrayList<>();
    private final Map<Long, String> frames = new HashMap<>();

    private ToolSession(long pid, ControlClient client, int object) {
        this.pid = pid;
        this.client = client;
        this.object = object;
    }

    /** Connects to JVM {@code pid} (loading the agent into it if needed) and loads {@code tool}'s probe object. */
    static ToolSession open(long pid, String tool) throws IOException {
        byte[] elf = bundled(tool);
        Path socket = AgentLoader.ensure(pid, LOAD_TIMEOUT);
        ControlClient c = ControlClient.connect(socket);
        try {
            return new ToolSession(pid, c, c.loadBytes(tool + ".bpf.o", elf));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The bytes of {@code bpf/tools/<tool>.bpf.o} in the agent jar. */
    static byte[] bundled(String tool) throws IOException {
        String res = "/bpf/tools/" + tool + ".bpf.o";
        try (InputStream in = ToolSession.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + res + " (build it: mvn -q -DskipTests package)");
            }
            return in.readAllBytes();
        }
    }

    int map(String name) throws IOException {
        return client.mapFind(object, name);
    }

    /**
     * Attaches program {@code prog} to {@code target} (a SEC name); returns the number of methods
     * instrumented now. A target that matches no method is an error naming it.
     */
    ControlClient.Attached attach(String prog, String target) throws IOException {
        int p = client.progFind(object, prog);
        ControlClient.Attached a = client.attach(p, 0, 0, target);
        links.add(a.handle());
        return a;
    }

    /** Detaches every link of this tool now (closing the connection would too). */
    void detachAll() throws IOException {
        for (int l : links) {
            client.detach(l);
        }
        links.clear();
    }

    /** The method an address lies in, as {@code class.method} (no descriptor), or the address in hex. */
    String frame(long addr) throws IOException {
        String f = frames.get(addr);
        if (f == null) {
            Optional<ControlClient.Symbol> s;
            try {
                s = client.sym(addr);
            } catch (ControlException e) {
                s = Optional.empty();
            }
            f = s.map(sym -> withoutDescriptor(sym.symbol())).orElse(String.format("0x%x", addr));
            frames.put(addr, f);
        }
        return f;
    }

    /** The full symbol of an address, {@code class.method(descriptor)}, or the address in hex. */
    String symbol(long addr) throws IOException {
        try {
            return client.sym(addr).map(ControlClient.Symbol::symbol).orElse(String.format("0x%x", addr));
        } catch (ControlException e) {
            return String.format("0x%x", addr);
        }
    }

    static String withoutDescriptor(String symbol) {
        int p = symbol.indexOf('(');
        return p < 0 ? symbol : symbol.substring(0, p);
    }

    /** The u64 values of an ARRAY map of u32 keys 0..n-1 (one MAP_DUMP). */
    long[] array(int map, int n) throws IOException {
        long[] out = new long[n];
        for (ControlClient.KeyValue kv : client.dump(map, 0)) {
            int k = le(kv.key()).getInt(0);
            if (k >= 0 && k < n) {
                out[k] = le(kv.value()).getLong(0);
            }
        }
        return out;
    }

    /** Writes value bytes at u32 key 0 of an ARRAY map (a tool's configuration). */
    void configure(int map, byte[] value) throws IOException {
        client.update(map, u32(0), value, 0);
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
