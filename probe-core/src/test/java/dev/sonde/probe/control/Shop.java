package dev.sonde.probe.control;

/** The traced application of {@link ShopProbesTest}. */
public class Shop {
    private long total;

    public int pay(long customer, int cents) {
        if (cents < 0) {
            throw new IllegalArgumentException("negative amount " + cents);
        }
        total += cents;
        return (int) (customer * 10 + 1);
    }

    public long nine(String name, int a, long b, double c, float d, boolean e, char f, byte g, short h) {
        return name.length() + a + b + (long) c + (long) d + (e ? 1 : 0) + f + g + h;
    }

    public static int refund(long amount) {
        return (int) -amount;
    }

    public long total() {
        return total;
    }
}
