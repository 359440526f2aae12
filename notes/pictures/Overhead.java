// The bundled tools' overhead on the sample application (notes/tools.md): starts the Bookshop
// demo (2 clerks, --serve) with the agent jar on its class path, then for each tool and each
// repetition measures the lookups per second for W seconds without the tool, W seconds with it
// (started as a user starts it, bin/sonde, once it says "Tracing"), and W seconds after it ended,
// in the same JVM, and prints one line per measurement plus the machine's load average.
// Run from the checkout: java notes/pictures/Overhead.java [seconds-per-window] [repetitions]
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

public class Overhead {
    static BufferedReader appOut;
    static PrintWriter appIn;

    static long lookups() throws Exception {
        appIn.println("count");
        appIn.flush();
        for (String l; (l = appOut.readLine()) != null; ) {
            if (l.startsWith("lookups ")) {
                return Long.parseLong(l.substring(8).trim());
            }
        }
        throw new IllegalStateException("the app ended");
    }

    static double rate(double seconds) throws Exception {
        long t0 = System.nanoTime();
        long n0 = lookups();
        Thread.sleep((long) (seconds * 1000));
        long n1 = lookups();
        return (n1 - n0) / ((System.nanoTime() - t0) / 1e9);
    }

    static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    public static void main(String[] args) throws Exception {
        double w = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String jar = Path.of("agent/target/sonde-agent.jar").toAbsolutePath().toString();
        Process app = new ProcessBuilder("java", "-XX:+UseSerialGC", "-cp", jar, "dev.sonde.demo.Bookshop", "--threads", "2", "--serve")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        appOut = new BufferedReader(new InputStreamReader(app.getInputStream()));
        appIn = new PrintWriter(app.getOutputStream());
        appOut.readLine();   // "ready"
        String pid = Long.toString(app.pid());
        // The agent is loaded once before measuring (the first tool's load is not overhead of the tool).
        run(List.of("bin/sonde", "funccount", pid, "dev.sonde.demo.Catalog::restock", "-d", "1")).waitFor();
        rate(w);   // warm-up
        List<List<String>> tools = List.of(
            List.of("funccount", pid, "dev.sonde.demo.*::*"),
            List.of("funclatency", pid, "dev.sonde.demo.Catalog::lookup", "-u", "--percentiles"),
            List.of("stackcount", pid, "dev.sonde.demo.Catalog::lookup", "--folded"),
            List.of("argdist", pid, "dev.sonde.demo.Catalog::lookup", "1"),
            List.of("trace", pid, "dev.sonde.demo.Catalog::lookup", "shelf=$1", "--rate", "100"),
            List.of("profile", pid, "--hz", "99", "--folded"));
        System.out.println("load before: " + load());
        System.out.printf("%-12s %3s %14s %14s %14s %9s%n", "tool", "rep", "before/s", "with/s", "after/s", "overhead");
        for (List<String> t : tools) {
            for (int r = 1; r <= reps; r++) {
                double before = rate(w);
                Process tool = run(concat(List.of("bin/sonde"), t));
                Path err = Path.of("/tmp/overhead-tool-err.txt");
                for (int i = 0; i < 600 && !Files.readString(err).contains("Tracing"); i++) {
                    Thread.sleep(50);
                }
                double with = rate(w);
                tool.destroy();
                tool.waitFor(30, TimeUnit.SECONDS);
                double after = rate(w);
                double base = (before + after) / 2;
                System.out.printf("%-12s %3d %14.0f %14.0f %14.0f %8.1f%%%n", t.get(0), r, before, with, after, 100 * (base - with) / base);
            }
        }
        System.out.println("load after: " + load());
        appIn.close();
        app.waitFor(10, TimeUnit.SECONDS);
    }

    static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    static Process run(List<String> cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(Path.of("/tmp/overhead-tool-err.txt").toFile()).start();
    }
}
