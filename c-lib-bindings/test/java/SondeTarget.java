import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The application the C tests, funccount's test and the benchmark trace. It does nothing on its
 * own: each line on standard input is a command, so every call happens when the driver says and
 * the counts are exact. It prints "ready" once, then one "ok ..." line per command.
 *
 *   work N X     calls work(X) N times
 *   emit N S     calls emit(S), emit(S+1), ... N times; prints the elapsed nanoseconds
 *   burst N S    calls burst(S), burst(S+64), ... N times (the benchmark's probe emits 64
 *                records per call); prints the elapsed nanoseconds
 *   quit         exits
 */
public final class SondeTarget {
    static volatile long sink;

    static int work(int x) {
        sink += x;
        return x * 2;
    }

    static void emit(long seq) {
        sink += seq;
    }

    static void burst(long seq) {
        sink += seq;
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            switch (w[0]) {
                case "work" -> {
                    long n = Long.parseLong(w[1]);
                    int x = Integer.parseInt(w[2]);
                    for (long i = 0; i < n; i++) {
                        work(x);
                    }
                    System.out.println("ok work " + n + " " + x);
                }
                case "emit" -> {
                    long n = Long.parseLong(w[1]);
                    long s = Long.parseLong(w[2]);
                    long t0 = System.nanoTime();
                    for (long i = 0; i < n; i++) {
                        emit(s + i);
                    }
                    System.out.println("ok emit " + n + " " + (System.nanoTime() - t0));
                }
                case "burst" -> {
                    long n = Long.parseLong(w[1]);
                    long s = Long.parseLong(w[2]);
                    long t0 = System.nanoTime();
                    for (long i = 0; i < n; i++) {
                        burst(s + 64 * i);
                    }
                    System.out.println("ok burst " + n + " " + (System.nanoTime() - t0));
                }
                case "quit" -> {
                    System.out.println("ok quit");
                    return;
                }
                default -> System.out.println("error unknown command " + w[0]);
            }
            System.out.flush();
        }
    }
}
