package dev.sonde.agent.control;

import dev.sonde.probe.control.Sonde;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The control socket of one JVM: a Unix domain socket (mode 0600, removed at exit) that the
 * {@code sonde} CLI, the tools and libsonde talk {@link ControlProtocol} version 2 over. One daemon
 * thread accepts; each connection gets a daemon thread and a {@link ControlConnection} (its
 * handles), all sharing the JVM's {@link Registry} (ids, references, pins).
 *
 * <ol>
 * <li>Rule 1: a peer whose SO_PEERCRED user is not this JVM's gets one ERROR frame -EACCES and is
 *     closed before a byte of it is read.</li>
 * <li>A frame with a bad version or length gets an ERROR frame and the connection closes (where the
 *     next frame starts is unknown); every other bad request gets an error reply and the connection
 *     goes on.</li>
 * <li>When a connection ends, however it ends (close, crash of the client, garbage), its handles
 *     close: its links that nothing else holds are detached, its objects that nothing holds are
 *     closed.</li>
 * </ol>
 * Nothing a client sends reaches the application: a connection thread catches everything.
 */
public final class ControlServer {
    private static ControlServer running;   // guarded by ControlServer.class
    /**
     * Request bytes in memory at once, over all connections: 64 MiB (four largest frames). A
     * client that sends more waits for others' frames to be handled, so that many large frames at
     * once cannot take the application's heap.
     */
    private static final ControlProtocol.Budget FRAME_MEMORY = new ControlProtocol.Budget() {
        private final java.util.concurrent.Semaphore bytes = new java.util.concurrent.Semaphore(4 * ControlProtocol.MAX_FRAME);

        @Override
        public void acquire(int n) throws IOException {
            try {
                bytes.acquire(n);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for frame memory");
            }
        }

        @Override
        public void release(int n) {
            bytes.release(n);
        }
    };

    private final Path path;
    private final ServerSocketChannel server;
    private final Registry registry;
    private final Instrumentation inst;
    private final Consumer<String> log;

    private ControlServer(Path path, ServerSocketChannel server, Sonde sonde, Instrumentation inst, Consumer<String> log) {
        this.path = path;
        this.server = server;
        this.registry = new Registry(sonde);
        this.inst = inst;
        this.log = log;
    }

    /** Where a JVM's socket is by default: {@code $XDG_RUNTIME_DIR/sonde-<pid>.sock}, else the temp dir. */
    public static Path defaultPath(long pid) {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) ? Path.of(xdg)
            : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("sonde-" + pid + ".sock");
    }

    /**
     * Where JVM {@code pid}'s default socket is, seen from another process: the first that exists
     * of {@link #defaultPath} in this process's environment, under the {@code XDG_RUNTIME_DIR} of
     * the JVM's own environment ({@code /proc/<pid>/environ}), and in /tmp; else
     * {@link #defaultPath}. (A JVM started with another {@code java.io.tmpdir} or {@code socket=}
     * is found only by its path.)
     */
    public static Path findSocket(long pid) {
        Path mine = defaultPath(pid);
        if (Files.exists(mine)) {
            return mine;
        }
        String name = "sonde-" + pid + ".sock";
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ"));
            for (String kv : new String(env, java.nio.charset.StandardCharsets.UTF_8).split("\0")) {
                if (kv.startsWith("XDG_RUNTIME_DIR=") && kv.length() > "XDG_RUNTIME_DIR=".length()) {
                    Path p = Path.of(kv.substring("XDG_RUNTIME_DIR=".length())).resolve(name);
                    if (Files.exists(p)) {
                        return p;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc, or not ours to read: the other candidates
        }
        Path tmp = Path.of("/tmp", name);
        return Files.exists(tmp) ? tmp : mine;
    }

    /** The longest socket path bind(2) takes: sun_path is 108 bytes with its terminating NUL. */
    private static final int SUN_PATH_MAX = 107;

    /** Starts the JVM's server at {@code path} (null: the default) unless one runs; returns its path. */
    public static synchronized Path start(Sonde sonde, Instrumentation inst, Path path, Consumer<String> log) throws IOException {
        if (running != null) {
            return running.path;
        }
        Path p = path != null ? path : defaultPath(ProcessHandle.current().pid());
        // The socket is bound and listening, and only its owner may use it, before it appears at
        // its path: bind(2) creates the file before listen(2) runs, so a client that saw the file
        // early could be refused (ECONNREFUSED), and one that came before the chmod could get in.
        // The rename replaces a stale socket of a dead JVM with this pid in one step.
        // The temporary name is the socket's own plus a random suffix, in the same directory (so
        // rename(2) applies): two JVMs with one pid (pid namespaces) sharing a directory never
        // take each other's. If it would not fit sun_path, the socket is bound at its path
        // directly, as before, with the permissions set right after.
        Path fresh = p.resolveSibling("." + p.getFileName() + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
        if (fresh.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > SUN_PATH_MAX) {
            fresh = p;
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            if (fresh == p) {
                Files.deleteIfExists(p);   // a stale socket of a dead JVM with this pid
            }
            ch.bind(UnixDomainSocketAddress.of(fresh));
            Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-------"));
            if (fresh != p) {
                Files.move(fresh, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (fresh != p) {
                Files.deleteIfExists(fresh);
            }
            throw e;
        }
        ControlServer s = new ControlServer(p, ch, sonde, inst, log);
        Thread t = new Thread(s::accept, "sonde-control");
        t.setDaemon(true);
        t.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ch.close();
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // exiting: nothing to tell
            }
        }, "sonde-control-exit"));
        running = s;
        return p;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "sonde-control-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.accept("control socket " + path + ": " + e.getMessage());
                }
                return;
            } catch (RuntimeException | Error e) {   // e.g. no thread can be created: refuse this one, go on
                log.accept("control socket " + path + ": " + e);
            }
        }
    }

    private void serve(SocketChannel c) {
        ControlConnection conn = null;
        SpinningChannel io = null;
        try (c) {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            if (!peerAllowed(peer.user().getName(), me)) {
                refuse(c, c, ControlProtocol.error(ControlProtocol.OP_ERROR, 0, -ControlProtocol.EACCES,
                    "user " + peer.user().getName() + " may not control a JVM of " + me));
                return;
            }
            conn = new ControlConnection(registry, inst);
            io = new SpinningChannel(c);
            while (true) {
                ControlProtocol.Frame f;
                try {
                    f = ControlProtocol.read(io, FRAME_MEMORY);
                } catch (ControlProtocol.BadFrame e) {
                    refuse(c, io, ControlProtocol.error(ControlProtocol.OP_ERROR, 0, e.status, e.getMessage()));
                    return;
                }
                if (f == null) {
                    return;
                }
                try {
                    ControlProtocol.write(io, conn.handle(f));
                } finally {
                    FRAME_MEMORY.release(ControlProtocol.MIN_LENGTH + f.payload().length);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            // the peer went away, or sent a frame this JVM could not hold: this connection ends, nothing else
        } finally {
            if (io != null) {
                try {
                    io.close();   // its selector; the channel is closed already
                } catch (IOException e) {
                    // nothing more to release
                }
            }
            if (conn != null) {
                try {
                    conn.close();
                } catch (RuntimeException | Error e) {
                    log.accept("control socket: releasing a connection's handles failed: " + e);
                }
            }
        }
    }

    /**
     * Sends the ERROR frame, then reads and drops what the client still sends (at most 1 MiB, for
     * at most 2 s) before the close: a socket closed with unread bytes makes the client's next
     * write fail, and the client would never read why.
     */
    private static void refuse(SocketChannel c, java.nio.channels.ByteChannel io, java.nio.ByteBuffer error) throws IOException {
        ControlProtocol.write(io, error);
        c.shutdownOutput();
        java.util.concurrent.CompletableFuture.delayedExecutor(2, java.util.concurrent.TimeUnit.SECONDS).execute(() -> {
            try {
                c.close();   // ends the drain below of a client that neither sends nor closes
            } catch (IOException e) {
                // closed already
            }
        });
        java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(64 * 1024);
        for (int total = 0; total < 1 << 20 && c.isOpen(); ) {
            sink.clear();
            int n;
            try {
                n = io.read(sink);
            } catch (IOException e) {
                return;
            }
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    /** Rule 1: only this JVM's user (SO_PEERCRED) controls it. */
    static boolean peerAllowed(String peerUser, String jvmUser) {
        return peerUser.equals(jvmUser);
    }
}
