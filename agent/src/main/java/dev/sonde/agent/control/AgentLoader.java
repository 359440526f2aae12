package dev.sonde.agent.control;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes sure a JVM has the agent's control socket: what the tools call before
 * {@link ControlClient#connect(Path)}.
 *
 * <ol>
 * <li>If the pid's default socket ({@link ControlServer#findSocket}) answers HELLO, that is the socket.</li>
 * <li>Else the agent jar is loaded into the JVM through the Attach API with no options: it loads
 *     no object and starts the control socket at the default path.</li>
 * <li>The socket is polled (every 50 ms) until it answers HELLO or the timeout passes.</li>
 * </ol>
 * The agent jar is the {@code sonde.agent.jar} system property if set, else the jar this class was
 * loaded from.
 */
public final class AgentLoader {
    private AgentLoader() {
    }

    public static Path ensure(long pid, Duration timeout) throws IOException {
        Path found = ControlServer.findSocket(pid);
        if (answers(found)) {
            return found;
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new IOException("no process " + pid);
        }
        load(pid, agentJar());
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true) {
            // The agent binds the default path of its own environment: find it again each time.
            Path socket = ControlServer.findSocket(pid);
            try (ControlClient c = ControlClient.connect(socket)) {
                return socket;
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("JVM " + pid + " loaded the agent but its control socket " + ControlServer.findSocket(pid)
                    + " did not answer within "
                    + timeout.toMillis() + " ms (started with socket= elsewhere or off?): " + last.getMessage(), last);
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (ControlClient c = ControlClient.connect(socket)) {
            return true;
        } catch (IOException e) {
            return false;   // a stale socket of a dead JVM with this pid, or another user's
        }
    }

    private static void load(long pid, Path jar) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(String.valueOf(pid));
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
        try {
            vm.loadAgent(jar.toString(), "");
        } catch (AgentLoadException | AgentInitializationException e) {
            throw new IOException("JVM " + pid + " did not load the agent " + jar + ": " + e, e);
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // the agent is loaded; the attach connection's end does not matter
            }
        }
    }

    /** The agent jar: {@code -Dsonde.agent.jar}, else the jar this class came from. */
    public static Path agentJar() throws IOException {
        String prop = System.getProperty("sonde.agent.jar");
        if (prop != null && !prop.isEmpty()) {
            Path p = Path.of(prop);
            if (!Files.isRegularFile(p)) {
                throw new IOException("sonde.agent.jar=" + prop + ": no such file");
            }
            return p;
        }
        try {
            Path p = Path.of(AgentLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new IOException("the control client runs from " + p + ", not from the agent jar; set -Dsonde.agent.jar=<sonde-agent.jar>");
            }
            return p;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IOException("cannot locate the agent jar: " + e, e);
        }
    }
}
