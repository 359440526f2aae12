package dev.sonde.agent.control;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A client in its own JVM, for the tests that kill a client or run one as another user.
 *
 * <pre>
 *   ClientMain hello &lt;socket&gt;                         prints "ok", or "errno N message" and exits 3
 *   ClientMain attach &lt;socket&gt; &lt;a.bpf.o&gt; &lt;prog&gt; [pin]   loads, attaches (and pins the link), prints
 *                                                     "attached &lt;link-id&gt;", then waits to be killed
 * </pre>
 */
public final class ClientMain {
    private ClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Path sock = Path.of(args[1]);
        switch (args[0]) {
            case "hello" -> {
                try (ControlClient c = ControlClient.connect(sock)) {
                    System.out.println("ok " + c.hello().pid());
                } catch (ControlException e) {
                    System.out.println("errno " + e.errno() + " " + e.getMessage());
                    System.exit(3);
                }
            }
            case "attach" -> {
                ControlClient c = ControlClient.connect(sock);
                int obj = c.loadPath("", Path.of(args[2]));
                ControlClient.Attached a = c.attach(c.progFind(obj, args[3]), 0, 0, "");
                if (args.length > 4) {
                    c.pin(a.handle(), args[4]);
                }
                System.out.println("attached " + a.id());
                System.out.flush();
                // The connection stays open until the test kills this JVM: block on a latch nobody counts down.
                new java.util.concurrent.CountDownLatch(1).await();
            }
            default -> throw new IOException("unknown mode " + args[0]);
        }
    }
}
