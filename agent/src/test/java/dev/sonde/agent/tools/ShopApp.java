package dev.sonde.agent.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The tools' traced application: a JVM, started without the agent (the tools load it, as they do
 * into any running JVM), that makes exactly the calls it is told to on its stdin. Its class is
 * compiled here, with {@code javac -parameters} so that parameter names are known, into package
 * {@code toolapp} (outside Sonde's packages, whose frames stack captures leave out).
 *
 * <pre>
 *   run N    N calls Till.ring(i % 5, "book-" + i % 3), then N calls price(i % 5, "book-" + i % 3),
 *            all on thread "shop-worker", even i through viaA,
 *            odd i through viaB, and restock(i) after every 10th: prints "done run N"
 *   lat N    N calls wait(micros): micros 50 for even i, 2000 for odd i: prints "done lat N"
 *   busy S   two threads "burner-0/1" run burn() for S seconds: prints "done busy" when they end
 * </pre>
 */
final class ShopApp implements AutoCloseable {
    static final String SOURCE = """
        package toolapp;

        import java.io.BufferedReader;
        import java.io.InputStreamReader;
        import java.util.concurrent.locks.LockSupport;

        final class Till {
            static volatile long sink;

            static void ring(int item, String name) {
                sink += item + name.length();
            }
        }

        public final class Shop {
            public static volatile long sink;

            public static long price(int item, String name) {
                return item * 10L + name.length() - name.length();
            }

            public static void restock(int shelf) {
                sink += shelf;
            }

            static void viaA(int i) {
                sink += price(i % 5, "book-" + (i % 3));
            }

            static void viaB(int i) {
                sink += price(i % 5, "book-" + (i % 3));
            }

            /** Waits at least {@code micros} (park may return early; the loop makes it a lower bound). */
            public static void wait(int micros) {
                long end = System.nanoTime() + micros * 1000L;
                for (long left = micros * 1000L; left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }

            static long burn(long until) {
                long x = 1;
                for (long i = 0; System.nanoTime() < until; i++) {
                    x = x * 31 + i;
                }
                return x;
            }

            static void run(int n) {
                for (int i = 0; i < n; i++) {
                    Till.ring(i % 5, "book-" + (i % 3));
                }
                for (int i = 0; i < n; i++) {
                    if (i % 2 == 0) {
                        viaA(i);
                    } else {
                        viaB(i);
                    }
                    if (i % 10 == 9) {
                        restock(i);
                    }
                }
            }

            public static void main(String[] args) throws Exception {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
                System.out.println("ready");
                System.out.flush();
                for (String line; (line = in.readLine()) != null; ) {
                    String[] w = line.trim().split(" ");
                    switch (w[0]) {
                        case "run" -> {
                            int n = Integer.parseInt(w[1]);
                            Thread t = new Thread(() -> run(n), "shop-worker");
                            t.start();
                            t.join();
                        }
                        case "lat" -> {
                            int n = Integer.parseInt(w[1]);
                            for (int i = 0; i < n; i++) {
                                wait(i % 2 == 0 ? 50 : 2000);
                            }
                        }
                        case "busy" -> {
                            long until = System.nanoTime() + (long) (Double.parseDouble(w[1]) * 1e9);
                            Thread[] ts = new Thread[2];
                            for (int k = 0; k < 2; k++) {
                                ts[k] = new Thread(() -> sink += burn(until), "burner-" + k);
                                ts[k].start();
                            }
                            for (Thread t : ts) {
                                t.join();
                            }
                        }
                        default -> {
                            System.out.println("unknown " + line);
                            continue;
                        }
                    }
                    System.out.println("done " + line.trim());
                    System.out.flush();
                }
            }
        }
        """;

    static final Path AGENT_JAR = Path.of("target", "sonde-agent.jar").toAbsolutePath();

    final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ShopApp(Process p) {
        this.process = p;
        this.stdin = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the JVM ended
            }
        }, "shop-app-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Compiles the app into {@code dir} and starts it; returns once it printed "ready". */
    static ShopApp start(Path dir) throws Exception {
        Path src = dir.resolve("toolapp").resolve("Shop.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = dir.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-parameters", "--release", "17", "-d", classes.toString(), src.toString());
        assertTrue(rc == 0, "the app compiles");
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-cp", classes.toString(), "toolapp.Shop"));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("app-stderr.txt").toFile()).start();
        ShopApp app = new ShopApp(p);
        app.expect("ready");
        return app;
    }

    static List<String> java() {
        return dev.sonde.agent.Launch.java();
    }

    long pid() {
        return process.pid();
    }

    /** Sends a command and waits for its "done" line. */
    void send(String command) throws Exception {
        stdin.write(command + "\n");
        stdin.flush();
        expect("done " + command);
    }

    void expect(String line) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line.equals(l)) {
                return;
            }
            if (!process.isAlive()) {
                fail("the app ended (exit " + process.exitValue() + ") before printing '" + line + "'");
            }
        }
        fail("the app did not print '" + line + "' within 60 s");
    }

    @Override
    public void close() throws Exception {
        stdin.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
