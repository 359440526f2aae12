// A busy JVM for the flame-graph pictures (notes/tools.md): two threads serve three kinds of
// request with JDK work of shallow stacks: checkout (three prices and a SHA-256 digest), search (a
// regular expression and a price) and report (a sort, String.format and a price), in the ratio
// 5 : 3 : 2. Run from the checkout: java notes/pictures/Workload.java
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

public class Workload {
    static volatile long sink;
    static final Pattern BOOK = Pattern.compile("b(o+)k-(\\d+)-[a-z]*");

    static long price(int i) {
        BigInteger f = BigInteger.ONE;
        for (int k = 2; k < 40 + i % 7; k++) {
            f = f.multiply(BigInteger.valueOf(k));
        }
        return f.bitLength();
    }

    static long digest(int i) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] b = new byte[512];
        b[0] = (byte) i;
        for (int k = 0; k < 8; k++) {
            b = md.digest(b);
            b = java.util.Arrays.copyOf(b, 512);
        }
        return b[1];
    }

    static long checkout(int i) throws Exception {
        return price(i) + price(i + 1) + price(i + 2) + digest(i);
    }

    static long search(int i) {
        long n = 0;
        for (int k = 0; k < 20; k++) {
            n += BOOK.matcher("boooook-" + (i + k) + "-shelf").matches() ? 1 : 0;
        }
        return n + price(i);
    }

    static long report(int i) {
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            lines.add(String.format("%08d %s", (i * 7919 + k * 104729) % 100000, "title"));
        }
        Collections.sort(lines);
        return lines.get(0).length() + price(i);
    }

    static void serve() {
        try {
            for (long i = 0; ; i++) {
                int kind = (int) (i % 10);
                sink += kind < 5 ? checkout((int) i) : kind < 8 ? search((int) i) : report((int) i);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        for (int t = 0; t < 2; t++) {
            new Thread(Workload::serve, "server-" + t).start();
        }
        System.out.println("serving");
    }
}
