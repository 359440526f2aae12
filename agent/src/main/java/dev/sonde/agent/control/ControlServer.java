package dev.sonde.agent.control;

import dev.sonde.agent.TraceDrainer;
import dev.sonde.probe.control.Sonde;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The control socket of one JVM: a Unix domain socket (mode 0600, removed at exit) that the
 * {@code sonde} CLI and libsonde talk {@link ControlProtocol} over. One daemon thread accepts;
 * each connection gets a daemon thread. A peer whose SO_PEERCRED user is not this JVM's user is
 * refused before a byte is read. A garbled frame is answered with an ERROR frame; it never
 * reaches Sonde.
 */
public final class ControlServer {
    private static ControlServer running;   // guarded by ControlServer.class

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlCommands commands;
    private final Consumer<String> log;

    private ControlServer(Path path, ServerSocketChannel server, Sonde sonde, Consumer<String> log) {
        this.path = path;
        this.server = server;
        this.commands = new ControlCommands(sonde);
        this.log = log;
    }

    /** Where a JVM's socket is by default: {@code $XDG_RUNTIME_DIR/sonde-<pid>.sock}, else the temp dir. */
    public static Path defaultPath(long pid) {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) ? Path.of(xdg)
            : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("sonde-" + pid + ".sock");
    }

    /** Starts the JVM's server at {@code path} (null: the default) unless one runs; returns its path. */
    public static synchronized Path start(Sonde sonde, Path path, Consumer<String> log) throws IOException {
        if (running != null) {
            return running.path;
        }
        Path p = path != null ? path : defaultPath(ProcessHandle.current().pid());
        Files.deleteIfExists(p);   // a stale socket of a dead JVM with this pid
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(p));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        ControlServer s = new ControlServer(p, ch, sonde, log);
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
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            if (!peer.user().getName().equals(me)) {
                ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.ERROR, -13,
                    "user " + peer.user().getName() + " may not control a JVM of " + me));
                return;
            }
            while (true) {
                ControlProtocol.Frame f;
                try {
                    f = ControlProtocol.read(c);
                } catch (ControlProtocol.ProtocolException e) {
                    ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.ERROR, e.status, e.getMessage()));
                    return;
                }
                if (f == null) {
                    return;
                }
                if (f.op() == ControlProtocol.TRACE_PIPE) {
                    tracePipe(c);
                    return;
                }
                ControlProtocol.write(c, commands.handle(f));
            }
        } catch (IOException | RuntimeException e) {
            // the peer went away or sent garbage mid-frame: this connection ends, nothing else
        }
    }

    /** Streams printk lines until the peer closes (a failed write ends it). */
    private void tracePipe(SocketChannel c) throws IOException {
        TraceDrainer d = TraceDrainer.running();
        if (d == null) {
            ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.ERROR, -ControlProtocol.ENOENT, "no trace pipe in this JVM"));
            return;
        }
        BlockingQueue<String> q = new ArrayBlockingQueue<>(65536);
        d.addReader(q);
        try {
            ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.TRACE_PIPE | ControlProtocol.REPLY, 0, ""));
            while (c.isOpen()) {
                String line = q.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.TRACE_LINE, 0, line));
                } else {
                    ControlProtocol.write(c, ControlProtocol.reply(ControlProtocol.TRACE_LINE, 1, ""));   // keep-alive: finds a closed peer
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            d.removeReader(q);
        }
    }
}
