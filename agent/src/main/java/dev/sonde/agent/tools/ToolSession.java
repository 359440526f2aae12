package dev.sonde.agent.tools;

import dev.sonde.agent.control.AgentLoader;
import dev.sonde.agent.control.ControlClient;
import dev.sonde.agent.control.ControlException;
import dev.sonde.agent.control.ControlProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One tool's connection to a JVM: loads the agent if the JVM has none ({@link AgentLoader}), or
 * starts the JVM with the agent held before {@code main} ({@link #launch}, {@code --exec}),
 * loads the tool's bundled probe object (compiled into the agent jar under {@code bpf/tools/}),
 * finds its programs and maps, attaches, and symbolizes addresses. Everything the tool holds is a
 * handle on this connection, so when the tool ends, or is killed, and the connection closes, the
 * agent detaches the links and releases the object (control-protocol.md, "Handles are file
 * descriptors"): nothing is left attached.
 */
final class ToolSession implements AutoCloseable {
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

    /** How long a JVM that exits waits for the tool before it runs {@code main} ({@code hold=}), and then at its exit. */
    static final int HOLD_SECONDS = 30;

    final long pid;
    final ControlClient client;
    final int object;
    /** The JVM this tool started ({@code --exec}), or null: attached to a running one. */
    final Process jvm;
    private final Path socket;
    private final List<Integer> links = new ArrayList<>();
    private final Map<Long, String> frames = new HashMap<>();

    private ToolSession(long pid, ControlClient client, int object, Process jvm, Path socket) {
        this.pid = pid;
        this.client = client;
        this.object = object;
        this.jvm = jvm;
        this.socket = socket;
    }

    /** Connects to JVM {@code pid} (loading the agent into it if needed) and loads {@code tool}'s probe object. */
    static ToolSession open(long pid, String tool) throws IOException {
        byte[] elf = bundled(tool);
        Path socket = AgentLoader.ensure(pid, LOAD_TIMEOUT);
        ControlClient c = ControlClient.connect(socket);
        try {
            return new ToolSession(pid, c, c.loadBytes(tool + ".bpf.o", elf), null, socket);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Starts a JVM ({@code $JAVA_HOME/bin/java}, else the java running the tool) with the agent
     * held ({@code hold=}) on a fresh socket and {@code args} after it, standard I/O inherited;
     * connects once the socket answers and loads {@code tool}'s object. Its {@code main} runs
     * when the tool sends {@link #release}.
     */
    static ToolSession launch(String tool, List<String> args) throws IOException {
        byte[] elf = bundled(tool);
        Path jar = AgentLoader.agentJar();
        Path dir = Files.createTempDirectory("sonde-exec");
        Path socket = dir.resolve("control.sock");
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-javaagent:" + jar + "=hold=" + HOLD_SECONDS + ",socket=" + socket);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        ControlClient c = null;
        try {
            long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
            IOException last = null;
            while (c == null) {
                if (Files.exists(socket)) {
                    try {
                        c = ControlClient.connect(socket);
                        break;
                    } catch (IOException e) {
                        last = e;
                    }
                }
                if (!p.isAlive()) {
                    throw new IOException("the JVM ended (exit status " + p.exitValue() + ") before its control socket answered");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("the JVM's control socket " + socket + " did not answer within " + LOAD_TIMEOUT.toSeconds()
                        + " s" + (last == null ? "" : ": " + last.getMessage()));
                }
                LockSupport.parkNanos(20_000_000L);   // the JVM starts and runs premain: polled, as AgentLoader polls
            }
            return new ToolSession(p.pid(), c, c.loadBytes(tool + ".bpf.o", elf), p, socket);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            p.destroyForcibly();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** {@code $JAVA_HOME/bin/java} if there is one, else the java running this tool. */
    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home != null && !home.isEmpty() && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Lets the started JVM run {@code main} (everything is attached). */
    void release() throws IOException {
        client.release();
    }

    /**
     * Whether the started JVM has begun to exit: its control socket file is gone (removed by a
     * shutdown hook) while this connection still works, since the exit waits for it to close.
     */
    boolean jvmExiting() {
        return jvm != null && (!jvm.isAlive() || !Files.exists(socket));
    }

    /**
     * Closes the connection (the started JVM's exit waits for that), stops the JVM first if
     * {@code stop} (SIGTERM, as Ctrl-C would), and waits for it to end; returns its exit status.
     */
    int endJvm(boolean stop) throws IOException, InterruptedException {
        client.close();
        if (stop && jvm.isAlive()) {
            jvm.destroy();
        }
        if (!jvm.waitFor(HOLD_SECONDS + 10, TimeUnit.SECONDS)) {
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.getParent());
        return jvm.exitValue();
    }

    /** "N methods" for the "Tracing …" line; at start-up, where classes load later, what waits for them. */
    String methodsText(int n) {
        if (jvm != null && n == 0) {
            return "the methods (instrumented as their classes load)";
        }
        return n + (n == 1 ? " method" : " methods");
    }

    /** The methods a target names, for tools that check values against them; at start-up possibly none. */
    List<ValueRef.Method> methods(String target) throws IOException, ToolArgs.UsageError {
        return ValueRef.methods(client, target, jvm != null);
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
        // At start-up no class is loaded yet: the target waits for its classes to load.
        ControlClient.Attached a = client.attach(p, 0, jvm != null ? ControlProtocol.ATTACH_PENDING : 0, target);
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
        if (jvm != null && jvm.isAlive()) {   // the tool failed: the JVM it started does not outlive it
            jvm.destroyForcibly();
        }
    }
}
